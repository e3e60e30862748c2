from django.urls import path

from infuse.procurement.bids import views

urlpatterns = [
    path("challenges/<slug:slug>/phases/<int:number>/bid/", views.bid, name="bid"),
    path(
        "challenges/<slug:slug>/phases/<int:number>/bid/check/", views.bid_check, name="bid_check"
    ),
    path(
        "challenges/<slug:slug>/phases/<int:number>/bid/withdraw/",
        views.bid_withdraw,
        name="bid_withdraw",
    ),
    path("challenges/<slug:slug>/phases/<int:number>/opening/", views.opening, name="opening"),
    path("bid-documents/<int:pk>/", views.bid_document, name="bid_document"),
]
