from django.urls import path

from infuse.procurement.register import views

urlpatterns = [
    path("contracts/register/", views.register, name="register_list"),
    path(
        "contracts/register/download.<str:file_format>",
        views.download,
        name="register_download",
    ),
    path("contracts/register/<int:pk>/", views.entry, name="register_entry"),
]
