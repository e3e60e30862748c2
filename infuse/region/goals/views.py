"""Pages of the goals and themes: an index, and one page for each."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from infuse.procurement.social_value.queries import by_goal
from infuse.region.goals import services


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "region/goals.html", {"terms": services.terms()})


@require_GET
def goal(request: HttpRequest, code: str) -> HttpResponse:
    return _page(request, "goal", code)


@require_GET
def theme(request: HttpRequest, code: str) -> HttpResponse:
    return _page(request, "theme", code)


def _page(request: HttpRequest, kind: services.Kind, code: str) -> HttpResponse:
    overview = services.overview(actor=request.user, kind=kind, code=code)
    return render(
        request,
        "region/goal.html",
        {
            "overview": overview,
            "work": overview.work,
            "terms": services.terms(),
            "social_value_groups": by_goal(overview.social_value),
        },
    )
