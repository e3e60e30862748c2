"""Background work of the analysis: the registered analysis, run on a Data Lab version.
Queued by :func:`infuse.adaption.analysis.services.attach_data`."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.tasks import task
from django.utils.translation import gettext_noop

from infuse import stats
from infuse.adaption.analysis.frame import prepare
from infuse.adaption.analysis.quasi import QUASI, analyse_quasi
from infuse.adaption.analysis.randomised import analyse
from infuse.adaption.analysis.results import AnalysisResult
from infuse.adaption.models import AnalysisRun
from infuse.adaption.registry.outcome_data import MappingError, council_names
from infuse.analytics.quoting import select_columns
from infuse.core import audit, lazy
from infuse.core.progress import ProgressReporter
from infuse.datalab.catalogue import services as data

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy.module("pandas")

logger = logging.getLogger(__name__)


def _columns(mapping: dict[str, Any]) -> list[str]:
    names = [mapping.get(k) for k in ("unit", "arm", "outcome", "cluster", "period")]
    names += list(mapping.get("secondary", [])) + list(mapping.get("covariates", []))
    return list(dict.fromkeys(n for n in names if n))


def _result(run: AnalysisRun, frame: pd.DataFrame) -> AnalysisResult:
    """The design's analysis of the rows read."""
    experiment = run.experiment
    councils = council_names()
    if experiment.design in QUASI:
        return analyse_quasi(
            frame,
            design=experiment.design,
            mapping=run.mapping,
            treated=[c.gss_code for c in experiment.councils.all()],
            councils=councils,
        )
    allocation = experiment.latest_allocation
    assert allocation is not None  # attach_data needs one for a randomised design
    prepared = prepare(
        frame, run.mapping, design=experiment.design, allocation=allocation.drawn, councils=councils
    )
    return analyse(
        prepared,
        design=experiment.design,
        mapping=run.mapping,
        allocation=allocation.drawn,
        council_names={gss: english for gss, english, _welsh in councils},
        seed=allocation.seed,
    )


def _finish(run: AnalysisRun, result: AnalysisResult, reporter: ProgressReporter) -> dict[str, Any]:
    """Keep the result (in its JSON form) and audit it, together."""
    with transaction.atomic():
        AnalysisRun.objects.filter(pk=run.pk).update(
            state=AnalysisRun.State.DONE, result=result.to_json()
        )
        audit.record_event(
            actor=run.created_by,
            action="experiment.analysed",
            obj=run.experiment,
            after=stats.json_ready(
                {
                    "analysis": run.pk,
                    "protocol": run.protocol.version,
                    "estimate": result.primary.estimate,
                    "p_value": result.primary.p_value,
                }
            ),
        )
    reporter.succeed({"analysis": run.pk})
    return {"status": "done"}


@task()
def run_analysis(run_id: int, progress_id: str) -> dict[str, Any]:
    """Read the mapped columns, run the design's analysis, keep the result or the reason."""
    reporter = ProgressReporter(progress_id)
    if not reporter.claim():
        return {"status": "already-claimed"}
    reporter.start(message=gettext_noop("Running the registered analysis"))
    run = AnalysisRun.objects.select_related("experiment", "dataset_version", "protocol").get(
        pk=run_id
    )
    AnalysisRun.objects.filter(pk=run.pk).update(state=AnalysisRun.State.RUNNING)
    try:
        wanted = select_columns(_columns(run.mapping))
        with data.reading_version(run.dataset_version) as connection:
            frame = connection.sql(f"SELECT {wanted} FROM data").df()  # noqa: S608 - quoted
        result = _result(run, frame)
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
