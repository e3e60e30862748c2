"""Pages of the decisions: recording the decision (with the evidence level the results
suggest), planning the scale-up, and the trial report as a page and as a tagged PDF."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from infuse.adaption.decisions import report, services
from infuse.adaption.decisions.forms import DecisionForm, ScaleUpForm
from infuse.adaption.models import Experiment
from infuse.adaption.registry.services import get_experiment
from infuse.adaption.registry.views import posted, team_page
from infuse.core.downloads import attachment
from infuse.core.pages import form_page

EVIDENCE_REASONS = {
    "no-analysis": gettext_lazy(
        "No analysis has finished yet, so the intervention is described but not tested."
    ),
    "no-estimate": gettext_lazy("The analysis gave no estimate to judge."),
    "no-clear-effect": gettext_lazy(
        "The results do not rule out no effect: change may be seen but not shown to be caused."
    ),
    "causal": gettext_lazy(
        "A randomised comparison shows an effect whose interval excludes no effect."
    ),
    "replicated": gettext_lazy(
        "This scale-up repeats an earlier experiment that reached level 3, and confirms it."
    ),
}


@login_required
@require_http_methods(["GET", "POST"])
def experiment_decision(request: HttpRequest, slug: str) -> HttpResponse:
    """Record the decision: scale, adapt or stop, with the evidence level suggested."""
    person, experiment = team_page(request, slug)
    suggested, reason = services.suggest_evidence_level(experiment)
    return form_page(
        request,
        DecisionForm(posted(request), initial={"evidence_level": suggested}),
        template="adaption/decision.html",
        save=lambda form: services.decide(
            actor=person, experiment=experiment, decision_in=form.to_schema()
        ),
        success=_("Decision recorded."),
        then=experiment.get_absolute_url(),
        context={
            "experiment": experiment,
            "suggested": suggested,
            "reason": EVIDENCE_REASONS.get(reason, reason),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def experiment_scale_up(request: HttpRequest, slug: str) -> HttpResponse:
    """Turn a decision to scale into a new stepped-wedge experiment, councils in order."""
    person, experiment = team_page(request, slug)
    return form_page(
        request,
        ScaleUpForm(posted(request)),
        template="adaption/scale_up.html",
        save=lambda form: services.scale_up(
            actor=person, experiment=experiment, scale_up_in=form.to_schema()
        ),
        success=_("The scale-up is a new stepped-wedge experiment, as a draft."),
        then=Experiment.get_absolute_url,
        context={"experiment": experiment},
    )


@require_GET
def experiment_report(request: HttpRequest, slug: str) -> HttpResponse:
    """The trial report as a page: protocol, flow diagram, results and decision."""
    experiment = get_experiment(actor=request.user, slug=slug)
    return render(request, "adaption/report.html", report.report_context(request.user, experiment))


@require_GET
def experiment_report_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    """The same report as a tagged PDF (PDF/UA-1), in the page's language."""
    experiment = get_experiment(actor=request.user, slug=slug)
    pdf = report.report_pdf(request.user, experiment, base_url=request.build_absolute_uri("/"))
    response = attachment(pdf, "application/pdf", f"{experiment.slug}-report.pdf")
    return response
