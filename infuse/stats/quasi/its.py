"""Interrupted time series: segmented regression with Newey-West (HAC) standard errors.

Why this method: when one council (or the whole region) changes a service at a known date and
no comparison group exists, the pre-interruption trend is the best available counterfactual.
Segmented regression estimates how far the series jumps at the interruption (level change) and
how much its trend bends (slope change). Monthly or yearly public-service series are
autocorrelated, so ordinary least-squares standard errors are too small; Newey-West
heteroscedasticity- and autocorrelation-consistent (HAC) standard errors correct that without
having to model the autocorrelation.

Model (Wagner et al. 2002; Lopez Bernal, Cummins & Gasparrini 2017; Linden 2015)::

    y_t = b0 + b1 (t - t_first) + b2 post_t + b3 (t - T0) post_t
          + sum_k [c_k sin(2 pi k s_t / P) + d_k cos(2 pi k s_t / P)] + e_t

where ``post_t = 1[t >= T0]`` and ``T0`` is the first time point under the intervention, ``s_t``
the season (e.g. month) and ``P`` the seasonal period. ``b2`` is the level change at ``T0`` and
``b3`` the change in slope per time unit. The coding of ``b1`` and ``b3`` is that of Linden's
Stata ``itsa`` command, so estimates are directly comparable with published ``itsa`` output.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from infuse.stats._common import FloatArray, require_columns, wald_estimate
from infuse.stats.results import EstimateResult, StatWarning, json_ready

__all__ = [
    "ComparativeInterruptedTimeSeriesResult",
    "InterruptedTimeSeriesResult",
    "comparative_interrupted_time_series",
    "interrupted_time_series",
    "newey_west_covariance",
    "newey_west_default_lags",
]

# Penfold & Zhang (2013) and Lopez Bernal et al. (2017) suggest at least eight observations
# on each side of the interruption for a segmented regression to be informative.
_MIN_POINTS_PER_SEGMENT = 8


@dataclass(frozen=True, slots=True)
class InterruptedTimeSeriesResult:
    """Level and slope change of a segmented regression, with the design that produced them.

    Attributes
    ----------
    level_change : the jump at the interruption (``b2``).
    slope_change : the change of slope per time unit (``b3``); None when the model was fitted
        without a slope-change term.
    coefficients : every coefficient of the design by name.
    std_errors : HAC standard errors by name.
    hac_lags : the Newey-West truncation lag used.
    lag_rule : how ``hac_lags`` was chosen (stated so the result can be reproduced).
    interruption : first time point under the intervention (``T0``).
    fitted, counterfactual : fitted values and the pre-trend extrapolation (with the same
        seasonal terms) at every observed time, in time order.
    durbin_watson : Durbin-Watson statistic of the residuals (2 means no lag-1 autocorrelation).
    """

    level_change: EstimateResult
    slope_change: EstimateResult | None
    coefficients: dict[str, float]
    std_errors: dict[str, float]
    hac_lags: int
    lag_rule: str
    interruption: float
    time: tuple[float, ...]
    fitted: tuple[float, ...]
    counterfactual: tuple[float, ...]
    durbin_watson: float
    warnings: tuple[StatWarning, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (NaN and infinities become ``None``)."""
        out: dict[str, Any] = json_ready(asdict(self))
        return out


def newey_west_default_lags(n_obs: int) -> int:
    """Newey & West's (1994) rule of thumb for the Bartlett truncation lag.

    ``L = floor(4 (n / 100)^(2/9))`` — the default of statsmodels and of many textbooks. It grows
    slowly with the series length so that short public-service series keep a small lag.

    Reference: Newey W.K. & West K.D. (1994) "Automatic lag selection in covariance matrix
    estimation", Review of Economic Studies 61(4):631-653.
    """
    if n_obs < 1:
        raise ValueError("n_obs must be positive")
    return math.floor(4.0 * (n_obs / 100.0) ** (2.0 / 9.0))


