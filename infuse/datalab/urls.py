from django.urls import path

from infuse.datalab import views

app_name = "datalab"
urlpatterns = [
    path("", views.index, name="index"),
    path("sql/", views.sql_query, name="sql"),
    path("datasets/new/", views.dataset_create, name="dataset_create"),
    path("datasets/<slug:slug>/", views.dataset_detail, name="dataset"),
    path("datasets/<slug:slug>/edit/", views.dataset_edit, name="dataset_edit"),
    path("datasets/<slug:slug>/upload/", views.upload, name="upload"),
    path("datasets/<slug:slug>/schema/", views.dataset_schema, name="dataset_schema"),
    path("datasets/<slug:slug>/versions/<int:number>/", views.version_detail, name="version"),
    path(
        "datasets/<slug:slug>/versions/<int:number>/download.<str:file_format>",
        views.version_download,
        name="version_download",
    ),
    path(
        "datasets/<slug:slug>/versions/<int:number>/quarantine.<str:file_format>",
        views.version_quarantine,
        name="version_quarantine",
    ),
    path(
        "datasets/<slug:slug>/versions/<int:number>/datapackage.json",
        views.version_datapackage,
        name="version_datapackage",
    ),
    path("uploads/<uuid:upload_id>/", views.upload_status, name="upload_status"),
    path("datasets/<slug:slug>/indicators/new/", views.indicator_create, name="indicator_create"),
    path("indicators/<slug:slug>/", views.indicator_detail, name="indicator"),
    path(
        "indicators/<slug:slug>/values.<str:file_format>",
        views.indicator_download,
        name="indicator_download",
    ),
    path(
        "indicators/<slug:slug>/values/<int:value_id>/flag/",
        views.indicator_value_flag,
        name="indicator_value_flag",
    ),
]
