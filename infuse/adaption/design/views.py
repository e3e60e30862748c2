"""The design page: a randomised design's power, size or smallest detectable effect with its
power curve (and a stepped wedge's schedule), or a quasi-experiment's plan from its outcome's
past. Anyone who can read the experiment can try numbers; its team can keep them (``save``),
check them by simulation (``simulate``) or plan from past data (``history``), each its own POST
that shows the same page again, with the problems, when it is refused."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from infuse.adaption.design import services
from infuse.adaption.design.charts import power_curve_svg
from infuse.adaption.design.forms import DesignForm, QuasiDesignForm
from infuse.adaption.design.history import primary_outcome
from infuse.adaption.design.power import CALCULABLE, Calculation, calculate, size_label
from infuse.adaption.design.quasi import METHODS
from infuse.adaption.design.stored import QuasiPlan, StoredDesign
from infuse.adaption.models import Experiment, Outcome
from infuse.adaption.registry.outcome_data import MappingError
from infuse.adaption.registry.services import EDITABLE, get_experiment
from infuse.adaption.registry.views import posted
from infuse.core.errors import InvalidInput, PermissionDenied
from infuse.core.models import TaskProgress
from infuse.core.pages import action_page, form_page
from infuse.core.permissions import can

WARNINGS = {
    "few_clusters": gettext_lazy(
        "Few clusters: the answer leans on approximations. Check the planned analysis by "
        "simulation before relying on it."
    ),
    "normal_approximation_doubtful": gettext_lazy(
        "The normal approximation is doubtful at these sizes: treat the answer as rough."
    ),
}


def _design_url(experiment: Experiment) -> str:
    return reverse("adaption:experiment_design", kwargs={"slug": experiment.slug})


def _can_change(user: Any, experiment: Experiment) -> bool:
    """Whether the page offers to keep a design: the team, while the entry may change."""
    return (
        user.is_authenticated
        and can(user, "adaption.change_experiment", experiment)
        and experiment.status in EDITABLE
    )


def _unfinished(progress_id: str | None) -> TaskProgress | None:
    progress = TaskProgress.objects.filter(pk=progress_id).first() if progress_id else None
    return progress if progress and not progress.is_finished else None


def _failed(progress_id: str | None) -> TaskProgress | None:
    if not progress_id:
        return None
    return TaskProgress.objects.filter(pk=progress_id, state=TaskProgress.State.FAILED).first()


# --- Randomised designs ----------------------------------------------------------------------


def _design_form(request: HttpRequest, experiment: Experiment) -> DesignForm:
    return DesignForm(
        posted(request),
        size_label=size_label(experiment.design),
        initial={
            "n_steps": experiment.councils.count() or None,
            **StoredDesign.of(experiment).inputs,
        },
    )


def _design_context(
    request: HttpRequest, experiment: Experiment, calculation: Calculation | None
) -> dict[str, Any]:
    n_councils = experiment.councils.count()
    result = calculation.answer if calculation else None
    sizes = result.sample_size if result else {}
    chosen = next(
        (
            sizes[k]
            for k in ("n_clusters_per_arm", "cluster_period_size", "n_control")
            if k in sizes
        ),
        None,
    )
    schedule = calculation.schedule if calculation else []
    kept = StoredDesign.of(experiment)
    return {
        "experiment": experiment,
        "calculable": experiment.design in CALCULABLE,
        "calculation": calculation,
        "result": result,
        "warnings": [WARNINGS.get(w.code, w.detail) for w in result.warnings] if result else [],
        "curve_svg": power_curve_svg(
            calculation.curve, size_label=calculation.size_label, chosen=chosen
        )
        if calculation
        else "",
        "schedule_rows": list(zip(range(1, n_councils + 1), schedule, strict=False)),
        "periods": range(1, len(schedule[0]) + 1) if schedule else [],
        "can_save": _can_change(request.user, experiment),
        "saved": kept,
        "simulation": kept.simulation,
        "simulation_progress": _unfinished(kept.simulation_progress),
    }


def _answer(experiment: Experiment, form: DesignForm) -> Calculation | None:
    """The answer to show beside a refused save (none when the numbers themselves have none)."""
    try:
        return calculate(
            experiment.design, form.to_schema(), n_councils=experiment.councils.count()
        )
    except InvalidInput:
        return None


@require_http_methods(["GET", "POST"])
def experiment_design(request: HttpRequest, slug: str) -> HttpResponse:
    """The design page; a POST here works the numbers out and keeps nothing."""
    experiment = get_experiment(actor=request.user, slug=slug)
    if experiment.design in METHODS:
        if request.method == "POST":
            return HttpResponseNotAllowed(["GET"])
        source = QuasiSource.of(experiment)
        plan_form = QuasiDesignForm(
            columns=source.columns,
            initial=QuasiDesignForm.initial_from(StoredDesign.of(experiment).inputs),
        )
        return render(
            request, "adaption/design_quasi.html", _quasi_context(request, source, plan_form)
        )
    form = _design_form(request, experiment)
    calculation = None
    if request.method == "POST" and form.is_valid():
        try:
            calculation = services.calculate_design(
                actor=request.user, experiment=experiment, design_in=form.to_schema()
            )
        except InvalidInput as error:
            form.add_problems(error.problems)
    return render(
        request,
        "adaption/design.html",
        {**_design_context(request, experiment, calculation), "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
def design_save(request: HttpRequest, slug: str) -> HttpResponse:
    """Keep the design's inputs and answer with the experiment."""
    experiment = get_experiment(actor=request.user, slug=slug)
    form = _design_form(request, experiment)
    return form_page(
        request,
        form,
        template="adaption/design.html",
        save=lambda form: services.calculate_design(
            actor=request.user, experiment=experiment, design_in=form.to_schema(save=True)
        ),
        success=_("Design saved with the experiment."),
        then=experiment.get_absolute_url(),
        context=lambda: _design_context(request, experiment, _answer(experiment, form)),
    )


