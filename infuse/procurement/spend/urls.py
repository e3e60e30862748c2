from django.urls import path

from infuse.procurement.spend import views

urlpatterns = [
    path("spend/", views.overview, name="spend"),
    path("spend/datasets/<slug:slug>/", views.spend_dataset, name="spend_dataset"),
    path("spend/datasets/<slug:slug>/map/", views.spend_map, name="spend_map"),
    path("spend/suppliers/", views.suppliers, name="spend_suppliers"),
    path("spend/suppliers/matches/", views.matches, name="spend_matches"),
    path("spend/suppliers/matches/<int:pk>/", views.decide, name="spend_decide"),
    path("spend/suppliers/<int:pk>/", views.supplier, name="spend_supplier"),
    path("spend/suppliers/<int:pk>/split/", views.split, name="spend_split"),
    path("spend/categories/", views.expense_types, name="spend_categories"),
    path("spend/categories/<int:pk>/", views.expense_type, name="spend_category"),
    path("spend/opportunities/", views.opportunities, name="spend_opportunities"),
    path("spend/opportunities/draft/", views.draft_challenge, name="spend_draft"),
    path("spend/<str:table>.<str:file_format>", views.export, name="spend_export"),
]
