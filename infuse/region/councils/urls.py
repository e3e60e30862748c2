from django.urls import path

from infuse.region.councils import views

urlpatterns = [
    path("councils/", views.index, name="councils"),
    path("councils/<slug:slug>/", views.council, name="council"),
]
