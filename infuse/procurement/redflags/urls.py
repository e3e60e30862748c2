from django.urls import path

from infuse.procurement.redflags import views

urlpatterns = [
    path("flags/", views.index, name="flags"),
    path("flags/import/", views.import_file, name="flag_import"),
    path("flags/<int:pk>/review/", views.review, name="flag_review"),
    path("flags/processes/<path:ocid>/", views.process, name="flag_process"),
    path("flags/buyers/<path:buyer_id>/", views.buyer, name="flag_buyer"),
    path("flags/suppliers/<path:party_id>/", views.supplier, name="flag_supplier"),
]