def newey_west_covariance(
    design: NDArray[np.float64],
    residuals: NDArray[np.float64],
    lags: int,
    *,
    small_sample: bool = True,
    groups: ArrayLike | None = None,
) -> NDArray[np.float64]:
    """Newey-West HAC covariance of OLS coefficients for equally spaced series.

    Parameters
    ----------
    design : (n, k) design matrix in time order (within each group when ``groups`` is given).
    residuals : (n,) OLS residuals in the same order.
    lags : Bartlett truncation lag ``L`` (0 gives White's heteroscedasticity-robust matrix).
    small_sample : multiply by ``n / (n - k)`` as Stata's ``newey`` does; small series are
        the norm in local government, and the correction errs on the side of honesty.
    groups : (n,) panel labels, rows of a panel contiguous and in time order. Autocovariances
        are then taken within panels only (Stata ``newey`` on ``tsset`` panel data, statsmodels
        ``cov_type="hac-panel"``): panels are independent, each autocorrelated.

    Returns
    -------
    (k, k) covariance ``(X'X)^-1 S (X'X)^-1`` with
    ``S = G_0 + sum_{l=1..L} w_l (G_l + G_l')``, ``G_l = sum_t u_t u_{t-l}'`` (within panels),
    ``u_t = x_t e_t`` and Bartlett weights ``w_l = 1 - l / (L + 1)``.

    Reference: Newey W.K. & West K.D. (1987) "A simple, positive semi-definite,
    heteroskedasticity and autocorrelation consistent covariance matrix", Econometrica 55(3).
    """
    x = np.asarray(design, dtype=np.float64)
    e = np.asarray(residuals, dtype=np.float64)
    if x.ndim != 2 or e.ndim != 1 or x.shape[0] != e.shape[0]:
        raise ValueError("design must be (n, k) and residuals (n,) with the same n")
    if lags < 0:
        raise ValueError("lags must be non-negative")
    n, k = x.shape
    labels = None if groups is None else np.asarray(groups)
    if labels is not None and labels.shape != (n,):
        raise ValueError("groups must have one label per row")
    scores = x * e[:, None]
    meat = scores.T @ scores
    # A loop over lags (a handful), not over rows: each term is one matrix product.
    for lag in range(1, min(lags, n - 1) + 1):
        weight = 1.0 - lag / (lags + 1.0)
        earlier = scores[:-lag]
        if labels is not None:
            earlier = earlier * (labels[lag:] == labels[:-lag])[:, None]
        gamma = scores[lag:].T @ earlier
        meat += weight * (gamma + gamma.T)
    bread = np.linalg.pinv(x.T @ x)
    cov: NDArray[np.float64] = bread @ meat @ bread
    if small_sample and n > k:
        cov *= n / (n - k)
    return cov


