from django.urls import path

from infuse.datalab.comparators import views

urlpatterns = [
    path("comparator-groups/", views.groups, name="comparator_groups"),
    path("comparator-groups/new/", views.group_create, name="comparator_group_create"),
    path(
        "comparator-groups/<slug:slug>/remove/",
        views.group_delete,
        name="comparator_group_delete",
    ),
]
