from django.urls import path

from infuse.procurement.contracts import views

urlpatterns = [
    path("challenges/<slug:slug>/phases/<int:number>/award/", views.award, name="award"),
    path(
        "challenges/<slug:slug>/phases/<int:number>/award/confirm/",
        views.award_confirm,
        name="award_confirm",
    ),
    path(
        "challenges/<slug:slug>/phases/<int:number>/award/cancel/",
        views.award_cancel,
        name="award_cancel",
    ),
    path("contracts/<int:pk>/", views.contract, name="contract"),
    path("contracts/<int:pk>/ask-them/", views.contract_ask, name="contract_ask"),
    path("contracts/<int:pk>/milestones/", views.milestone_add, name="milestone_add"),
    path("contracts/<int:pk>/outcomes/", views.contract_outcomes, name="contract_outcomes"),
    path("contracts/<int:pk>/cpv/", views.contract_cpv, name="contract_cpv"),
    path("contracts/<int:pk>/close/", views.contract_close, name="contract_close"),
    path("contracts/<int:pk>/evaluations/", views.contract_evaluate, name="contract_evaluate"),
    path("milestones/<int:pk>/accept/", views.milestone_accept, name="milestone_accept"),
    path("milestones/<int:pk>/pay/", views.milestone_pay, name="milestone_pay"),
]