def interrupted_time_series(
    outcome: ArrayLike,
    time: ArrayLike,
    *,
    interruption: float,
    slope_change: bool = True,
    season: ArrayLike | None = None,
    seasonal_period: float | None = None,
    n_harmonics: int = 0,
    hac_lags: int | None = None,
    conf_level: float = 0.95,
) -> InterruptedTimeSeriesResult:
    """Segmented regression of one time series around a known interruption.

    Parameters
    ----------
    outcome : (n,) values of the series (a rate, a mean, a count treated as continuous).
    time : (n,) numeric, equally spaced time points (e.g. 1..60 for months, or years). One
        observation per time point; the data are sorted by time before fitting.
    interruption : ``T0``, the first time point at which the intervention is in force
        (Linden's ``trperiod``). Observations with ``time >= T0`` are "post".
    slope_change : include the ``(t - T0) post`` term. Set False for a step-change-only model.
    season, seasonal_period, n_harmonics : optional Fourier seasonality — ``n_harmonics`` pairs
        of sine/cosine terms of ``season`` (defaults to ``time``) with period ``seasonal_period``
        (12 for months), as in Lopez Bernal et al.'s ``harmonic(month, 2, 12)``.
    hac_lags : Newey-West truncation lag. None uses ``floor(4 (n/100)^(2/9))`` (Newey & West
        1994); the rule used is recorded in ``lag_rule``.
    conf_level : confidence level of the intervals.

    Returns
    -------
    InterruptedTimeSeriesResult with ``level_change`` (``b2``) and ``slope_change`` (``b3``) as
    :class:`EstimateResult` values. Inference uses HAC standard errors with Stata's
    ``n/(n-k)`` correction and a t reference distribution with ``n - k`` degrees of freedom.

    Assumptions: the pre-interruption trend (and seasonality) would have continued without the
    intervention; no other event coincides with ``T0``; the series is stationary around the
    segmented trend, with autocorrelation that dies out within ``hac_lags`` periods.

    References
    ----------
    Wagner A.K., Soumerai S.B., Zhang F., Ross-Degnan D. (2002) "Segmented regression analysis of
    interrupted time series studies in medication use research", J Clin Pharm Ther 27:299-309.
    Lopez Bernal J., Cummins S., Gasparrini A. (2017) "Interrupted time series regression for the
    evaluation of public health interventions: a tutorial", Int J Epidemiol 46(1):348-355.
    Linden A. (2015) "Conducting interrupted time-series analysis for single- and multiple-group
    comparisons", Stata Journal 15(2):480-500.
    """
    y, t = _finite_series(outcome, time)
    _check_options(conf_level, n_harmonics, seasonal_period, hac_lags)
    y, t, s = _in_time_order(y, t, season)
    post = (t >= interruption).astype(np.float64)
    n_pre, n_post = int((post == 0).sum()), int(post.sum())
    if n_pre < 2 or n_post < 1 + int(slope_change):
        raise ValueError(
            "need at least 2 pre-interruption points and enough post points for the model"
        )
    names, x = _segmented_design(
        t, s, post, interruption, slope_change, n_harmonics, seasonal_period
    )
    n, k = x.shape
    if n <= k:
        raise ValueError(f"{n} observations cannot identify {k} coefficients")
    beta, *_ = np.linalg.lstsq(x, y, rcond=None)
    fitted = x @ beta
    resid = y - fitted
    lags, lag_rule = _hac_lags(hac_lags, n, "n")
    se = _hac_standard_errors(x, resid, lags)
    rss = float(resid @ resid)
    dw = float(np.sum(np.diff(resid) ** 2)) / rss if rss > 0 else math.nan
    warnings = (
        *_spacing_warning(t),
        *_few_points_warning(n_pre, n_post, ""),
        *_fit_warnings(x, rss, y),
    )
    fields = _its_fields(n, lags, warnings)
    extra: dict[str, Any] = {
        "design": names,
        "hac_lags": lags,
        "lag_rule": lag_rule,
        "n_pre": n_pre,
        "n_post": n_post,
        "interruption": float(interruption),
        "durbin_watson": dw,
    }
    hac = _HacFit(beta, se, float(n - k), conf_level)
    counterfactual_beta = beta.copy()
    counterfactual_beta[2] = 0.0
    if slope_change:
        counterfactual_beta[3] = 0.0
    return InterruptedTimeSeriesResult(
        level_change=hac.estimate(2, "level_change", extra=dict(extra), **fields),
        slope_change=(
            hac.estimate(3, "slope_change", extra=dict(extra), **fields) if slope_change else None
        ),
        coefficients=_by_name(names, beta),
        std_errors=_by_name(names, se),
        hac_lags=lags,
        lag_rule=lag_rule,
        interruption=float(interruption),
        time=tuple(t.tolist()),
        fitted=tuple(fitted.tolist()),
        counterfactual=tuple((x @ counterfactual_beta).tolist()),
        durbin_watson=dw,
        warnings=warnings,
        extra={"design": names},
    )


def _spacing_warning(t: FloatArray) -> tuple[StatWarning, ...]:
    steps = np.diff(t)
    if steps.size and not np.allclose(steps, steps[0]):
        return (
            StatWarning(
                "unequal_spacing",
                "Time points are not equally spaced; Newey-West lags count observations, "
                "not time units.",
            ),
        )
    return ()


