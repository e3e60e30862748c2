"""The primary outcome's past, as a council × period panel, for planning a quasi-experiment.

A quasi-experiment's power comes from how its outcome behaved before (see
:func:`infuse.stats.placebo_power`), so the design page reads the outcome's own history: an
indicator's values per council and period (as the person may see them: disclosure control
applies), or a dataset column averaged per council and period. Periods are numbers when the
period column holds numbers (years, month numbers), otherwise their labels in sorted order.
Problems are :class:`~infuse.adaption.registry.outcome_data.MappingError` with the form field to
fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_noop

from infuse.adaption.design.schemas import HistoryPlanIn
from infuse.adaption.design.stored import PastCouncil
from infuse.adaption.models import Experiment, Outcome
from infuse.adaption.registry.outcome_data import MappingError, column_names, council_names
from infuse.analytics.quoting import quote_identifier
from infuse.core import lazy
from infuse.core.councils import council_lookup, resolve_council
from infuse.core.models import Council
from infuse.datalab.catalogue import services as data
from infuse.datalab.indicators.publishing import shown_frame, shown_periods

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy.module("pandas")


@dataclass(frozen=True)
class History:
    frame: pd.DataFrame  # council (GSS code), time (float), y
    periods: list[str]  # the label of each time, in order
    source: dict[str, Any]  # what was read: indicator or dataset column, and its version
    unmatched: list[str]  # values of the council column that name no council

    def council_summary(self, treated: set[str]) -> tuple[PastCouncil, ...]:
        """Per council: in the experiment or a comparison, periods with data, mean and SD."""
        names = dict(Council.objects.values_list("gss_code", "name_en"))
        welsh = dict(Council.objects.values_list("gss_code", "name_cy"))
        stats = self.frame.groupby("council")["y"].agg(["count", "mean", "std"])
        return tuple(
            PastCouncil(
                gss=gss,
                name_en=names.get(gss, gss),
                name_cy=welsh.get(gss) or names.get(gss, gss),
                treated=gss in treated,
                periods=int(row["count"]),
                mean=float(row["mean"]),
                sd=None if pd.isna(row["std"]) else float(row["std"]),
            )
            for gss, row in sorted(
                stats.iterrows(), key=lambda item: (item[0] not in treated, item[0])
            )
        )


def primary_outcome(experiment: Experiment) -> Outcome:
    outcome = (
        experiment.outcomes.filter(kind=Outcome.Kind.PRIMARY)
        .select_related("dataset", "indicator")
        .first()
    )
    if outcome is None or not (outcome.indicator_id or (outcome.dataset_id and outcome.column)):
        raise MappingError(
            "source",
            gettext_noop(
                "Link the primary outcome to a Data Lab indicator or dataset column first: "
                "its past values are what the plan is worked out from"
            ),
        )
    return outcome


def _ordered(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Number the periods: their own values when numeric, else their sorted labels 1, 2, …"""
    numeric = pd.to_numeric(frame["period"], errors="coerce")
    if numeric.notna().all():
        frame = frame.assign(time=numeric.astype(float))
        labels = [f"{t:g}" for t in sorted(frame["time"].unique())]
        return frame, labels
    labels = sorted(frame["period"].astype(str).unique())
    index = {label: float(i) for i, label in enumerate(labels, start=1)}
    return frame.assign(time=frame["period"].astype(str).map(index)), labels


def _indicator_rows(actor: Any, outcome: Outcome) -> tuple[pd.DataFrame, dict[str, Any], list[str]]:
    """An indicator's values by council and period, as the person may see them."""
    assert outcome.indicator is not None
    indicator = data.get_indicator(actor=actor, slug=outcome.indicator.slug)
    shown = shown_frame(shown_periods(indicator, actor))
    shown = shown[shown["area_code"] != ""]
    raw = pd.DataFrame(
        {"council": shown["area_code"], "period": shown["period"], "y": shown["value"]}
    )
    return raw, {"indicator": indicator.slug}, []


def _dataset_rows(
    actor: Any, outcome: Outcome, council_column: str, period_column: str
) -> tuple[pd.DataFrame, dict[str, Any], list[str]]:
    """A dataset column averaged by council and period; councils named as people write them."""
    assert outcome.dataset is not None  # primary_outcome() checked
    dataset = data.get_dataset(actor=actor, slug=outcome.dataset.slug)
    version = dataset.latest_version
    if version is None:
        raise MappingError("source", gettext_noop("The outcome's dataset has no data yet"))
    columns = column_names(version)
    for name, value in (("council_column", council_column), ("period_column", period_column)):
        if not value:
            raise MappingError(
                name, gettext_noop("Choose the columns with the council and the period")
            )
        if value not in columns:
            raise MappingError(
                name, gettext_noop("The data has no column ‘%(column)s’"), {"column": value}
            )
    if outcome.column not in columns:
        raise MappingError(
            "source",
            gettext_noop("The data has no column ‘%(column)s’"),
            {"column": outcome.column},
        )
    council, period, value = (
        quote_identifier(name) for name in (council_column, period_column, outcome.column)
    )
    with data.reading_version(version) as connection:
        raw = connection.sql(
            f"SELECT CAST({council} AS VARCHAR) AS council, "  # noqa: S608 - quoted names
            f"CAST({period} AS VARCHAR) AS period, "
            f"avg(TRY_CAST({value} AS DOUBLE)) AS y FROM data GROUP BY 1, 2"
        ).df()
    lookup = council_lookup(council_names())
    resolved = raw["council"].map(lambda v: resolve_council(v, lookup))
    unmatched = sorted({str(v) for v in raw.loc[resolved.isna(), "council"].dropna()})[:10]
    source = {
        "dataset": dataset.slug,
        "column": outcome.column,
        "version": version.number,
        "council_column": council_column,
        "period_column": period_column,
    }
    return raw.assign(council=resolved), source, unmatched


def load_history(experiment: Experiment, *, actor: Any, plan_in: HistoryPlanIn) -> History:
    """The primary outcome's past values by council and period, as ``actor`` may read them
    (a dataset's from the plan's council and period columns)."""
    outcome = primary_outcome(experiment)
    if outcome.indicator is not None:
        raw, source, unmatched = _indicator_rows(actor, outcome)
    else:
        raw, source, unmatched = _dataset_rows(
            actor, outcome, plan_in.council_column, plan_in.period_column
        )
    raw = raw.dropna(subset=["council", "period", "y"])
    if raw.empty:
        raise MappingError(
            "source", gettext_noop("No rows have a council, a period and an outcome value")
        )
    frame, labels = _ordered(raw)
    return History(
        frame=frame[["council", "time", "y"]].reset_index(drop=True),
        periods=labels,
        source=source,
        unmatched=unmatched,
    )
