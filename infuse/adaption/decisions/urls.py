"""The decisions' pages: the decision, the scale-up and the trial report."""

from django.urls import path

from infuse.adaption.decisions import views

urlpatterns = [
    path("<slug:slug>/report/", views.experiment_report, name="experiment_report"),
    path("<slug:slug>/report.pdf", views.experiment_report_pdf, name="experiment_report_pdf"),
    path("<slug:slug>/decision/", views.experiment_decision, name="experiment_decision"),
    path("<slug:slug>/scale-up/", views.experiment_scale_up, name="experiment_scale_up"),
]
