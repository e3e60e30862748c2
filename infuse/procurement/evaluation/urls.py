from django.urls import path

from infuse.procurement.evaluation import views

urlpatterns = [
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
    path("bids/<int:pk>/evaluate/", views.evaluate, name="evaluate"),
    path("bids/<int:pk>/declaration/", views.declare, name="declare"),
    path("bids/<int:pk>/moderate/", views.moderate, name="moderate"),
    path("bids/<int:pk>/feedback/", views.feedback, name="feedback"),
    path("bids/<int:pk>/feedback.pdf", views.feedback, name="feedback_pdf"),
]
