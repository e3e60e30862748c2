from django.urls import path

from infuse.datalab.indicators import views

urlpatterns = [
    path("datasets/<slug:slug>/indicators/new/", views.indicator_create, name="indicator_create"),
    path("indicators/<slug:slug>/", views.indicator_detail, name="indicator"),
    path("indicators/<slug:slug>/change/", views.indicator_change, name="indicator_change"),
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
