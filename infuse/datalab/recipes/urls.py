from django.urls import path

from infuse.datalab.recipes import views

urlpatterns = [
    path("datasets/<slug:slug>/recipe/", views.recipe, name="recipe"),
    path("datasets/<slug:slug>/recipe/add/", views.step_kind, name="recipe_kind"),
    path("datasets/<slug:slug>/recipe/add/<str:kind>/", views.add_step, name="recipe_step"),
    path(
        "datasets/<slug:slug>/recipe/suggested/<int:number>/",
        views.add_suggested_step,
        name="recipe_suggested",
    ),
    path(
        "datasets/<slug:slug>/recipe/steps/<int:number>/remove/",
        views.remove_step,
        name="recipe_remove",
    ),
]
