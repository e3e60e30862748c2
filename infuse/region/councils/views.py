"""Pages of the councils: an index, and a profile for each."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from infuse.core.models import Theme, WellbeingGoal
from infuse.core.permissions import can
from infuse.region.councils import services


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "region/councils.html", {"councils": services.councils()})


@require_GET
def council(request: HttpRequest, slug: str) -> HttpResponse:
    """The council's profile; ``?compare=``, ``?goal=`` and ``?theme=`` shape its spine chart."""
    profile = services.profile(
        actor=request.user,
        slug=slug,
        compare=request.GET.get("compare", ""),
        goal=request.GET.get("goal", ""),
        theme=request.GET.get("theme", ""),
    )
    return render(
        request,
        "region/council.html",
        {
            "profile": profile,
            "work": profile.work,
            "councils": services.councils(),
            "goals": WellbeingGoal.objects.all(),
            "themes": Theme.objects.all(),
            "can_save_group": can(request.user, "datalab.add_comparatorgroup"),
        },
    )