def _fit_warnings(x: FloatArray, rss: float, y: FloatArray) -> tuple[StatWarning, ...]:
    """A rank-deficient design, or an exact fit (no uncertainty left to estimate)."""
    warnings: list[StatWarning] = []
    if np.linalg.matrix_rank(x) < x.shape[1]:
        warnings.append(StatWarning("collinear_design", "The design matrix is rank deficient."))
    if rss <= 1e-20 * max(1.0, float(y @ y)):
        warnings.append(
            StatWarning("zero_residual_variance", "The model fits exactly; no uncertainty.")
        )
    return tuple(warnings)


def _its_fields(n: int, lags: int, warnings: tuple[StatWarning, ...]) -> dict[str, Any]:
    """What the level- and slope-change results share: method, size, assumptions, warnings."""
    return {
        "method": "interrupted_time_series_newey_west",
        "n_units": n,
        "assumptions": (
            "The pre-interruption trend and seasonality would have continued without the "
            "intervention.",
            "No other change coincides with the interruption.",
            f"Residual autocorrelation dies out within {lags} lags (Newey-West, Bartlett kernel).",
        ),
        "warnings": warnings,
    }


def _check_options(
    conf_level: float, n_harmonics: int, seasonal_period: float | None, hac_lags: int | None
) -> None:
    if not 0.0 < conf_level < 1.0:
        raise ValueError("conf_level must lie strictly between 0 and 1")
    if n_harmonics < 0:
        raise ValueError("n_harmonics must be non-negative")
    if n_harmonics > 0 and (seasonal_period is None or seasonal_period <= 0):
        raise ValueError("seasonal_period must be positive when n_harmonics > 0")
    if hac_lags is not None and hac_lags < 0:
        raise ValueError("hac_lags must be non-negative")


def _finite_series(outcome: ArrayLike, time: ArrayLike) -> tuple[FloatArray, FloatArray]:
    y = np.asarray(outcome, dtype=np.float64)
    t = np.asarray(time, dtype=np.float64)
    if y.ndim != 1 or t.ndim != 1 or y.shape != t.shape:
        raise ValueError("outcome and time must be one-dimensional arrays of the same length")
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(t))):
        raise ValueError("outcome and time must be finite (remove missing values first)")
    return y, t


