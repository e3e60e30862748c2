"""Pages of the analysis: attaching the outcome data (which runs the registered analysis) and
the results: the primary effect in words, the flow of units, the effects by council and the
secondary outcomes."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from infuse.adaption.analysis import services
from infuse.adaption.analysis.charts import council_forest, flow_svg
from infuse.adaption.analysis.forms import AttachDataForm
from infuse.adaption.analysis.result_words import shown_result
from infuse.adaption.registry.services import get_experiment
from infuse.adaption.registry.views import posted, team_page
from infuse.core.pages import form_page
from infuse.core.permissions import can
from infuse.datalab.catalogue import services as data

DEVIATIONS = {
    "primary-outcome": gettext_lazy("The primary outcome analysed is not the one registered"),
    "dataset": gettext_lazy("The data come from a different dataset than registered"),
    "secondary-outcomes": gettext_lazy("Secondary outcomes that were not registered"),
    "covariates": gettext_lazy("Adjusted for covariates not named in the protocol's outcomes"),
}


@login_required
@require_http_methods(["GET", "POST"])
def experiment_data(request: HttpRequest, slug: str) -> HttpResponse:
    """Attach the outcome data and run the registered analysis."""
    person, experiment = team_page(request, slug)
    datasets = [(d.slug, d.title) for d in data.visible_datasets(person).order_by("slug")]
    return form_page(
        request,
        AttachDataForm(posted(request), datasets=datasets),
        template="adaption/data.html",
        save=lambda form: services.attach_data(
            actor=person, experiment=experiment, attach_in=form.to_schema()
        ),
        success=_("The analysis is running."),
        then=reverse("adaption:results", kwargs={"slug": experiment.slug}),
        context={"experiment": experiment},
    )


@require_GET
def experiment_results(request: HttpRequest, slug: str) -> HttpResponse:
    """The latest analysis: primary effect in words, flow, forest plot, secondary outcomes."""
    experiment = get_experiment(actor=request.user, slug=slug)
    run = services.get_analysis(actor=request.user, experiment=experiment)
    result = shown_result(run)
    allocation = experiment.latest_allocation
    return render(
        request,
        "adaption/results.html",
        {
            "experiment": experiment,
            "run": run,
            "result": result,
            "primary": result.primary if result else None,
            "flow_svg": flow_svg(result.flow) if result else "",
            "forest_svg": council_forest(result),
            "deviations": [
                (DEVIATIONS.get(d["key"], d["key"]), d["detail"]) for d in run.deviations
            ],
            "can_attach": can(request.user, "adaption.change_experiment", experiment),
            "balance": allocation.balance_table if allocation else None,
        },
    )
