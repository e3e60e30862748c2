"""Argument checks, the noncentral-t power and the root finder shared by the calculators."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal

import numpy as np
from scipy import optimize, stats

from infuse.stats._common import FEW_CLUSTERS
from infuse.stats.results import StatWarning

__all__: list[str] = []


def check_alpha(alpha: float) -> float:
    if not isinstance(alpha, int | float) or not 0.0 < float(alpha) < 1.0:
        raise ValueError(f"alpha must be a number strictly between 0 and 1, got {alpha!r}")
    return float(alpha)


def check_target_power(power: float | None) -> None:
    if power is not None and not 0.0 < float(power) < 1.0:
        raise ValueError(f"power must be strictly between 0 and 1, got {power!r}")


def check_positive(name: str, value: float | None, *, allow_none: bool = True) -> None:
    if value is None:
        if not allow_none:
            raise ValueError(f"{name} is required")
        return
    if not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if not float(value) > 0.0 or not math.isfinite(float(value)):
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")


def check_icc(icc: float) -> None:
    if not 0.0 <= icc < 1.0:
        raise ValueError(f"icc must be in [0, 1), got {icc!r}")


def check_proportions(**named: float | None) -> None:
    """Refuse a given proportion outside (0, 1); ``None`` (to be solved for) passes."""
    for name, p in named.items():
        if p is not None and not 0.0 < float(p) < 1.0:
            raise ValueError(f"{name} must be strictly between 0 and 1, got {p!r}")


def exactly_one_missing(**named: object) -> str:
    missing = [name for name, value in named.items() if value is None]
    if len(missing) != 1:
        raise ValueError(
            "exactly one of " + ", ".join(named) + " must be None (the quantity to solve for); "
            f"got {len(missing)} missing: {missing}"
        )
    return missing[0]


def t_power(ncp: float, df: float, alpha: float) -> float:
    """Power of a two-sided level-``alpha`` t test to reject in the direction of the effect.

    The statistic is noncentral t(df, ncp) with ``ncp >= 0``; power is ``P(T > t_{1-a/2})``.
    Rejections in the wrong direction are not counted as detecting the effect (they are
    below 1e-6 at any useful power); this is the convention of R's ``power.t.test`` and of
    ``clusterPower``, so published examples are reproduced digit for digit.
    """
    if math.isinf(df):
        return float(stats.norm.sf(float(stats.norm.isf(alpha / 2)) - ncp))
    tcrit = float(stats.t.isf(alpha / 2, df))
    value = float(stats.nct.sf(tcrit, df, ncp))
    if math.isnan(value):  # scipy's nct can fail far in the tail, where power is ~1
        value = float(stats.norm.sf(tcrit - ncp))
    return value


def solve_increasing(
    func: Callable[[float], float], target: float, low: float, high: float, *, limit: float = 1e9
) -> float:
    """Root of ``func(x) = target`` for ``func`` increasing in ``x``; widens ``high`` if needed."""
    while func(high) < target:
        if high >= limit:
            raise ValueError("the target power cannot be reached within the search range")
        high = min(high * 4.0, limit)
    if func(low) >= target:
        return low
    return float(optimize.brentq(lambda x: func(x) - target, low, high, xtol=1e-10, rtol=1e-12))


def few_clusters_warning(
    total_clusters: float, reference: Literal["t", "normal"] = "t"
) -> tuple[StatWarning, ...]:
    if total_clusters < FEW_CLUSTERS:
        basis = (
            "the t reference distribution and the ICC guess"
            if reference == "t"
            else "a normal approximation that ignores estimating the variance components; "
            "check the planned analysis by simulation"
        )
        return (
            StatWarning(
                "few_clusters",
                f"{total_clusters:g} clusters in total (fewer than {FEW_CLUSTERS}): power rests "
                f"on {basis}; plan randomisation inference for the analysis.",
            ),
        )
    return ()


def solve_alternative_proportion(
    power_at: Callable[[float], float],
    p_control: float,
    power: float,
    direction: Literal["increase", "decrease"] | str,
) -> float:
    """The treatment proportion, above or below ``p_control``, at which ``power_at`` reaches
    ``power`` (the minimum detectable proportion in that direction)."""
    if direction not in ("increase", "decrease"):
        raise ValueError("direction must be 'increase' or 'decrease'")
    sign = 1.0 if direction == "increase" else -1.0
    room = (1 - p_control) if sign > 0 else p_control
    delta = solve_increasing(
        lambda x: power_at(p_control + sign * x), power, 1e-12, room - 1e-12, limit=room
    )
    return p_control + sign * delta


def rounded_arms(n_control: float, ratio: float) -> dict[str, int]:
    """A solved (fractional) control arm and its treatment arm, rounded up to whole units."""
    return {
        "n_control": math.ceil(n_control - 1e-9),
        "n_treatment": math.ceil(ratio * n_control - 1e-9),
    }
