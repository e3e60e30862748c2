"""Effects on a binary outcome: risk difference, risk ratio and odds ratio."""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from infuse.stats.estimation._inputs import ZERO_VARIANCE, as_outcome, as_treatment, check_level
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
    yv = as_outcome(y)
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
    check_level(conf_level)
    counts = (events_treated, n_treated, events_control, n_control)
    if any(not isinstance(c, int | np.integer) for c in counts):
        raise TypeError("counts must be integers")
    if n_treated <= 0 or n_control <= 0:
        raise ValueError("both arms need at least one unit")
    if not (0 <= events_treated <= n_treated and 0 <= events_control <= n_control):
        raise ValueError("events must be between 0 and the arm size")
    a, c = float(events_treated), float(events_control)
    b, d = float(n_treated - events_treated), float(n_control - events_control)
    n1, n0 = float(n_treated), float(n_control)
    warns: list[StatWarning] = []
    z = float(stats.norm.ppf(0.5 + conf_level / 2.0))
    p1, p0 = a / n1, c / n0
    details: dict[str, Any] = {
        "risk_treated": p1,
        "risk_control": p0,
        "table": [[int(a), int(b)], [int(c), int(d)]],
    }
    if measure == "risk_difference":
        estimate = p1 - p0
        se = math.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
        if se > 0:
            low, high = estimate - z * se, estimate + z * se
            p = float(2 * stats.norm.sf(abs(estimate) / se))
        else:
            warns.append(ZERO_VARIANCE)
            low = high = p = float("nan")
        method = "wald_risk_difference"
        details["std_error_scale"] = "risk_difference"
    elif measure in ("risk_ratio", "odds_ratio"):
        if min(a, b, c, d) == 0:
            warns.append(
                StatWarning("zero_cell", "a cell of the 2x2 table is zero: 0.5 added to each cell")
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
        estimate = math.exp(log_est)
        low, high = math.exp(log_est - z * se), math.exp(log_est + z * se)
        p = float(2 * stats.norm.sf(abs(log_est) / se))
        details["std_error_scale"] = "log"
        details["log_estimate"] = log_est
    else:
        raise ValueError("measure must be 'risk_difference', 'risk_ratio' or 'odds_ratio'")
    return EstimateResult(
        estimate=estimate,
        std_error=se,
        ci_low=low,
        ci_high=high,
        p_value=p,
        method=method,
        effect_measure=measure,
        n_units=int(n_treated + n_control),
        conf_level=conf_level,
        df=None,
        assumptions=(
            "units independently assigned",
            "large-sample normal approximation",
        ),
        warnings=tuple(warns),
        extra=details,
    )
