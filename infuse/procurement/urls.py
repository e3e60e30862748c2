from django.urls import path

from infuse.procurement import views

app_name = "procurement"
urlpatterns = [
    path("", views.index, name="index"),
    path("challenges/new/", views.challenge_create, name="challenge_create"),
    path("challenges/<slug:slug>/", views.challenge, name="challenge"),
    path("challenges/<slug:slug>/edit/", views.challenge_edit, name="challenge_edit"),
    path("challenges/<slug:slug>/publish/", views.publish, name="publish"),
    path("challenges/<slug:slug>/documents/new/", views.document_add, name="document_add"),
    path("challenges/<slug:slug>/phases/<int:number>/edit/", views.phase_edit, name="phase_edit"),
    path("challenges/<slug:slug>/phases/<int:number>/criteria/", views.criteria, name="criteria"),
    path("challenges/<slug:slug>/phases/<int:number>/ask/", views.ask, name="ask"),
    path(
        "challenges/<slug:slug>/phases/<int:number>/questions/",
        views.questions,
        name="questions",
    ),
    path("challenges/<slug:slug>/phases/<int:number>/bid/", views.bid, name="bid"),
    path("challenges/<slug:slug>/phases/<int:number>/opening/", views.opening, name="opening"),
    path(
        "challenges/<slug:slug>/phases/<int:number>/evaluators/",
        views.evaluators,
        name="evaluators",
    ),
    path(
        "challenges/<slug:slug>/phases/<int:number>/evaluation/",
        views.evaluation,
        name="evaluation",
    ),
    path("challenges/<slug:slug>/phases/<int:number>/award/", views.award, name="award"),
    path("bids/<int:pk>/evaluate/", views.evaluate, name="evaluate"),
    path("bids/<int:pk>/moderate/", views.moderate, name="moderate"),
    path("bids/<int:pk>/feedback/", views.feedback, name="feedback"),
    path("bids/<int:pk>/feedback.pdf", views.feedback, name="feedback_pdf"),
    path("contracts/<int:pk>/", views.contract, name="contract"),
    path("documents/<int:pk>/", views.document, name="document"),
    path("questions/<int:pk>/answer/", views.answer, name="answer"),
    path("bids/", views.my_bids, name="my_bids"),
    path("bid-documents/<int:pk>/", views.bid_document, name="bid_document"),
    path("suppliers/register/", views.register, name="register"),
    path("suppliers/invite/", views.invite, name="invite"),
    path("suppliers/join/<str:token>/", views.join, name="join"),
]
