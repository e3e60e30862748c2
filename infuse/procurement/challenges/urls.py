from django.urls import path

from infuse.procurement.challenges import views

urlpatterns = [
    path("", views.index, name="index"),
    path("challenges/new/", views.challenge_create, name="challenge_create"),
    path("challenges/<slug:slug>/", views.challenge, name="challenge"),
    path("challenges/<slug:slug>/edit/", views.challenge_edit, name="challenge_edit"),
    path("challenges/<slug:slug>/publish/", views.publish, name="publish"),
    path("challenges/<slug:slug>/documents/new/", views.document_add, name="document_add"),
    path("challenges/<slug:slug>/phases/<int:number>/edit/", views.phase_edit, name="phase_edit"),
    path(
        "challenges/<slug:slug>/phases/<int:number>/deadline/",
        views.phase_deadline,
        name="phase_deadline",
    ),
    path("challenges/<slug:slug>/phases/<int:number>/ask-them/", views.phase_ask, name="phase_ask"),
    path("challenges/<slug:slug>/phases/<int:number>/criteria/", views.criteria, name="criteria"),
    path("documents/<int:pk>/", views.document, name="document"),
]
