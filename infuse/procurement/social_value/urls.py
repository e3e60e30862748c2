from django.urls import path

from infuse.procurement.social_value import views

urlpatterns = [
    path("milestones/<int:pk>/social-value/", views.report, name="milestone_social_value"),
]
