from django.urls import path

from infuse.adaption import views

app_name = "adaption"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.experiment_create, name="experiment_create"),
    path("<slug:slug>/", views.experiment_detail, name="experiment"),
    path("<slug:slug>/edit/", views.experiment_edit, name="experiment_edit"),
    path("<slug:slug>/design/", views.experiment_design, name="experiment_design"),
    path("<slug:slug>/outcomes/", views.experiment_outcomes, name="experiment_outcomes"),
    path("<slug:slug>/move/<str:transition>/", views.experiment_move, name="experiment_move"),
    path("<slug:slug>/protocol/", views.protocol_register, name="protocol_register"),
    path("<slug:slug>/protocol/<int:version>/", views.protocol_detail, name="protocol"),
    path("<slug:slug>/randomise/", views.experiment_randomise, name="experiment_randomise"),
    path("<slug:slug>/allocation/", views.allocation_detail, name="allocation"),
    path("<slug:slug>/data/", views.experiment_data, name="experiment_data"),
    path("<slug:slug>/results/", views.experiment_results, name="results"),
    path("<slug:slug>/report/", views.experiment_report, name="experiment_report"),
    path("<slug:slug>/report.pdf", views.experiment_report_pdf, name="experiment_report_pdf"),
    path("<slug:slug>/decision/", views.experiment_decision, name="experiment_decision"),
    path("<slug:slug>/scale-up/", views.experiment_scale_up, name="experiment_scale_up"),
]