@require_POST
def design_simulate(request: HttpRequest, slug: str) -> HttpResponse:
    """Check the saved design's power by simulation (a background task)."""
    experiment = get_experiment(actor=request.user, slug=slug)
    return action_page(
        request,
        run=lambda: services.queue_power_simulation(actor=request.user, experiment=experiment),
        success=_("The simulation is running."),
        then=_design_url(experiment),
    )


# --- Quasi-experiments -----------------------------------------------------------------------


@dataclass(frozen=True)
class QuasiSource:
    """Where a quasi-experiment's past comes from: its primary outcome, the columns to choose
    from (None for an indicator, already by council and period), or why there is none yet."""

    experiment: Experiment
    outcome: Outcome | None
    columns: list[str] | None
    problem: str

    @classmethod
    def of(cls, experiment: Experiment) -> QuasiSource:
        try:
            outcome = primary_outcome(experiment)
        except MappingError as error:
            return cls(experiment, None, None, error.text())
        columns = None
        if not outcome.indicator_id and outcome.dataset is not None:
            version = outcome.dataset.latest_version
            columns = [column["name"] for column in version.fields] if version else []
        return cls(experiment, outcome, columns, "")


def _plan_rows(plan: QuasiPlan | None) -> list[dict[str, float]]:
    """Power at each effect added, with its interval (the table under the curve)."""
    if plan is None:
        return []
    placebo = plan.placebo
    return [
        {"effect": e, "power": p, "low": lo, "high": hi}
        for e, p, lo, hi in zip(
            placebo.effects, placebo.power, placebo.ci_low, placebo.ci_high, strict=True
        )
    ]


def _plan_curve(plan: QuasiPlan | None) -> str:
    points = list(zip(plan.placebo.effects, plan.placebo.power, strict=True)) if plan else []
    if plan is None or len(points) < 2:
        return ""
    return power_curve_svg(
        points,
        size_label=_("Effect added"),
        chosen=plan.placebo.minimum_detectable_effect,
        target=plan.placebo.target_power,
        by_effect=True,
    )


def _quasi_context(
    request: HttpRequest, source: QuasiSource, form: QuasiDesignForm
) -> dict[str, Any]:
    experiment = source.experiment
    kept = StoredDesign.of(experiment)
    plan = kept.plan
    placebo = plan.placebo if plan else None
    return {
        "experiment": experiment,
        "form": form,
        "outcome": source.outcome,
        "source_problem": source.problem,
        "can_save": _can_change(request.user, experiment),
        "result": plan,
        "plan": placebo,
        "rows": _plan_rows(plan),
        "curve_svg": _plan_curve(plan),
        # The analysis finds "effects" in the past where none was added more often than
        # its level promises, beyond what the number of placebo trials explains.
        "over_rejects": placebo is not None and placebo.ci_low[0] > placebo.alpha,
        "cannot_reject": placebo is not None
        and placebo.smallest_p_value is not None
        and placebo.smallest_p_value > placebo.alpha,
        "progress": _unfinished(kept.history_progress),
        "failed": _failed(kept.history_progress),
    }


@require_POST
def design_history(request: HttpRequest, slug: str) -> HttpResponse:
    """Plan a quasi-experiment by placebo trials on its outcome's past (a background task)."""
    experiment = get_experiment(actor=request.user, slug=slug)
    if not _can_change(request.user, experiment):
        raise PermissionDenied()  # the page offers the plan only to the experiment's team
    source = QuasiSource.of(experiment)
    form = QuasiDesignForm(request.POST, columns=source.columns)
    return form_page(
        request,
        form,
        template="adaption/design_quasi.html",
        save=lambda form: services.queue_history_plan(
            actor=request.user, experiment=experiment, plan_in=form.to_schema()
        ),
        success=_("The placebo trials are running."),
        then=_design_url(experiment),
        context=lambda: _quasi_context(request, source, form),
    )
