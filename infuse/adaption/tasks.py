"""Background work of the Adaption Lab: the registered analysis, run on a Data Lab version."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.tasks import task
from django.utils.translation import gettext_noop

from infuse.analytics.quoting import select_columns
from infuse.core import audit
from infuse.core.models import Council
from infuse.core.progress import ProgressReporter
from infuse.datalab.catalogue import services as data

logger = logging.getLogger(__name__)


def _columns(mapping: dict[str, Any]) -> list[str]:
    names = [mapping.get(k) for k in ("unit", "arm", "outcome", "cluster", "period")]
    names += list(mapping.get("secondary", [])) + list(mapping.get("covariates", []))
    return list(dict.fromkeys(n for n in names if n))


def _finish(run: Any, result: dict[str, Any], reporter: ProgressReporter) -> dict[str, Any]:
    from infuse.adaption.models import AnalysisRun

    with transaction.atomic():
        AnalysisRun.objects.filter(pk=run.pk).update(state=AnalysisRun.State.DONE, result=result)
        audit.record_event(
            actor=run.created_by,
            action="experiment.analysed",
            obj=run.experiment,
            after={
                "analysis": run.pk,
                "protocol": run.protocol.version,
                "estimate": result["primary"]["estimate"],
                "p_value": result["primary"]["p_value"],
            },
        )
    reporter.succeed({"analysis": run.pk})
    return {"status": "done"}


@task()
def run_analysis(run_id: int, progress_id: str) -> dict[str, Any]:
    """Read the mapped columns, run the design's analysis, keep the result or the reason."""
    from infuse.adaption.analysis import QUASI, MappingError, analyse, analyse_quasi, prepare
    from infuse.adaption.models import AnalysisRun

    reporter = ProgressReporter(progress_id)
    if not reporter.claim():
        return {"status": "already-claimed"}
    reporter.start(message=gettext_noop("Running the registered analysis"))
    run = AnalysisRun.objects.select_related("experiment", "dataset_version", "protocol").get(
        pk=run_id
    )
    AnalysisRun.objects.filter(pk=run.pk).update(state=AnalysisRun.State.RUNNING)
    experiment = run.experiment
    allocation = experiment.latest_allocation
    councils = list(Council.objects.values_list("gss_code", "name_en", "name_cy"))
    try:
        wanted = select_columns(_columns(run.mapping))
        with data.reading_version(run.dataset_version) as connection:
            frame = connection.sql(f"SELECT {wanted} FROM data").df()  # noqa: S608 - quoted
        if experiment.design in QUASI:
            result = analyse_quasi(
                frame,
                design=experiment.design,
                mapping=run.mapping,
                treated=[c.gss_code for c in experiment.councils.all()],
                councils=[(g, e, c or e) for g, e, c in councils],
            )
            return _finish(run, result, reporter)
        prepared = prepare(
            frame,
            run.mapping,
            design=experiment.design,
            allocation=allocation.result if allocation else {"unit_ids": [], "assignment": []},
            councils=[(g, e, c or e) for g, e, c in councils],
        )
        result = analyse(
            prepared,
            design=experiment.design,
            mapping=run.mapping,
            allocation=allocation.result if allocation else {},
            council_names={g: e for g, e, _c in councils},
            seed=allocation.seed if allocation else 0,
        )
    except MappingError as error:
        AnalysisRun.objects.filter(pk=run.pk).update(
            state=AnalysisRun.State.FAILED, error=error.message, error_params=error.params
        )
        reporter.fail(error.text())
        return {"status": "failed", "field": error.field}
    except Exception as error:
        logger.exception("Analysis %s failed", run.pk)
        AnalysisRun.objects.filter(pk=run.pk).update(
            state=AnalysisRun.State.FAILED, error=f"{type(error).__name__}: {error}"
        )
        reporter.fail(f"{type(error).__name__}: {error}")
        return {"status": "failed"}
    return _finish(run, result, reporter)


@task()
def simulate_power(
    experiment_id: int, progress_id: str, n_simulations: int, seed: int
) -> dict[str, Any]:
    """Check the saved design's power by simulating trials analysed as planned."""
    from infuse.adaption.design import simulation_design
    from infuse.adaption.models import Experiment
    from infuse.stats import simulate_power as simulate

    reporter = ProgressReporter(progress_id)
    if not reporter.claim():
        return {"status": "already-claimed"}
    reporter.start(total=n_simulations, message=gettext_noop("Simulating trials"))
    experiment = Experiment.objects.get(pk=experiment_id)
    try:
        design = simulation_design(
            experiment.design, experiment.design_parameters, n_councils=experiment.councils.count()
        )
        result = simulate(
            design,
            n_simulations=n_simulations,
            seed=seed,
            alpha=float(experiment.design_parameters.get("inputs", {}).get("alpha", 0.05)),
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
    with transaction.atomic():
        locked = Experiment.objects.select_for_update().get(pk=experiment_id)
        locked.design_parameters = {**locked.design_parameters, "simulation": summary}
        locked.save(update_fields=["design_parameters"])
        audit.record_event(
            actor=None, action="experiment.power_simulated", obj=locked, after=summary
        )
    reporter.succeed(summary)
    return {"status": "done"}


@task()
def plan_from_history(
    experiment_id: int, progress_id: str, inputs: dict[str, Any], seed: int, actor_id: int
) -> dict[str, Any]:
    """Run placebo trials on the primary outcome's past and keep the plan as the design."""
    from infuse.adaption.analysis import MappingError
    from infuse.adaption.history import load_history
    from infuse.adaption.models import Experiment
    from infuse.adaption.quasi_design import QuasiInputs, plan
    from infuse.adaption.services import save_design
    from infuse.core.errors import Conflict, PermissionDenied
    from infuse.core.models import Person

    reporter = ProgressReporter(progress_id)
    if not reporter.claim():
        return {"status": "already-claimed"}
    reporter.start(message=gettext_noop("Running placebo trials on past data"))
    experiment = Experiment.objects.get(pk=experiment_id)
    actor = Person.objects.get(pk=actor_id)
    planned = QuasiInputs.from_dict(inputs)
    treated = sorted(experiment.councils.values_list("gss_code", flat=True))
    try:
        history = load_history(
            experiment,
            actor=actor,
            council_column=planned.council_column,
            period_column=planned.period_column,
        )
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
    summary = {
        "method": f"placebo_power:{result.method}",
        "power": planned.power,
        "effect": result.minimum_detectable_effect,
        "history": result.to_dict(),
        "source": history.source,
        "periods": history.periods,
        "councils": history.council_summary(set(treated)),
        "unmatched": history.unmatched,
        "seed": seed,
    }
    experiment.refresh_from_db()  # registered meanwhile? then the plan is not kept
    try:
        save_design(
            actor=actor, experiment=experiment, parameters=planned.to_dict(), result=summary
        )
    except (Conflict, PermissionDenied):
        reporter.fail(gettext_noop("The experiment can no longer be changed: plan not kept"))
        return {"status": "failed"}
    reporter.succeed({"minimum_detectable_effect": result.minimum_detectable_effect})
    return {"status": "done"}
