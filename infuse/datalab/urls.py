from django.urls import path

from infuse.datalab import views

app_name = "datalab"
urlpatterns = [path("", views.index, name="index")]
