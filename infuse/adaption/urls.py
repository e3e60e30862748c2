from django.urls import path

from infuse.adaption import views

app_name = "adaption"
urlpatterns = [path("", views.index, name="index")]
