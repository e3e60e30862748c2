"""Planning a quasi-experiment (difference in differences, interrupted time series, synthetic
control) from the primary outcome's own past: how big an effect the registered analysis could
find, and whether its p-values hold up on this data (placebo trials in the history).

The checks here run before anything is queued, so the person gets a message naming the box to
fix; the engine's :func:`infuse.stats.placebo_power` does the work.
"""

from __future__ import annotations

import math
from typing import Any, Literal

from django.utils.translation import gettext as _

from infuse import stats
from infuse.adaption.design.history import History
from infuse.adaption.design.schemas import HistoryPlanIn
from infuse.adaption.models import Design
from infuse.core.errors import FieldProblem, InvalidInput

Method = Literal["did", "its", "synthetic_control"]
METHODS: dict[str, Method] = {
    Design.DIFFERENCE_IN_DIFFERENCES: "did",
    Design.INTERRUPTED_TIME_SERIES: "its",
    Design.SYNTHETIC_CONTROL: "synthetic_control",
}
MIN_PRE_PERIODS = {"did": 2, "its": 3, "synthetic_control": 5}
MAX_PLACEBOS = 200


def check(design: str, inputs: HistoryPlanIn, history: History, treated: set[str]) -> None:
    """Refuse plans the history cannot support, with the field to change."""
    method = METHODS[design]
    problems: list[FieldProblem] = []
    if not 0 < inputs.alpha < 0.5:
        problems.append(
            FieldProblem("alpha", _("The significance level must be between 0 and 0.5"))
        )
    if not 0 < inputs.power < 1:
        problems.append(FieldProblem("power", _("Power must be between 0 and 1")))
    if any(not math.isfinite(e) for e in inputs.effects):
        problems.append(FieldProblem("effects", _("Give the effects as numbers")))
    councils = set(history.frame["council"])
    if not councils & treated:
        problems.append(
            FieldProblem(
                "source",
                _("The past data has none of the experiment's councils: check the council column"),
            )
        )
    comparison = councils - treated
    needed = {"did": 1, "its": 0, "synthetic_control": 2}[method]
    if len(comparison) < needed:
        problems.append(
            FieldProblem(
                "source",
                _(
                    "This design compares with councils outside the experiment; the past data "
                    "has %(count)s of them and needs at least %(needed)s"
                )
                % {"count": len(comparison), "needed": needed},
            )
        )
    periods = len(history.periods)
    most = periods - MIN_PRE_PERIODS[method]
    if inputs.post_periods < 1 or inputs.post_periods > most:
        problems.append(
            FieldProblem(
                "post_periods",
                _(
                    "The past data has %(periods)s periods; with at least %(pre)s before each "
                    "pretend start, the periods after it must be from 1 to %(most)s"
                )
                % {"periods": periods, "pre": MIN_PRE_PERIODS[method], "most": max(most, 0)},
            )
        )
    if problems:
        raise InvalidInput(problems=problems)


def plan(
    design: str,
    inputs: HistoryPlanIn,
    history: History,
    treated: list[str],
    *,
    seed: int,
    progress: Any = None,
) -> stats.PlaceboPowerResult:
    """The engine's placebo trials of the registered analysis on the outcome's past."""
    return stats.placebo_power(
        history.frame,
        unit="council",
        time="time",
        outcome="y",
        method=METHODS[design],
        treated_units=treated,
        post_periods=inputs.post_periods,
        effects=tuple(inputs.effects) or None,
        alpha=inputs.alpha,
        target_power=inputs.power,
        min_pre_periods=MIN_PRE_PERIODS[METHODS[design]],
        max_placebos=MAX_PLACEBOS,
        seed=seed,
        progress=progress,
    )
