from django.urls import path

from infuse.procurement import views

app_name = "procurement"
urlpatterns = [path("", views.index, name="index")]
