"""Background work of the design: checking a saved design's power by simulation, and planning a
quasi-experiment by placebo trials on its outcome's past. Queued by the design's use cases."""

from __future__ import annotations

from typing import Any

from django.tasks import task
from django.utils.translation import gettext_noop

from infuse import stats
from infuse.adaption.design.history import load_history
from infuse.adaption.design.power import simulation_within_limits
from infuse.adaption.design.quasi import plan
from infuse.adaption.design.schemas import HistoryPlanIn
from infuse.adaption.design.stored import QuasiPlan, StoredDesign, keep_design, keep_simulation
from infuse.adaption.models import Experiment
from infuse.adaption.registry.outcome_data import MappingError
from infuse.adaption.registry.services import check_editable
from infuse.core.errors import Conflict, PermissionDenied
from infuse.core.models import Person
from infuse.core.progress import ProgressReporter


@task()
def simulate_power(
    experiment_id: int, progress_id: str, n_simulations: int, seed: int
) -> dict[str, Any]:
    """Check the saved design's power by simulating trials analysed as planned."""
    reporter = ProgressReporter(progress_id)
    if not reporter.claim():
        return {"status": "already-claimed"}
    reporter.start(total=n_simulations, message=gettext_noop("Simulating trials"))
    experiment = Experiment.objects.get(pk=experiment_id)
    kept = StoredDesign.of(experiment)
    try:
        design = simulation_within_limits(
            experiment.design, kept, n_councils=experiment.councils.count()
        )
    except Conflict as refused:  # the design changed since it was queued
        reporter.fail(str(refused.message))
        return {"status": "failed"}
    try:
        result = stats.simulate_power(
            design,
            n_simulations=n_simulations,
            seed=seed,
            alpha=kept.design_inputs().alpha,
            progress=lambda done, total: reporter.advance(done, total),
        )
    except (ValueError, TypeError) as error:
        reporter.fail(str(error))
        return {"status": "failed"}
    summary = {
        "power": result.power,
        "ci_low": result.ci_low,
        "ci_high": result.ci_high,
        "n_simulations": result.n_simulations,
        "seed": seed,
        "analysis": result.analysis,
        "design": result.design,
    }
    keep_simulation(experiment_id, result, summary)
    reporter.succeed(summary)
    return {"status": "done"}


@task()
def plan_from_history(
    experiment_id: int, progress_id: str, inputs: dict[str, Any], seed: int, actor_id: int
) -> dict[str, Any]:
    """Run placebo trials on the primary outcome's past and keep the plan as the design."""
    reporter = ProgressReporter(progress_id)
    if not reporter.claim():
        return {"status": "already-claimed"}
    reporter.start(message=gettext_noop("Running placebo trials on past data"))
    experiment = Experiment.objects.get(pk=experiment_id)
    actor = Person.objects.get(pk=actor_id)
    planned = HistoryPlanIn(**inputs)
    treated = sorted(experiment.councils.values_list("gss_code", flat=True))
    try:
        history = load_history(experiment, actor=actor, plan_in=planned)
        result = plan(
            experiment.design,
            planned,
            history,
            treated,
            seed=seed,
            progress=lambda done, total: reporter.advance(done, total),
        )
    except MappingError as error:
        reporter.fail(error.text())
        return {"status": "failed", "field": error.field}
    except ValueError as error:
        reporter.fail(str(error))
        return {"status": "failed"}
    kept = QuasiPlan(
        method=f"placebo_power:{result.method}",
        power=planned.power,
        effect=result.minimum_detectable_effect,
        placebo=result,
        source=history.source,
        periods=tuple(history.periods),
        councils=history.council_summary(set(treated)),
        unmatched=tuple(history.unmatched),
        seed=seed,
    )
    experiment.refresh_from_db()  # registered meanwhile? then the plan is not kept
    try:
        check_editable(actor, experiment)
    except (Conflict, PermissionDenied):
        reporter.fail(gettext_noop("The experiment can no longer be changed: plan not kept"))
        return {"status": "failed"}
    keep_design(actor=actor, experiment=experiment, inputs=planned.model_dump(), answer=kept)
    reporter.succeed({"minimum_detectable_effect": result.minimum_detectable_effect})
    return {"status": "done"}
