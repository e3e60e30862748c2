"""Covariate-adjusted effects: Lin's (2013) interacted regression and CUPED."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from infuse.stats._common import (
    FloatArray,
    check_conf_level,
    deferred_module,
    float_vector,
    wald_estimate,
    with_warnings,
)
from infuse.stats.estimation._inputs import (
    TOO_FEW_UNITS,
    ZERO_VARIANCE,
    as_covariates,
    checked_trial,
    drop_constant,
)
from infuse.stats.estimation._moments import CHUNK, arm_means, chunks, dot
from infuse.stats.estimation.means import ArmSummary
from infuse.stats.results import EstimateResult, StatWarning

if TYPE_CHECKING:
    from infuse.stats.regression import ols
else:
    # Only Lin's regression fits OLS; CUPED works from per-arm sums, and a process that runs
    # CUPED alone should not pay for the regression module's scipy.stats.
    ols = deferred_module("infuse.stats.regression.ols")

__all__ = ["cuped_effect", "cuped_from_summary", "lin_adjusted_effect"]


def lin_adjusted_effect(
    y: ArrayLike,
    treatment: ArrayLike,
    covariates: ArrayLike,
    *,
    cluster: ArrayLike | None = None,
    conf_level: float = 0.95,
) -> EstimateResult:
    """Regression-adjusted effect with treatment-by-covariate interactions (Lin 2013).

    Parameters
    ----------
    y, treatment : outcome and 0/1 assignment per unit.
    covariates : pre-treatment covariates ``(n, k)`` (array, Series or DataFrame).
    cluster : cluster labels when assignment was by cluster (then CR2 with Bell–McCaffrey df).
    conf_level : interval level.

    Returns
    -------
    EstimateResult for the coefficient of ``T`` in ``y ~ 1 + T + Xc + T:Xc``.

    Notes
    -----
    Covariates are centred at their full-sample means, so the coefficient of ``T`` is the
    average treatment effect; the fully interacted fit cannot hurt asymptotic precision and
    with HC2 gives a conservative variance (Lin, W. 2013 "Agnostic notes on regression
    adjustments to experimental data: reexamining Freedman's critique", Ann. Appl. Stat. 7(1)).
    HC2 as in R ``estimatr::lm_lin``. Constant covariates are dropped with a warning.
    """
    yv, treated = checked_trial(y, treatment, conf_level)
    n = yv.shape[0]
    z = treated.astype(np.float64)
    X, names = as_covariates(covariates, n)
    X, names, dropped = drop_constant(X, names)
    warns: list[StatWarning] = []
    if dropped:
        warns.append(
            StatWarning("constant_covariate", f"covariates without variation dropped: {dropped}")
        )
    Xc = X - X.mean(axis=0)
    design = np.column_stack([np.ones(n), z, Xc, z[:, None] * Xc])
    coef_names = ["intercept", "treatment", *names, *[f"treatment:{nm}" for nm in names]]
    fit = ols.fit_ols(
        yv,
        design,
        cluster=cluster,
        se_type="CR2" if cluster is not None else "HC2",
        conf_level=conf_level,
        names=coef_names,
    )
    result = ols.coefficient_result(
        fit,
        "treatment",
        method="lin_interacted_regression",
        effect_measure="mean_difference",
        assumptions=("covariates measured before assignment",),
        extra={"covariates": names},
    )
    if warns:
        result = with_warnings(result, warns)
    return result


def cuped_effect(
    y: ArrayLike,
    treatment: ArrayLike,
    pre: ArrayLike,
    *,
    se_type: Literal["HC1", "HC2", "classical"] = "HC2",
    conf_level: float = 0.95,
) -> EstimateResult:
    """CUPED: difference in means after removing the part predicted by a pre-period covariate.

    Parameters
    ----------
    y : outcome per unit.
    treatment : 0/1 assignment.
    pre : the same metric measured before assignment (or any pre-treatment covariate).
    se_type : ``"HC2"`` (default), ``"HC1"`` or ``"classical"``.
    conf_level : interval level.

    Returns
    -------
    EstimateResult; ``extra`` holds ``theta`` and the variance reduction relative to the
    unadjusted Welch difference.

    Notes
    -----
    ``tau = (ybar1 - ybar0) - theta (xbar1 - xbar0)`` with ``theta`` the pooled within-arm slope
    ``sum_arms sum (x - xbar_a)(y - ybar_a) / sum_arms sum (x - xbar_a)^2`` (Deng, A., Xu, Y.,
    Kohavi, R. & Walker, T. 2013 "Improving the sensitivity of online controlled experiments
    by utilizing pre-experiment data", WSDM). With this ``theta`` the estimate is exactly the
    coefficient of ``T`` in OLS ``y ~ 1 + T + x``, and the variances below are exactly OLS's,
    computed in the equivalent parametrisation ``[D0, D1, x - xbar_arm]`` whose cross-product
    matrix is diagonal; residual moments come from per-arm sums, so no design matrix or QR is
    formed (10 million rows cost a few vector passes). HC2 needs the leverages
    ``1/n_a + (x - xbar_a)^2 / Sxx``.
    """
    yv, z = checked_trial(y, treatment, conf_level)
    n = yv.shape[0]
    x = float_vector(pre, "pre")
    if x.shape[0] != n:
        raise ValueError("pre must have one entry per unit")
    if se_type not in ("HC1", "HC2", "classical"):
        raise ValueError("se_type must be 'HC1', 'HC2' or 'classical'")
    arms = _CentredArms.of(yv, z, x)  # pass 1: arm means of y and x
    sums = arms.cross_products()  # pass 2: centred cross-products within arms
    warns: list[StatWarning] = []
    theta = 0.0
    if sums.sxx <= 0.0:
        warns.append(_CONSTANT_PRE)
    else:
        theta = sums.sxy / sums.sxx
    p = 3 if sums.sxx > 0 else 2
    if se_type == "classical":
        var = _classical_variance(arms, sums, theta, n - p)
    else:
        var = _robust_variance(arms, sums, theta, se_type, hc1_scale=n / (n - p))
    se = math.sqrt(max(var, 0.0)) if math.isfinite(var) else float("nan")
    if min(arms.n1, arms.n0) < 2 or n <= p:
        se = float("nan")
        warns.append(TOO_FEW_UNITS)
    elif not se > 0:
        warns.append(ZERO_VARIANCE)
    return wald_estimate(
        arms.dy - theta * arms.dx,
        se,
        df=float(n - p),
        conf_level=conf_level,
        method="cuped",
        effect_measure="mean_difference",
        n_units=n,
        assumptions=_cuped_assumptions(se_type),
        warnings=tuple(warns),
        extra={
            "theta": theta,
            "se_type": se_type,
            "variance_reduction": _variance_reduction(var, arms, sums),
            "mean_treated": arms.ybar1,
            "mean_control": arms.ybar0,
            "n_treated": arms.n1,
            "n_control": arms.n0,
        },
    )


def _cuped_assumptions(se_type: str) -> tuple[str, ...]:
    return (
        "units independently assigned",
        "covariate measured before assignment",
        f"{se_type} variance of OLS y ~ 1 + T + x",
    )


_CONSTANT_PRE = StatWarning(
    "constant_covariate", "pre-period covariate does not vary: no adjustment"
)


class _Sums(NamedTuple):
    """Within-arm centred sums: ``Syy`` (both arms), ``Syy`` of the treated arm, ``Sxx``,
    ``Sxy``."""

    syy: float
    syy1: float
    sxx: float
    sxy: float


@dataclass(frozen=True)
class _CentredArms:
    """Outcome and covariate with their arm means, served centred chunk by chunk."""

    y: FloatArray
    z: NDArray[np.bool_]
    x: FloatArray
    n1: int
    n0: int
    ybar1: float
    ybar0: float
    xbar0: float
    dy: float
    dx: float

    @classmethod
    def of(cls, y: FloatArray, z: NDArray[np.bool_], x: FloatArray) -> _CentredArms:
        ym, xm = arm_means(y, z), arm_means(x, z)
        return cls(
            y=y,
            z=z,
            x=x,
            n1=ym.n1,
            n0=ym.n0,
            ybar1=ym.mean1,
            ybar0=ym.mean0,
            xbar0=xm.mean0,
            dy=ym.mean1 - ym.mean0,
            dx=xm.mean1 - xm.mean0,
        )

    def chunks(self) -> Iterator[tuple[FloatArray, FloatArray, FloatArray]]:
        """``(z, y - ybar_arm, x - xbar_arm)`` per chunk, as floats."""
        for i in chunks(self.y.shape[0]):
            zf = self.z[i : i + CHUNK].astype(np.float64)
            yc = self.y[i : i + CHUNK] - self.ybar0
            yc -= self.dy * zf
            xc = self.x[i : i + CHUNK] - self.xbar0
            xc -= self.dx * zf
            yield zf, yc, xc

    def cross_products(self) -> _Sums:
        syy1 = syy = sxx = sxy = 0.0
        for zf, yc, xc in self.chunks():
            syy += dot(yc, yc)
            syy1 += float(np.einsum("i,i,i->", yc, yc, zf))
            sxx += dot(xc, xc)
            sxy += dot(xc, yc)
        return _Sums(syy, syy1, sxx, sxy)


def _classical_variance(arms: _CentredArms, sums: _Sums, theta: float, resid_df: int) -> float:
    """``s^2 (1/n0 + 1/n1 + dx^2/Sxx)`` with ``s^2 = (Syy - theta Sxy) / (n - p)``."""
    rss = max(sums.syy - theta * sums.sxy, 0.0)  # = syy - 2 theta sxy + theta^2 sxx
    s2 = rss / resid_df
    return s2 * (1 / arms.n0 + 1 / arms.n1 + (arms.dx**2 / sums.sxx if sums.sxx > 0 else 0.0))


def _robust_variance(
    arms: _CentredArms, sums: _Sums, theta: float, se_type: str, *, hc1_scale: float
) -> float:
    """HC1 or HC2 variance of the contrast ``c = (-1, 1, -dx)`` on ``(D0, D1, x - xbar_arm)``.

    The bread is ``diag(1/n0, 1/n1, 1/Sxx)``, so ``Var = g' meat g`` with ``g = bread c`` and the
    meat's five distinct entries are weighted residual moments, one streamed pass (pass 3).
    """
    e0, e1, ex0, ex1, exx = _weighted_residual_moments(arms, sums.sxx, theta, se_type, hc1_scale)
    n0, n1, sxx = arms.n0, arms.n1, sums.sxx
    if sxx > 0:
        g = (-1.0 / n0, 1.0 / n1, -arms.dx / sxx)  # bread @ c
        return (
            g[0] ** 2 * e0
            + g[1] ** 2 * e1
            + g[2] ** 2 * exx
            + 2 * g[0] * g[2] * ex0
            + 2 * g[1] * g[2] * ex1
        )
    return e0 / n0**2 + e1 / n1**2


def _weighted_residual_moments(
    arms: _CentredArms, sxx: float, theta: float, se_type: str, hc1_scale: float
) -> tuple[float, float, float, float, float]:
    """Sums of ``e^2 w_i`` by arm, times ``xc`` by arm and times ``xc^2``, with
    ``w_i = n/(n-p)`` (HC1) or ``1/(1 - h_i)`` (HC2), ``h_i = 1/n_arm + xc_i^2 / Sxx``."""
    e1 = e_all = ex1 = ex_all = exx = 0.0
    n0, n1 = arms.n0, arms.n1
    for zf, yc, xc in arms.chunks():
        if sxx > 0:
            yc -= theta * xc
        w = np.square(yc)
        if se_type == "HC1":
            w *= hc1_scale
        else:
            one_minus = (1.0 - 1.0 / n0) + ((1.0 / n0) - (1.0 / n1)) * zf
            if sxx > 0:
                one_minus -= np.square(xc) / sxx
            w /= np.clip(one_minus, 1e-300, None)
        e1 += dot(w, zf)
        e_all += float(w.sum())
        if sxx > 0:
            ex1 += float(np.einsum("i,i,i->", w, xc, zf))
            ex_all += dot(w, xc)
            exx += float(np.einsum("i,i,i->", w, xc, xc))
    return e_all - e1, e1, ex_all - ex1, ex1, exx


def _variance_reduction(var: float, arms: _CentredArms, sums: _Sums) -> float | None:
    """``1 - Var(CUPED) / Var(Welch difference in means)``, None when Welch is undefined."""
    n1, n0 = arms.n1, arms.n0
    ss0 = max(sums.syy - sums.syy1, 0.0)
    welch_var = sums.syy1 / (n1 - 1) / n1 + ss0 / (n0 - 1) / n0 if min(n1, n0) > 1 else 0.0
    return 1.0 - var / welch_var if welch_var > 0 else None


def cuped_from_summary(
    treated: ArmSummary, control: ArmSummary, *, conf_level: float = 0.95
) -> EstimateResult:
    """CUPED from per-arm first and second moments, with the classical OLS variance.

    Parameters
    ----------
    treated, control : per-arm summaries including ``mean_pre``, ``variance_pre`` and
        ``covariance``.
    conf_level : interval level.

    Returns
    -------
    EstimateResult equal to :func:`cuped_effect` with ``se_type="classical"``: the coefficient
    of ``T`` in OLS ``y ~ 1 + T + x`` and its homoskedastic SE (``n - 3`` df). Within-arm
    centred sums are ``S = (n_a - 1) * (co)variance``; ``theta = (Sxy1 + Sxy0)/(Sxx1 + Sxx0)``;
    ``RSS = Syy - theta Sxy``; ``Var = RSS/(n-3) (1/n1 + 1/n0 + (x1 - x0)^2 / Sxx)`` (Deng et
    al. 2013; heteroskedasticity-robust versions need fourth moments, so use
    :func:`cuped_effect` on unit data for HC2).
    """
    check_conf_level(conf_level)
    arms = (treated, control)
    for arm in arms:
        if arm.mean_pre is None or arm.variance_pre is None or arm.covariance is None:
            raise ValueError("CUPED needs mean_pre, variance_pre and covariance for both arms")
        if arm.n < 2:
            raise ValueError("CUPED needs at least two units per arm")
    n1, n0 = int(treated.n), int(control.n)
    n = n1 + n0
    syy = sxx = sxy = 0.0
    for a in arms:
        syy += (a.n - 1) * a.variance
        sxx += (a.n - 1) * (a.variance_pre or 0.0)
        sxy += (a.n - 1) * (a.covariance or 0.0)
    dx = (treated.mean_pre or 0.0) - (control.mean_pre or 0.0)
    warns: list[StatWarning] = []
    if sxx <= 0:
        warns.append(_CONSTANT_PRE)
        theta, p, extra_var = 0.0, 2, 0.0
    else:
        theta, p, extra_var = sxy / sxx, 3, dx**2 / sxx
    rss = max(syy - theta * sxy, 0.0)
    se = math.sqrt(rss / (n - p) * (1 / n1 + 1 / n0 + extra_var))
    if not se > 0:
        warns.append(ZERO_VARIANCE)
    return wald_estimate(
        (treated.mean - control.mean) - theta * dx,
        se,
        df=float(n - p),
        conf_level=conf_level,
        method="cuped_from_summary",
        effect_measure="mean_difference",
        n_units=n,
        assumptions=_cuped_assumptions("classical"),
        warnings=tuple(warns),
        extra={"theta": theta, "n_treated": n1, "n_control": n0},
    )
