from django.urls import path

from infuse.region.goals import views

urlpatterns = [
    path("goals/", views.index, name="goals"),
    path("goals/<slug:code>/", views.goal, name="goal"),
    path("themes/<slug:code>/", views.theme, name="theme"),
]
