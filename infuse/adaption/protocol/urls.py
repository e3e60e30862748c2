"""The protocol's pages: registering (or amending) it, and each registered version."""

from django.urls import path

from infuse.adaption.protocol import views

urlpatterns = [
    path("<slug:slug>/protocol/", views.protocol_register, name="protocol_register"),
    path("<slug:slug>/protocol/<int:version>/", views.protocol_detail, name="protocol"),
]
