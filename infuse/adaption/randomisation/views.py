"""Pages of the randomisation: running it (analysts of the owning organisation) and the
allocation with its balance table, or as CSV."""

from __future__ import annotations

from typing import Any

from defusedcsv import csv as defused_csv
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from infuse.adaption.models import COUNCIL_UNITS, Allocation, Design, Experiment
from infuse.adaption.randomisation import services
from infuse.adaption.randomisation.forms import RandomiseForm
from infuse.adaption.registry.services import get_experiment
from infuse.adaption.registry.views import posted, team_page
from infuse.core.downloads import attachment
from infuse.core.pages import form_page
from infuse.datalab.catalogue import services as data


@login_required
@require_http_methods(["GET", "POST"])
def experiment_randomise(request: HttpRequest, slug: str) -> HttpResponse:
    person, experiment = team_page(request, slug, "adaption.randomise_experiment")
    datasets = [(d.slug, d.title) for d in data.visible_datasets(person).order_by("slug")]
    return form_page(
        request,
        RandomiseForm(posted(request), datasets=datasets),
        template="adaption/randomise.html",
        save=lambda form: services.randomise(
            actor=person, experiment=experiment, randomise_in=form.to_schema()
        ),
        success=_("Randomised. The allocation and its digest are kept."),
        then=reverse("adaption:allocation", kwargs={"slug": experiment.slug}),
        context={
            "experiment": experiment,
            "council_units": experiment.design in COUNCIL_UNITS,
            "stepped_wedge": experiment.design == Design.STEPPED_WEDGE,
        },
    )


def _allocation_csv(
    experiment: Experiment, allocation: Allocation, rows: list[Any]
) -> HttpResponse:
    response = attachment("", "text/csv; charset=utf-8", f"{experiment.slug}-allocation.csv")
    writer = defused_csv.writer(response)
    writer.writerow(["unit", "arm", "step", "stratum"])
    writer.writerows([[u, a, s or "", t or ""] for u, a, s, t in rows])
    writer.writerow([])
    writer.writerow(["# seed", allocation.seed])
    writer.writerow(["# allocation_digest (SHA-256)", allocation.allocation_digest])
    return response


@require_GET
def allocation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The allocation (with its balance table), or its CSV with ``?format=csv``."""
    experiment = get_experiment(actor=request.user, slug=slug)
    allocation = services.get_allocation(actor=request.user, experiment=experiment)
    drawn = allocation.drawn
    units = drawn.unit_ids
    rows = list(
        zip(
            units,
            drawn.assignment,
            drawn.steps or [None] * len(units),
            drawn.strata or [None] * len(units),
            strict=True,
        )
    )
    if request.GET.get("format") == "csv":
        return _allocation_csv(experiment, allocation, rows)
    names = (
        {c.gss_code: c.name for c in experiment.councils.all()}
        if experiment.design in COUNCIL_UNITS
        else {}
    )
    schedule = drawn.schedule
    return render(
        request,
        "adaption/allocation.html",
        {
            "experiment": experiment,
            "allocation": allocation,
            "rows": [(names.get(u, u), a, s, t) for u, a, s, t in rows],
            "counts": drawn.counts,
            "balance": allocation.balance_table,
            "schedule": schedule,
            "periods": range(len(schedule[0])) if schedule else [],
            "schedule_rows": list(
                zip([names.get(u, u) for u in units], schedule or [], strict=False)
            ),
        },
    )
