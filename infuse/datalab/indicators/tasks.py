"""Background work of the indicators: computing an indicator's values on the latest version.

Queued when an indicator is defined and again for every new version of its dataset (by the
ingest, which sits above this slice). The values are replaced in one transaction, keeping the
flags people set on a council and period.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.utils.translation import gettext_noop

from infuse.core import audit, files
from infuse.core.models import Council, TaskProgress
from infuse.core.progress import ProgressReporter, enqueue_tracked
from infuse.datalab.indicators import publishing
from infuse.datalab.indicators.values import Computation, compute
from infuse.datalab.models import BenchmarkValue, DatasetVersion, Indicator, IndicatorValue

logger = logging.getLogger(__name__)


def queue_indicator(indicator: Indicator, *, owner: Any) -> TaskProgress:
    """Queue an indicator's computation, with progress its pages and the API can follow."""
    progress = TaskProgress.objects.create(
        kind="datalab.indicator",
        owner=owner,
        subject_view="datalab:indicator",
        subject_kwargs={"slug": indicator.slug},
    )
    enqueue_tracked(progress, compute_indicator, indicator.pk, str(progress.pk))
    indicator.progress = progress
    indicator.save(update_fields=["progress"])
    return progress


@task()
def compute_indicator(indicator_id: int, progress_id: str) -> dict[str, Any]:
    """Compute and store an indicator's values on the latest version of its dataset."""
    reporter = ProgressReporter(progress_id)
    if not reporter.claim():
        return {"status": "already-claimed"}
    reporter.start(message=gettext_noop("Computing the indicator"))
    indicator = Indicator.objects.select_related("dataset").get(pk=indicator_id)
    version = indicator.dataset.latest_version
    if version is None:
        reporter.fail(gettext_noop("The dataset has no data yet"))
        return {"status": "no-data"}
    councils = {c.gss_code: c for c in Council.objects.all()}
    try:
        computation = compute(
            files.resolve(version.parquet_path),
            indicator.specification,
            [(c.gss_code, c.name_en, c.name_cy or c.name_en) for c in councils.values()],
            engine=settings.ANALYTICS_ENGINE,
            spark_master=settings.SPARK_MASTER,
            recipe=version.recipe_steps,
            benchmark=indicator.benchmark,
        )
    except Exception as error:
        logger.exception("Indicator %s failed", indicator.pk)
        reporter.fail(f"{type(error).__name__}: {error}")
        raise
    _store(indicator, version, computation, councils)
    outcome = {"values": len(computation.values), "excluded_areas": indicator.excluded_areas}
    reporter.succeed(outcome)
    return outcome


#: Areas left out kept by name on an indicator (a column of small areas, LSOAs or GP
#: practices, may hold thousands); the rest are counted.
EXCLUDED_AREAS_KEPT = 50


def excluded_areas(unmatched: list[tuple[str, int]]) -> dict[str, Any]:
    """The areas a computation left out, as the indicator keeps them (most rows first)."""
    kept, rest = unmatched[:EXCLUDED_AREAS_KEPT], unmatched[EXCLUDED_AREAS_KEPT:]
    return {
        "areas": [{"area": area, "rows": rows} for area, rows in kept],
        "more_areas": len(rest),
        "more_rows": sum(rows for _area, rows in rest),
    }


def _store(
    indicator: Indicator,
    version: DatasetVersion,
    computation: Computation,
    councils: dict[str, Council],
) -> None:
    """Replace the indicator's values with the computation's, in one transaction."""
    with transaction.atomic():
        # Flags people set (provisional, estimated…) stay with their council and period.
        flags: dict[tuple[int | None, str], str] = {
            (council_id, period): flag
            for council_id, period, flag in IndicatorValue.objects.filter(indicator=indicator)
            .exclude(flag="")
            .values_list("council_id", "period", "flag")
        }
        IndicatorValue.objects.filter(indicator=indicator).delete()
        rows = []
        for v in computation.values:
            council = councils[v.council_gss] if v.council_gss else None
            rows.append(
                IndicatorValue(
                    indicator=indicator,
                    version=version,
                    council=council,
                    period=v.period,
                    numerator=v.numerator,
                    denominator=v.denominator,
                    value=v.value,
                    ci_low=v.ci_low,
                    ci_high=v.ci_high,
                    comparison=v.comparison,
                    flag=flags.get((council.pk if council else None, v.period), ""),
                    data_flag=v.flag,
                )
            )
        IndicatorValue.objects.bulk_create(rows)
        indicator.excluded_areas = excluded_areas(computation.unmatched_councils)
        indicator.save(update_fields=["excluded_areas"])
        publishing.refresh_disclosure(indicator)
        BenchmarkValue.objects.filter(indicator=indicator).delete()
        BenchmarkValue.objects.bulk_create(
            BenchmarkValue(
                indicator=indicator,
                area_code=b.council_gss or "",
                period=b.period,
                numerator=b.numerator,
                denominator=b.denominator,
                value=b.value,
                ci_low=b.ci_low,
                ci_high=b.ci_high,
            )
            for b in [*computation.benchmarks, *computation.compared_with]
        )
        audit.record_event(
            actor=None,
            action="indicator.computed",
            obj=indicator,
            after={
                "version": version.number,
                "values": len(computation.values),
                "benchmark_values": len(computation.benchmarks),
                "compared_with": indicator.benchmark or {"kind": "region"},
                "excluded_areas": indicator.excluded_areas,
            },
        )
