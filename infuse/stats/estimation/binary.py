"""Effects on a binary outcome: risk difference, risk ratio and odds ratio."""

from __future__ import annotations

import math
from typing import Any, Literal, NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from infuse.stats._common import check_conf_level, float_vector, wald_interval
from infuse.stats.estimation._inputs import ZERO_VARIANCE, as_treatment
from infuse.stats.results import EstimateResult, StatWarning

__all__ = ["binary_effect", "binary_effect_from_counts"]


BinaryMeasure = Literal["risk_difference", "risk_ratio", "odds_ratio"]


def binary_effect(
    y: ArrayLike,
    treatment: ArrayLike,
    *,
    measure: BinaryMeasure = "risk_difference",
    conf_level: float = 0.95,
) -> EstimateResult:
    """Risk difference, risk ratio or odds ratio for a 0/1 outcome.

    Parameters
    ----------
    y : 0/1 (or boolean) outcome per unit.
    treatment : 0/1 assignment per unit.
    measure : ``"risk_difference"``, ``"risk_ratio"`` or ``"odds_ratio"``.
    conf_level : interval level.

    Returns
    -------
    EstimateResult, computed from the 2 x 2 table by :func:`binary_effect_from_counts`
    (Wald RD; Katz 1978 log RR; Woolf 1955 log OR).
    """
    yv = float_vector(y, "y")
    if not np.all((yv == 0) | (yv == 1)):
        raise ValueError("a binary outcome must contain only 0 and 1")
    z = as_treatment(treatment, yv.shape[0])
    return binary_effect_from_counts(
        int(yv[z].sum()),
        int(z.sum()),
        int(yv[~z].sum()),
        int((~z).sum()),
        measure=measure,
        conf_level=conf_level,
    )


def binary_effect_from_counts(
    events_treated: int,
    n_treated: int,
    events_control: int,
    n_control: int,
    *,
    measure: BinaryMeasure = "risk_difference",
    conf_level: float = 0.95,
) -> EstimateResult:
    """Effect on a binary outcome from the 2 x 2 table.

    Parameters
    ----------
    events_treated, n_treated, events_control, n_control : the 2 x 2 table as counts.
    measure : ``"risk_difference"``, ``"risk_ratio"`` or ``"odds_ratio"``.
    conf_level : interval level.

    Returns
    -------
    EstimateResult; ratios are on the natural scale (estimate, CI), with ``std_error`` the SE
    of the log ratio (stated in ``extra["std_error_scale"]``).

    Notes
    -----
    * Risk difference: ``p1 - p0``, Wald ``SE^2 = p1(1-p1)/n1 + p0(1-p0)/n0``.
    * Risk ratio: ``p1/p0``, ``SE(log RR)^2 = 1/a - 1/n1 + 1/c - 1/n0`` (Katz, D. et al. 1978
      "Obtaining confidence intervals for the risk ratio in cohort studies", Biometrics 34).
    * Odds ratio: ``ad/(bc)``, ``SE(log OR)^2 = 1/a + 1/b + 1/c + 1/d`` (Woolf, B. 1955 "On
      estimating the relation between blood group and disease", Ann Hum Genet 19).
    Normal reference throughout. A zero cell makes the ratio SEs infinite: 0.5 is then added to
    every cell (Haldane–Anscombe) and a ``zero_cell`` warning is attached.
    """
    check_conf_level(conf_level)
    _check_table(events_treated, n_treated, events_control, n_control)
    a, c = float(events_treated), float(events_control)
    b, d = float(n_treated - events_treated), float(n_control - events_control)
    if measure == "risk_difference":
        effect = _risk_difference(a, b, c, d, conf_level)
    elif measure in ("risk_ratio", "odds_ratio"):
        effect = _log_ratio(measure, a, b, c, d, conf_level)
    else:
        raise ValueError("measure must be 'risk_difference', 'risk_ratio' or 'odds_ratio'")
    low, high, p = effect.interval
    return EstimateResult(
        estimate=effect.value,
        std_error=effect.se,
        ci_low=low,
        ci_high=high,
        p_value=p,
        method=effect.method,
        effect_measure=measure,
        n_units=int(n_treated + n_control),
        conf_level=conf_level,
        df=None,
        assumptions=(
            "units independently assigned",
            "large-sample normal approximation",
        ),
        warnings=effect.warnings,
        extra={
            "risk_treated": a / (a + b),
            "risk_control": c / (c + d),
            "table": [[int(a), int(b)], [int(c), int(d)]],
            **effect.details,
        },
    )


def _check_table(events_treated: int, n_treated: int, events_control: int, n_control: int) -> None:
    counts = (events_treated, n_treated, events_control, n_control)
    if any(not isinstance(c, int | np.integer) for c in counts):
        raise TypeError("counts must be integers")
    if n_treated <= 0 or n_control <= 0:
        raise ValueError("both arms need at least one unit")
    if not (0 <= events_treated <= n_treated and 0 <= events_control <= n_control):
        raise ValueError("events must be between 0 and the arm size")


_ZERO_CELL = StatWarning("zero_cell", "a cell of the 2x2 table is zero: 0.5 added to each cell")


class _Effect(NamedTuple):
    """One measure of the 2 x 2 table: the value, its standard error (on the log scale for
    ratios), ``(low, high, p)`` on the reported scale, the method and what to add to the
    result's warnings and ``extra``."""

    value: float
    se: float
    interval: tuple[float, float, float]
    method: str
    warnings: tuple[StatWarning, ...]
    details: dict[str, Any]


def _risk_difference(a: float, b: float, c: float, d: float, conf_level: float) -> _Effect:
    """``p1 - p0`` with the Wald standard error ``sqrt(p1 q1 / n1 + p0 q0 / n0)``."""
    n1, n0 = a + b, c + d
    p1, p0 = a / n1, c / n0
    estimate = p1 - p0
    se = math.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
    warns = () if se > 0 else (ZERO_VARIANCE,)
    details = {"std_error_scale": "risk_difference"}
    interval = wald_interval(estimate, se, None, conf_level)
    return _Effect(estimate, se, interval, "wald_risk_difference", warns, details)


def _log_ratio(measure: str, a: float, b: float, c: float, d: float, conf_level: float) -> _Effect:
    """Risk ratio (Katz) or odds ratio (Woolf): Wald on the log scale, reported on the natural
    scale; a zero cell adds 0.5 to every cell (Haldane-Anscombe)."""
    warns: tuple[StatWarning, ...] = ()
    if min(a, b, c, d) == 0:
        warns = (
            StatWarning("zero_cell", "a cell of the 2x2 table is zero: 0.5 added to each cell"),
        )
        a, b, c, d = a + 0.5, b + 0.5, c + 0.5, d + 0.5
    n1, n0 = a + b, c + d
    if measure == "risk_ratio":
        log_est = math.log((a / n1) / (c / n0))
        se = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n0)
        method = "katz_log_risk_ratio"
    else:
        log_est = math.log((a * d) / (b * c))
        se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
        method = "woolf_log_odds_ratio"
    log_low, log_high, p = wald_interval(log_est, se, None, conf_level)
    details = {"std_error_scale": "log", "log_estimate": log_est}
    interval = (math.exp(log_low), math.exp(log_high), p)
    return _Effect(math.exp(log_est), se, interval, method, warns, details)
