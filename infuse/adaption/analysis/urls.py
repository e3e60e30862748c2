"""The analysis's pages: attaching the outcome data, and the results."""

from django.urls import path

from infuse.adaption.analysis import views

urlpatterns = [
    path("<slug:slug>/data/", views.experiment_data, name="experiment_data"),
    path("<slug:slug>/results/", views.experiment_results, name="results"),
]
