"""Pages of the councils: an index, and a profile for each."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from infuse.region.councils import services


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "region/councils.html", {"councils": services.councils()})


@require_GET
def council(request: HttpRequest, slug: str) -> HttpResponse:
    profile = services.profile(actor=request.user, slug=slug)
    return render(
        request,
        "region/council.html",
        {"profile": profile, "work": profile.work, "councils": services.councils()},
    )
