"""The design page and what its team can do there: keep a design, check it by simulation, plan
a quasi-experiment from past data."""

from django.urls import path

from infuse.adaption.design import views

urlpatterns = [
    path("<slug:slug>/design/", views.experiment_design, name="experiment_design"),
    path("<slug:slug>/design/save/", views.design_save, name="design_save"),
    path("<slug:slug>/design/simulate/", views.design_simulate, name="design_simulate"),
    path("<slug:slug>/design/history/", views.design_history, name="design_history"),
]
