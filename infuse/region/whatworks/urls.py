from django.urls import path

from infuse.region.whatworks import views

urlpatterns = [path("what-works/", views.what_works, name="what_works")]
