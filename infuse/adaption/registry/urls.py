"""The registry's pages: the library, adding an experiment, its page, entry, outcomes, moves."""

from django.urls import path

from infuse.adaption.registry import views

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.experiment_create, name="experiment_create"),
    path("<slug:slug>/", views.experiment_detail, name="experiment"),
    path("<slug:slug>/edit/", views.experiment_edit, name="experiment_edit"),
    path("<slug:slug>/outcomes/", views.experiment_outcomes, name="experiment_outcomes"),
    path("<slug:slug>/move/<str:transition>/", views.experiment_move, name="experiment_move"),
    path("<slug:slug>/ask-them/", views.experiment_ask, name="experiment_ask"),
]
