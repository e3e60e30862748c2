"""Evaluating a contract's outcome: the councils with the contract against those without, on
an indicator's values before and after the contract began.

Difference in differences (two-way fixed effects, clustered by council, with the wild cluster
bootstrap because there are only ten councils) compares the change in the councils with the
contract with the change in the others. Synthetic control pools the councils with the contract
into one series and builds its counterfactual from a weighted mix of the others, over the
periods in which every council has a value; its p-value is the in-space placebo rank, which with
n councils to compare with can be no smaller than 1/(n + 1). The period that holds the
contract's first day counts as after. Only values the public may see are used (the caller
passes them), so a published effect can never be solved for a hidden count.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_noop

from infuse import stats
from infuse.core import lazy
from infuse.datalab.indicators.periods import position

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy.module("pandas")

POOLED = "with-the-contract"  # the synthetic control's one treated unit: the pooled councils


class EvaluationProblem(Exception):
    """Why the values cannot answer the question (a message key with its values)."""

    def __init__(self, message: str, params: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message, self.params = message, params or {}


@dataclass(frozen=True)
class Panel:
    frame: pd.DataFrame  # council, time, y, treated (0/1), D (treated and after)
    labels: list[str]  # the periods, oldest first
    start: int  # the index of the first period after the contract began
    treated: list[str]
    comparison: list[str]


def build_panel(
    values: Sequence[tuple[str, str, float]],
    *,
    treated: set[str],
    began: dt.date,
    grain: str,
) -> Panel:
    """The panel of (council GSS code, period label, value) rows, or the reason there is none."""
    labels = sorted({period for _, period, _ in values})
    at = position(began, labels, grain)
    if at is None:
        raise EvaluationProblem(gettext_noop("The indicator's periods cannot be placed in time."))
    start = math.floor(at)
    if start >= len(labels):
        raise EvaluationProblem(
            gettext_noop(
                "The indicator has no values yet from after the contract began on %(day)s: "
                "evaluate it once a period after that day is published."
            ),
            {"day": began.isoformat()},
        )
    if start == 0:
        raise EvaluationProblem(
            gettext_noop("The indicator has no values from before the contract began.")
        )
    index = {label: i for i, label in enumerate(labels)}
    frame = pd.DataFrame(
        [(council, index[period], value) for council, period, value in values],
        columns=["council", "time", "y"],
    )
    frame["treated"] = frame["council"].isin(treated).astype(int)
    frame["D"] = ((frame["treated"] == 1) & (frame["time"] >= start)).astype(int)
    with_contract = sorted(set(frame.loc[frame["treated"] == 1, "council"]))
    without = sorted(set(frame.loc[frame["treated"] == 0, "council"]))
    if not with_contract:
        raise EvaluationProblem(
            gettext_noop("None of the contract's councils has values for this indicator.")
        )
    if not without:
        raise EvaluationProblem(
            gettext_noop(
                "Every council with values has the contract: none is left to compare with."
            )
        )
    return Panel(frame, labels, start, with_contract, without)


def evaluate(panel: Panel, method: str, *, seed: int) -> tuple[stats.EstimateResult, Any]:
    """The effect (and the method's whole result, for the record) by ``method``."""
    if method == "synthetic_control":
        return _synthetic_control(panel)
    fitted_did = stats.twfe_did(
        panel.frame,
        unit="council",
        time="time",
        outcome="y",
        treatment="D",
        wild_bootstrap_seed=seed,
    )
    return fitted_did, fitted_did


def _synthetic_control(panel: Panel) -> tuple[stats.EstimateResult, Any]:
    """The councils with the contract pooled into one series, against a weighted mix of the
    others, over the periods in which every council has a value (a donor needs a whole series,
    and a pooled series of changing members would not be one series)."""
    data = panel.frame
    councils = data["council"].nunique()
    counted = data.groupby("time")["council"].nunique()
    times = sorted(t for t, n in counted.items() if n == councils)
    if sum(t < panel.start for t in times) < 2 or not any(t >= panel.start for t in times):
        raise EvaluationProblem(
            gettext_noop(
                "Synthetic control needs every council's value in at least two periods before "
                "the contract began and one after; use difference in differences."
            )
        )
    kept = data[data["time"].isin(times)]
    pooled = kept[kept["treated"] == 1].groupby("time", as_index=False)["y"].mean()
    pooled["council"] = POOLED
    donors = kept[kept["treated"] == 0][["council", "time", "y"]]
    fitted = stats.synthetic_control(
        pd.concat([pooled, donors], ignore_index=True),
        unit="council",
        time="time",
        outcome="y",
        treated_unit=POOLED,
        intervention_time=panel.start,
        donors=panel.comparison,
    )
    return fitted.effect, fitted
