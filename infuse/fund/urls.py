from django.urls import path

from infuse.fund import views

app_name = "fund"
urlpatterns = [
    path("", views.index, name="index"),
    path("allocations/new/", views.allocate, name="allocate"),
]
