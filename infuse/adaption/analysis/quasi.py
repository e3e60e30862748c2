"""The registered analysis of a quasi-experiment, where nothing was randomised.

The experiment's councils are treated from ``mapping["start"]`` (a period number); councils in
the data that are not in the experiment are the comparison. Difference in differences: two-way
fixed effects, CR2 by council. Interrupted time series: segmented regression of the treated
councils' mean, Newey-West errors, the level change. Synthetic control: the first treated
council against a weighted mix of the others, with the in-space placebo p-value. The result has
the same shape as a randomised experiment's (see :mod:`infuse.adaption.analysis.results`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_noop

from infuse import stats
from infuse.adaption.analysis.frame import NO_COLUMN
from infuse.adaption.analysis.results import AnalysisResult, ArmFlow, Flow, QuasiDetails
from infuse.adaption.models import Design
from infuse.adaption.registry.outcome_data import MappingError
from infuse.core import lazy
from infuse.core.councils import council_lookup, resolve_council

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy.module("pandas")

QUASI = frozenset(
    {Design.DIFFERENCE_IN_DIFFERENCES, Design.INTERRUPTED_TIME_SERIES, Design.SYNTHETIC_CONTROL}
)


def _panel(
    frame: pd.DataFrame,
    mapping: Mapping[str, Any],
    treated: set[str],
    councils: Sequence[tuple[str, str, str]],
) -> tuple[pd.DataFrame, float]:
    """Council, time, outcome and exposure (``D``) per row, and the start of the intervention."""
    for key in ("outcome", "cluster", "period"):
        name = mapping.get(key)
        if not name:
            raise MappingError(
                key, gettext_noop("Choose the columns of the outcome, the council and the period")
            )
        if name not in frame.columns:
            raise MappingError(key, NO_COLUMN, {"column": name})
    try:
        start = float(mapping.get("start", ""))
    except ValueError:
        raise MappingError(
            "start", gettext_noop("Give the first period of the intervention as a number")
        ) from None
    lookup = council_lookup(councils)
    data = pd.DataFrame(
        {
            "council": frame[mapping["cluster"]].map(lambda v: resolve_council(v, lookup)),
            "time": pd.to_numeric(frame[mapping["period"]], errors="coerce"),
            "y": pd.to_numeric(frame[mapping["outcome"]], errors="coerce"),
        }
    ).dropna()
    if data.empty:
        raise MappingError(
            "period", gettext_noop("No rows have a council, a numeric period and an outcome")
        )
    data["treated"] = data["council"].isin(treated).astype(int)
    if not data["treated"].any():
        raise MappingError(
            "cluster", gettext_noop("None of the experiment's councils is in the data")
        )
    data["D"] = ((data["treated"] == 1) & (data["time"] >= start)).astype(int)
    return data, start


def _effect(
    design: str, data: pd.DataFrame, start: float, treated: set[str], comparison: list[str]
) -> tuple[stats.EstimateResult, QuasiDetails]:
    """The primary effect by the design's method, and what else that method reports."""
    details = QuasiDetails(start=start, comparison=tuple(comparison))
    if design == Design.INTERRUPTED_TIME_SERIES:
        series = data[data["treated"] == 1].groupby("time", as_index=False)["y"].mean()
        fitted = stats.interrupted_time_series(
            series["y"].to_numpy(float), series["time"].to_numpy(float), interruption=start
        )
        return fitted.level_change, replace(details, slope_change=fitted.slope_change)
    if not comparison:
        raise MappingError(
            "cluster",
            gettext_noop("The data needs councils outside the experiment to compare with"),
        )
    if design == Design.SYNTHETIC_CONTROL:
        fitted_sc = stats.synthetic_control(
            data,
            unit="council",
            time="time",
            outcome="y",
            treated_unit=sorted(treated & set(data["council"]))[0],
            intervention_time=start,
            # The other experiment councils are treated too: never donors.
            donors=comparison,
        )
        fit = replace(details, weights=dict(fitted_sc.weights), pre_rmspe=fitted_sc.pre_rmspe)
        return fitted_sc.effect, fit
    fitted_did = stats.twfe_did(data, unit="council", time="time", outcome="y", treatment="D")
    return fitted_did, details


def _flow(data: pd.DataFrame) -> Flow:
    """Councils and rows in each group (nothing is lost: rows without data were left out)."""
    counts = data.groupby("treated")["council"].nunique().to_dict()
    return Flow(
        unit="council",
        arms=tuple(
            ArmFlow(
                arm=label,
                allocated=int(counts.get(code, 0)),
                received=int((data["treated"] == code).sum()),
                lost=0,
                analysed=int((data["treated"] == code).sum()),
            )
            for label, code in (("control", 0), ("treatment", 1))
        ),
    )


def analyse_quasi(
    frame: pd.DataFrame,
    *,
    design: str,
    mapping: Mapping[str, Any],
    treated: Sequence[str],
    councils: Sequence[tuple[str, str, str]],
) -> AnalysisResult:
    """Run the quasi-experiment's analysis; returns what the pages, the API and the report
    show (nothing was randomised: no randomisation test, no sample-ratio check)."""
    treated_set = set(treated)
    data, start = _panel(frame, mapping, treated_set, councils)
    comparison = sorted(set(data["council"]) - treated_set)
    primary, details = _effect(design, data, start, treated_set, comparison)
    return AnalysisResult(
        design=design,
        outcome=mapping["outcome"],
        primary=primary,
        flow=_flow(data),
        rows=len(data),
        quasi=details,
    )
