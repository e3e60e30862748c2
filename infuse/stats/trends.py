"""Is an indicator's recent trend real? Tests for a linear trend over its last few periods.

Why tests and not the eye: with small numbers a council's value wanders from year to year, and
a line drawn through five noisy points looks like a trend whichever way it tilts. The
public-health profiles mark a recent trend only when a test finds one, and so do we.

* :func:`proportion_trend_test`: the chi-squared test for trend in proportions (Armitage
  1955; the Cochran–Armitage test), for percentages with their numerators and denominators.
  Its statistic equals R's ``prop.trend.test``.
* :func:`weighted_trend_test`: a weighted least-squares line through values with known
  standard errors (weights ``1 / se**2``; the slope's variance is ``1 / Sxx``, not rescaled by
  the residuals), for rates and counts whose intervals give their standard errors.

Both take the periods' scores (equally spaced 0, 1, 2… by default) and report the slope per
period on the values' own scale, the statistic, its p-value and the direction at ``alpha``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from infuse.stats._common import FloatArray

__all__ = ["TrendDirection", "TrendTest", "proportion_trend_test", "weighted_trend_test"]

TrendDirection = Literal["increasing", "decreasing", "no_significant_change"]


@dataclass(frozen=True, slots=True)
class TrendTest:
    """A test for a linear trend.

    Attributes
    ----------
    method : ``"chi_squared_trend"`` or ``"weighted_regression"``.
    slope : the fitted change per unit of score, on the values' scale (a proportion per period
        for :func:`proportion_trend_test`).
    statistic : chi-squared on one degree of freedom, or the slope's z.
    p_value : two-sided.
    direction : ``"increasing"`` or ``"decreasing"`` when ``p_value < alpha``, else
        ``"no_significant_change"``.
    n_points, alpha : how many periods were tested, at which level.
    """

    method: str
    slope: float
    statistic: float
    p_value: float
    direction: TrendDirection
    n_points: int
    alpha: float


def _scores(scores: ArrayLike | None, k: int) -> FloatArray:
    s = np.arange(k, dtype=float) if scores is None else np.asarray(scores, dtype=float)
    if s.shape != (k,) or not np.all(np.isfinite(s)):
        raise ValueError("scores must be finite and one per point")
    if np.ptp(s) == 0:
        raise ValueError("scores must not all be equal")
    return s


def _direction(slope: float, p_value: float, alpha: float) -> TrendDirection:
    if not p_value < alpha:
        return "no_significant_change"
    return "increasing" if slope > 0 else "decreasing"


def _check(k: int, alpha: float) -> None:
    if k < 3:
        raise ValueError("a trend test needs at least three points")
    if not 0 < alpha < 1:
        raise ValueError("alpha must be between 0 and 1")


def proportion_trend_test(
    numerators: ArrayLike,
    denominators: ArrayLike,
    scores: ArrayLike | None = None,
    *,
    alpha: float = 0.05,
) -> TrendTest:
    """The chi-squared test for a linear trend in proportions ``numerators / denominators``.

    ``T = sum x_i (s_i - s̄)`` with ``s̄`` the denominator-weighted mean score, and
    ``chi2 = T**2 / (p̄ (1 - p̄) sum n_i (s_i - s̄)**2)`` with ``p̄`` the pooled proportion; the
    slope ``T / sum n_i (s_i - s̄)**2`` is the denominator-weighted least-squares line.
    """
    x = np.asarray(numerators, dtype=float)
    n = np.asarray(denominators, dtype=float)
    if x.ndim != 1 or n.shape != x.shape:
        raise ValueError("numerators and denominators must be 1-D and of the same length")
    _check(x.size, alpha)
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(n))):
        raise ValueError("numerators and denominators must be finite")
    if np.any(n <= 0) or np.any(x < 0) or np.any(x > n):
        raise ValueError("each numerator must lie between 0 and its positive denominator")
    s = _scores(scores, x.size)
    total = float(n.sum())
    pooled = float(x.sum()) / total
    centred = s - (n * s).sum() / total
    sxx = float((n * centred**2).sum())
    t = float((x * centred).sum())
    slope = t / sxx
    if pooled in (0.0, 1.0):  # every proportion 0 or every one 1: no variation, no trend
        return TrendTest("chi_squared_trend", 0.0, 0.0, 1.0, "no_significant_change", x.size, alpha)
    chi2 = t**2 / (pooled * (1.0 - pooled) * sxx)
    p_value = float(stats.chi2.sf(chi2, 1))
    return TrendTest(
        "chi_squared_trend",
        slope,
        float(chi2),
        p_value,
        _direction(slope, p_value, alpha),
        x.size,
        alpha,
    )


def weighted_trend_test(
    values: ArrayLike,
    standard_errors: ArrayLike,
    scores: ArrayLike | None = None,
    *,
    alpha: float = 0.05,
) -> TrendTest:
    """The inverse-variance weighted least-squares slope of ``values`` on ``scores``, tested
    with ``z = slope / sqrt(1 / Sxx)`` (the standard errors taken as known)."""
    y = np.asarray(values, dtype=float)
    se = np.asarray(standard_errors, dtype=float)
    if y.ndim != 1 or se.shape != y.shape:
        raise ValueError("values and standard_errors must be 1-D and of the same length")
    _check(y.size, alpha)
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(se)) and np.all(se > 0)):
        raise ValueError("values must be finite and standard errors finite and positive")
    s = _scores(scores, y.size)
    w = 1.0 / se**2
    centred = s - (w * s).sum() / w.sum()
    sxx = float((w * centred**2).sum())
    slope = float((w * centred * y).sum() / sxx)
    z = slope * np.sqrt(sxx)
    p_value = float(2.0 * stats.norm.sf(abs(z)))
    return TrendTest(
        "weighted_regression",
        slope,
        float(z),
        p_value,
        _direction(slope, p_value, alpha),
        y.size,
        alpha,
    )
