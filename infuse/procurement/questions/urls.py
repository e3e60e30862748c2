from django.urls import path

from infuse.procurement.questions import views

urlpatterns = [
    path("challenges/<slug:slug>/phases/<int:number>/ask/", views.ask, name="ask"),
    path(
        "challenges/<slug:slug>/phases/<int:number>/questions/",
        views.questions,
        name="questions",
    ),
    path("questions/<int:pk>/answer/", views.answer, name="answer"),
]
