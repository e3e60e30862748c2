from django.urls import path

from infuse.procurement.suppliers import views

urlpatterns = [
    path("bids/", views.my_bids, name="my_bids"),
    path("suppliers/register/", views.register, name="register"),
    path("suppliers/invite/", views.invite, name="invite"),
    path("suppliers/join/<str:token>/", views.join, name="join"),
]
