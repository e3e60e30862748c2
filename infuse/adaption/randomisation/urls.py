"""The randomisation's pages: running it, and the allocation."""

from django.urls import path

from infuse.adaption.randomisation import views

urlpatterns = [
    path("<slug:slug>/randomise/", views.experiment_randomise, name="experiment_randomise"),
    path("<slug:slug>/allocation/", views.allocation_detail, name="allocation"),
]
