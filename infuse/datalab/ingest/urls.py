from django.urls import path

from infuse.datalab.ingest import views

urlpatterns = [
    path("datasets/<slug:slug>/upload/", views.upload, name="upload"),
    path("uploads/<uuid:upload_id>/", views.upload_status, name="upload_status"),
    path("uploads/<uuid:upload_id>/check/", views.upload_check, name="upload_check"),
    path(
        "datasets/<slug:slug>/versions/<int:number>/quarantine.<str:file_format>",
        views.version_quarantine,
        name="version_quarantine",
    ),
    path("datasets/<slug:slug>/schema/", views.dataset_schema, name="dataset_schema"),
    path(
        "datasets/<slug:slug>/schema/rules/",
        views.dataset_schema_rules,
        name="dataset_schema_rules",
    ),
    path(
        "datasets/<slug:slug>/schema/json/", views.dataset_schema_json, name="dataset_schema_json"
    ),
    path(
        "datasets/<slug:slug>/schema/clear/",
        views.dataset_schema_clear,
        name="dataset_schema_clear",
    ),
]
