"""Pooling the effects of several experiments on one outcome: the random-effects model.

Why random effects: councils differ, so the experiments that tried one intervention estimate
different true effects; the model pools them as draws from a distribution with mean ``mu`` and
between-study variance ``tau2`` (DerSimonian & Laird 1986). ``tau2`` is estimated by REML
(the default; Viechtbauer 2005 recommends it) or by DerSimonian–Laird's moment estimator. With
few studies the usual normal interval is too narrow; the Hartung–Knapp(–Sidik–Jonkman)
adjustment rescales the variance by the weighted residual spread and uses ``t(k - 1)``
(IntHout, Ioannidis & Borm 2014).

Heterogeneity is reported as Cochran's ``Q`` (fixed-effect weights), ``I2`` (Higgins &
Thompson 2002: the share of the spread that is not sampling error) and ``tau2``; the prediction
interval for the effect in a new setting follows Higgins, Thompson & Spiegelhalter (2009).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike
from scipy import optimize, stats

from infuse.stats._common import FloatArray

__all__ = ["MetaAnalysisResult", "TauMethod", "random_effects_meta_analysis"]

TauMethod = Literal["reml", "dersimonian_laird"]


@dataclass(frozen=True, slots=True)
class MetaAnalysisResult:
    """A random-effects pooled estimate.

    Attributes
    ----------
    estimate, se, ci_low, ci_high, p_value : the pooled mean effect ``mu`` and its inference
        (normal, or ``t(k - 1)`` with the Hartung–Knapp adjustment).
    tau2 : between-study variance; ``tau2_method`` how it was estimated.
    q, q_df, q_p_value : Cochran's heterogeneity test (fixed-effect weights).
    i2 : ``max(0, (Q - df) / Q)``, from 0 to 1.
    prediction_low, prediction_high : where the effect in a new setting is expected to lie
        (``t(k - 2)``; None with fewer than three studies).
    weights : each study's share of the pooled estimate (random-effects weights, summing to 1).
    hartung_knapp, alpha, n_studies : how it was computed.
    """

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    p_value: float
    tau2: float
    tau2_method: str
    q: float
    q_df: int
    q_p_value: float
    i2: float
    prediction_low: float | None
    prediction_high: float | None
    weights: tuple[float, ...]
    hartung_knapp: bool
    alpha: float
    n_studies: int


def _checked(estimates: ArrayLike, standard_errors: ArrayLike) -> tuple[FloatArray, FloatArray]:
    y = np.asarray(estimates, dtype=float)
    se = np.asarray(standard_errors, dtype=float)
    if y.ndim != 1 or se.shape != y.shape:
        raise ValueError("estimates and standard_errors must be 1-D and of the same length")
    if y.size < 2:
        raise ValueError("a meta-analysis needs at least two studies")
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(se)) and np.all(se > 0)):
        raise ValueError("estimates must be finite and standard errors finite and positive")
    return y, se**2


def _pooled(y: FloatArray, v: FloatArray, tau2: float) -> tuple[float, FloatArray]:
    w = 1.0 / (v + tau2)
    return float(np.sum(w * y) / np.sum(w)), w


def _tau2_dersimonian_laird(y: FloatArray, v: FloatArray) -> float:
    """The moment estimator: ``max(0, (Q - (k - 1)) / (S1 - S2 / S1))``."""
    mu, w = _pooled(y, v, 0.0)
    q = float(np.sum(w * (y - mu) ** 2))
    scale = float(np.sum(w) - np.sum(w**2) / np.sum(w))
    return max(0.0, (q - (y.size - 1)) / scale)


def _restricted_loglik(tau2: float, y: FloatArray, v: FloatArray) -> float:
    mu, w = _pooled(y, v, tau2)
    spread = float(np.sum(w * (y - mu) ** 2))
    return -0.5 * (float(np.sum(np.log(v + tau2))) + math.log(float(np.sum(w))) + spread)


def _tau2_reml(y: FloatArray, v: FloatArray) -> float:
    """The restricted maximum-likelihood estimate of ``tau2`` (on ``[0, upper]``, where
    ``upper`` is far beyond any spread the data can support)."""
    upper = 10.0 * float(np.var(y, ddof=1) + np.max(v)) + 1e-12
    found = optimize.minimize_scalar(
        lambda t: -_restricted_loglik(t, y, v),
        bounds=(0.0, upper),
        method="bounded",
        options={"xatol": 1e-12 * max(1.0, upper)},
    )
    best = float(found.x)
    # The bounded search stops just inside the bounds: a maximum at zero is zero.
    if _restricted_loglik(0.0, y, v) >= _restricted_loglik(best, y, v):
        return 0.0
    return best


def random_effects_meta_analysis(
    estimates: ArrayLike,
    standard_errors: ArrayLike,
    *,
    method: TauMethod = "reml",
    hartung_knapp: bool = False,
    alpha: float = 0.05,
) -> MetaAnalysisResult:
    """Pool study effects (on one scale: differences, log ratios) by a random-effects model.

    Parameters
    ----------
    estimates, standard_errors : each study's effect and its standard error.
    method : ``"reml"`` (default) or ``"dersimonian_laird"`` for ``tau2``.
    hartung_knapp : use the (modified) Hartung–Knapp variance and ``t(k - 1)`` for the interval
        and test; never narrower than the plain random-effects variance.
    alpha : two-sided level of the intervals.
    """
    if not 0.0 < alpha < 1.0:
        raise ValueError("alpha must be between 0 and 1")
    y, v = _checked(estimates, standard_errors)
    k = y.size
    if method == "reml":
        tau2 = _tau2_reml(y, v)
    elif method == "dersimonian_laird":
        tau2 = _tau2_dersimonian_laird(y, v)
    else:
        raise ValueError("method must be 'reml' or 'dersimonian_laird'")
    fixed_mu, fixed_w = _pooled(y, v, 0.0)
    q = float(np.sum(fixed_w * (y - fixed_mu) ** 2))
    mu, w = _pooled(y, v, tau2)
    if hartung_knapp:
        # The modified Hartung–Knapp (Röver et al. 2015): never narrower than the plain random-
        # effects variance, or studies that agree more closely than chance would predict give
        # a pooled interval far narrower than any study's (two estimates of 0.50 and 0.51,
        # each ± 0.4, would pool to 0.44–0.57).
        scale = max(1.0, float(np.sum(w * (y - mu) ** 2)) / (k - 1))
        variance = scale / float(np.sum(w))
        quantile = float(stats.t.ppf(1 - alpha / 2, k - 1))
        se = math.sqrt(variance)
        p_value = float(2 * stats.t.sf(abs(mu / se), k - 1)) if se > 0 else float(mu == 0)
    else:
        se = math.sqrt(1.0 / float(np.sum(w)))
        quantile = float(stats.norm.ppf(1 - alpha / 2))
        p_value = float(2 * stats.norm.sf(abs(mu / se)))
    prediction: tuple[float | None, float | None] = (None, None)
    if k >= 3:
        spread = float(stats.t.ppf(1 - alpha / 2, k - 2)) * math.sqrt(tau2 + se**2)
        prediction = (mu - spread, mu + spread)
    return MetaAnalysisResult(
        estimate=mu,
        se=se,
        ci_low=mu - quantile * se,
        ci_high=mu + quantile * se,
        p_value=p_value,
        tau2=tau2,
        tau2_method=method,
        q=q,
        q_df=k - 1,
        q_p_value=float(stats.chi2.sf(q, k - 1)),
        i2=max(0.0, (q - (k - 1)) / q) if q > 0 else 0.0,
        prediction_low=prediction[0],
        prediction_high=prediction[1],
        weights=tuple(float(x) for x in w / np.sum(w)),
        hartung_knapp=hartung_knapp,
        alpha=alpha,
        n_studies=k,
    )
