from django.urls import path

from infuse.datalab.catalogue import views

urlpatterns = [
    path("", views.index, name="index"),
    path("datasets/new/", views.dataset_create, name="dataset_create"),
    path("datasets/<slug:slug>/", views.dataset_detail, name="dataset"),
    path("datasets/<slug:slug>/edit/", views.dataset_edit, name="dataset_edit"),
    path("datasets/<slug:slug>/versions/<int:number>/", views.version_detail, name="version"),
    path(
        "datasets/<slug:slug>/versions/<int:number>/download.<str:file_format>",
        views.version_download,
        name="version_download",
    ),
    path(
        "datasets/<slug:slug>/versions/<int:number>/datapackage.json",
        views.version_datapackage,
        name="version_datapackage",
    ),
]