def _in_time_order(
    y: FloatArray, t: FloatArray, season: ArrayLike | None
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Outcome, time and season (default: time) sorted by time, one observation per time."""
    order = np.argsort(t, kind="stable")
    y, t = y[order], t[order]
    if np.any(np.diff(t) == 0):
        raise ValueError("time must not repeat: one observation per time point")
    s = t if season is None else np.asarray(season, dtype=np.float64)[order]
    if s.shape != t.shape:
        raise ValueError("season must have the same length as time")
    return y, t, s


def _segmented_design(
    t: FloatArray,
    s: FloatArray,
    post: FloatArray,
    interruption: float,
    slope_change: bool,
    n_harmonics: int,
    seasonal_period: float | None,
) -> tuple[list[str], FloatArray]:
    """Names and columns of the segmented regression, with Fourier seasonal terms of ``s``."""
    names = ["intercept", "pre_trend", "level_change"]
    columns = [np.ones_like(t), t - t[0], post]
    if slope_change:
        names.append("slope_change")
        columns.append((t - interruption) * post)
    for harmonic in range(1, n_harmonics + 1):
        angle = 2.0 * np.pi * harmonic * s / float(seasonal_period or 1.0)
        names += [f"sin{harmonic}", f"cos{harmonic}"]
        columns += [np.sin(angle), np.cos(angle)]
    return names, np.column_stack(columns)


@dataclass(frozen=True, slots=True)
class ComparativeInterruptedTimeSeriesResult:
    """Difference between a treated series and comparison series in level and slope change.

    Attributes
    ----------
    level_change_difference : treated minus comparison change in level at the interruption.
    slope_change_difference : treated minus comparison change in slope.
    treated_level_change, treated_slope_change : the treated unit's own changes (point values).
    coefficients, std_errors : every coefficient of the pooled design by name.
    hac_lags, lag_rule : Newey-West truncation lag (within each unit's series) and its rule.
    """

    level_change_difference: EstimateResult
    slope_change_difference: EstimateResult
    treated_level_change: float
    treated_slope_change: float
    coefficients: dict[str, float]
    std_errors: dict[str, float]
    hac_lags: int
    lag_rule: str
    interruption: float
    n_comparison_units: int
    warnings: tuple[StatWarning, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (NaN and infinities become ``None``)."""
        out: dict[str, Any] = json_ready(asdict(self))
        return out


def comparative_interrupted_time_series(
    data: pd.DataFrame,
    *,
    unit: str,
    time: str,
    outcome: str,
    treated_unit: Any,
    interruption: float,
    comparison_units: Sequence[Any] | None = None,
    hac_lags: int | None = None,
    conf_level: float = 0.95,
) -> ComparativeInterruptedTimeSeriesResult:
    """Interrupted time series of a treated unit against comparison units (multiple-group ITSA).

    Pooled segmented regression (Linden 2015, model 2)::

        y_it = b0 + b1 T + b2 X + b3 X T* + b4 Z + b5 Z T + b6 Z X + b7 Z X T* + e_it

    with ``T = t - t_first``, ``X = 1[t >= T0]``, ``T* = (t - T0) X`` and ``Z = 1`` for the
    treated unit. ``b6`` and ``b7`` are the treated-minus-comparison differences in level and
    slope change: a comparison series removes shocks common to all units at ``T0`` that a
    single-series ITS would attribute to the intervention. Standard errors are Newey-West within
    each unit's series (units independent), with the ``n/(n-k)`` factor and t(n - k) reference,
    as Stata's ``newey`` on panel data, which Linden's ``itsa`` uses.

    Parameters
    ----------
    data : long panel, one row per unit and time (numeric, equally spaced times).
    unit, time, outcome : column names.
    treated_unit : label of the treated unit.
    interruption : first time under the intervention.
    comparison_units : default all other units.
    hac_lags : Newey-West lag; None uses floor(4 (T/100)^(2/9)) with T the series length.
    conf_level : confidence level.

    Returns
    -------
    ComparativeInterruptedTimeSeriesResult.

    Reference: Linden A. (2015) "Conducting interrupted time-series analysis for single- and
    multiple-group comparisons", Stata Journal 15(2):480-500.
    """
    require_columns(data, (unit, time, outcome))
    if not 0.0 < conf_level < 1.0:
        raise ValueError("conf_level must lie strictly between 0 and 1")
    frame, controls = _comparison_panel(data, unit, time, outcome, treated_unit, comparison_units)
    t = frame[time].to_numpy(dtype=np.float64)
    z = (frame[unit] == treated_unit).to_numpy(dtype=np.float64)
    post = (t >= interruption).astype(np.float64)
    x = np.column_stack([np.ones_like(t), t - t.min(), post, (t - interruption) * post])
    x = np.column_stack([x, x * z[:, None]])
    n, k = x.shape
    if np.linalg.matrix_rank(x) < k:
        raise ValueError("the design is rank deficient: check both sides of the interruption")
    beta, *_ = np.linalg.lstsq(x, frame[outcome].to_numpy(dtype=np.float64), rcond=None)
    resid = frame[outcome].to_numpy(dtype=np.float64) - x @ beta
    series_length = int(frame.groupby(unit)[time].size().max())
    lags, lag_rule = _hac_lags(hac_lags, series_length, "T")
    se = _hac_standard_errors(x, resid, lags, groups=frame[unit].to_numpy())
    treated_t = t[z == 1]
    n_pre, n_post = int((treated_t < interruption).sum()), int((treated_t >= interruption).sum())
    warnings = _few_points_warning(n_pre, n_post, " for the treated unit")
    hac = _HacFit(beta, se, float(n - k), conf_level)
    fields = {
        "method": "comparative_interrupted_time_series_newey_west",
        "n_units": n,
        "n_clusters": len(controls) + 1,
        "assumptions": (
            "Without the intervention the treated unit's level and trend would have changed at "
            "the interruption as the comparison units' did.",
            "Units are independent; each series' autocorrelation dies out within "
            f"{lags} lags (Newey-West within units).",
        ),
        "warnings": warnings,
    }
    names = list(_COMPARATIVE_DESIGN)
    extra = {"hac_lags": lags, "lag_rule": lag_rule, "design": names}
    return ComparativeInterruptedTimeSeriesResult(
        level_change_difference=hac.estimate(6, "level_change_difference", extra=extra, **fields),
        slope_change_difference=hac.estimate(
            7, "slope_change_difference", extra=dict(extra), **fields
        ),
        treated_level_change=float(beta[2] + beta[6]),
        treated_slope_change=float(beta[3] + beta[7]),
        coefficients=_by_name(names, beta),
        std_errors=_by_name(names, se),
        hac_lags=lags,
        lag_rule=lag_rule,
        interruption=float(interruption),
        n_comparison_units=len(controls),
        warnings=warnings,
    )


_COMPARATIVE_DESIGN = (
    "intercept",
    "pre_trend",
    "level_change",
    "slope_change",
    "treated",
    "treated_x_pre_trend",
    "treated_x_level_change",
    "treated_x_slope_change",
)


def _comparison_panel(
    data: pd.DataFrame,
    unit: str,
    time: str,
    outcome: str,
    treated_unit: Any,
    comparison_units: Sequence[Any] | None,
) -> tuple[pd.DataFrame, list[Any]]:
    """The treated unit's and the comparison units' rows (sorted by unit and time) and the
    comparison units."""
    labels = data[unit]
    if not (labels == treated_unit).any():
        raise ValueError(f"treated unit {treated_unit!r} is not in the data")
    controls = (
        [u for u in pd.unique(labels) if u != treated_unit]
        if comparison_units is None
        else [u for u in comparison_units if u != treated_unit]
    )
    if not controls:
        raise ValueError("at least one comparison unit is needed")
    frame = data[labels.isin([treated_unit, *controls])][[unit, time, outcome]].dropna()
    if frame.duplicated([unit, time]).any():
        raise ValueError("the panel must have one row per unit and time")
    return frame.sort_values([unit, time], kind="stable"), controls


# ----------------------------------------------------------------------------- shared pieces


def _hac_lags(hac_lags: int | None, length: int, symbol: str) -> tuple[int, str]:
    """The Newey-West lag (the 1994 rule on ``length`` unless given) and how it was chosen."""
    if hac_lags is not None:
        return int(hac_lags), "user supplied"
    rule = f"Newey-West (1994) rule floor(4 ({symbol}/100)^(2/9))"
    if symbol == "T":
        rule += ", T = series length"
    return newey_west_default_lags(length), rule


def _hac_standard_errors(
    x: FloatArray, resid: FloatArray, lags: int, groups: ArrayLike | None = None
) -> FloatArray:
    cov = newey_west_covariance(x, resid, lags, groups=groups)
    return np.asarray(np.sqrt(np.clip(np.diag(cov), 0.0, None)), dtype=np.float64)


def _few_points_warning(n_pre: int, n_post: int, whose: str) -> tuple[StatWarning, ...]:
    if min(n_pre, n_post) >= _MIN_POINTS_PER_SEGMENT:
        return ()
    return (
        StatWarning(
            "few_time_points",
            f"{n_pre} pre and {n_post} post observations{whose}; at least "
            f"{_MIN_POINTS_PER_SEGMENT} on each side are recommended.",
        ),
    )


@dataclass(frozen=True)
class _HacFit:
    """Coefficients and HAC standard errors, referred to t(``df``) (Stata ``newey``)."""

    beta: FloatArray
    se: FloatArray
    df: float
    conf_level: float

    def estimate(self, index: int, measure: str, **fields: Any) -> EstimateResult:
        """One coefficient as an EstimateResult; no interval when its SE is zero."""
        err = float(self.se[index])
        return wald_estimate(
            float(self.beta[index]),
            err if err > 0 else math.nan,
            df=self.df,
            conf_level=self.conf_level,
            effect_measure=measure,
            **fields,
        )


def _by_name(names: Sequence[str], values: FloatArray) -> dict[str, float]:
    return {name: float(v) for name, v in zip(names, values, strict=True)}
