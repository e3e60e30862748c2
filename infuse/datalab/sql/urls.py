from django.urls import path

from infuse.datalab.sql import views

urlpatterns = [
    path("sql/", views.sql_query, name="sql"),
    path("sql/csv/", views.sql_csv, name="sql_csv"),
    path("sql/save/", views.sql_save, name="sql_save"),
]
