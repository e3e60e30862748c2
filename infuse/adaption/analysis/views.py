"""Pages of the analysis: attaching the outcome data (which runs the registered analysis) and
the results: the primary effect in words, the flow of units, the effects by council and the
secondary outcomes."""

from __future__ import annotations

import math

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from infuse.adaption.analysis import services
from infuse.adaption.analysis.charts import flow_svg, forest_svg
from infuse.adaption.analysis.forms import AttachDataForm
from infuse.adaption.analysis.results import (
    AnalysisResult,
    excludes_no_effect,
    has_interval,
    result_of,
)
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


def effect_sentence(result: AnalysisResult) -> str:
    """The primary result in plain words, in the page's language."""
    primary = result.primary
    if not has_interval(primary):
        # Synthetic control: inference by placebos, without a confidence interval.
        p_value = primary.p_value
        return _(
            "The estimated effect on %(outcome)s is %(estimate)s (placebo p-value %(p)s); this "
            "method gives no confidence interval."
        ) % {
            "outcome": result.outcome,
            "estimate": f"{primary.estimate:.2f}",
            "p": f"{p_value:.3f}" if math.isfinite(p_value) else "–",
        }
    values = {
        "outcome": result.outcome,
        "size": f"{abs(primary.estimate):.2f}",
        "low": f"{primary.ci_low:.2f}",
        "high": f"{primary.ci_high:.2f}",
        "p": "p < 0.001" if primary.p_value < 0.001 else f"p = {primary.p_value:.3f}",
    }
    if not excludes_no_effect(primary):
        return (
            _(
                "The data do not show a clear difference in %(outcome)s: the best estimate is "
                "%(size)s, but the 95%% confidence interval runs from %(low)s to %(high)s "
                "(%(p)s), so it could be no effect at all."
            )
            % values
        )
    text = (
        _("With the intervention, %(outcome)s was higher by %(size)s on average")
        if primary.estimate > 0
        else _("With the intervention, %(outcome)s was lower by %(size)s on average")
    ) % values
    return (
        text
        + " "
        + _(
            "(95%% confidence interval %(low)s to %(high)s; %(p)s). Chance alone is an "
            "unlikely explanation."
        )
        % values
    )


@require_GET
def experiment_results(request: HttpRequest, slug: str) -> HttpResponse:
    """The latest analysis: primary effect in words, flow, forest plot, secondary outcomes."""
    experiment = get_experiment(actor=request.user, slug=slug)
    run = services.get_analysis(actor=request.user, experiment=experiment)
    result = result_of(run)
    allocation = experiment.latest_allocation
    return render(
        request,
        "adaption/results.html",
        {
            "experiment": experiment,
            "run": run,
            "result": result,
            "primary": result.primary if result else None,
            "sentence": effect_sentence(result) if result else "",
            "flow_svg": flow_svg(result.flow) if result else "",
            "forest_svg": forest_svg(result.by_council, result.primary, label=result.outcome)
            if result and result.by_council
            else "",
            "deviations": [
                (DEVIATIONS.get(d["key"], d["key"]), d["detail"]) for d in run.deviations
            ],
            "can_attach": can(request.user, "adaption.change_experiment", experiment),
            "balance": allocation.balance_table if allocation else None,
        },
    )
