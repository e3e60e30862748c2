"""The home page: the region at a glance (and, signed in, the person's own work first)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from infuse.adaption.analysis.result_words import effect_sentence
from infuse.core.permissions import person_of
from infuse.core.views import your_work
from infuse.datalab.catalogue.freshness import overdue_for_publisher
from infuse.region.home import services


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    found = services.dashboard(actor=request.user)
    context = {
        "dashboard": found,
        "findings": [(experiment, effect_sentence(r)) for experiment, r in found.findings],
    }
    if request.user.is_authenticated:
        person = person_of(request)
        context.update(your_work(person))
        context["overdue"] = overdue_for_publisher(person)
    return render(request, "region/home.html", context)
