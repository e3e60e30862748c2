"""Effect estimates for randomised trials: the numbers a trial report leads with.

Each function takes plain arrays (one row per unit) and returns an
:class:`~infuse.stats.results.EstimateResult` (or a small frozen dataclass for outputs that
are not one effect), with the method, its assumptions and any data warnings on the result.

Design choices:

* Unit-level estimators work from per-arm sufficient statistics (counts, means, centred
  cross-products), so a 10-million-row trial costs a few passes over the columns and no
  design matrix; CUPED reproduces OLS on ``[1, T, X]`` exactly from those sums.
* Anything clustered goes through :mod:`infuse.stats.regression` with CR2 and Bell–McCaffrey
  degrees of freedom, and with fewer than 20 clusters also reports the randomisation-inference
  and wild-bootstrap p-values, because that is where CR1 and normal theory fail.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from infuse.stats.inference import randomisation_test
from infuse.stats.regression.ols import FEW_CLUSTERS, coefficient_result, fit_ols
from infuse.stats.regression.wild_bootstrap import wild_cluster_bootstrap
from infuse.stats.results import EstimateResult, StatWarning, json_ready

__all__ = [
    "ArmSummary",
    "HeterogeneityResult",
    "SampleRatioResult",
    "adjust_p_values",
    "binary_effect",
    "binary_effect_from_counts",
    "cluster_randomised_effect",
    "cuped_effect",
    "cuped_from_summary",
    "difference_in_means",
    "difference_in_means_from_summary",
    "lin_adjusted_effect",
    "sample_ratio_mismatch",
    "stepped_wedge_effect",
    "subgroup_heterogeneity",
]

FloatArray = NDArray[np.float64]
BinaryMeasure = Literal["risk_difference", "risk_ratio", "odds_ratio"]


# ----------------------------------------------------------------------------- input helpers


def _outcome(y: ArrayLike, name: str = "y") -> FloatArray:
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == np.bool_):
        raise TypeError(f"{name} must be numeric, got dtype {arr.dtype}")
    out = arr.astype(np.float64, copy=False)
    if not np.all(np.isfinite(out)):
        raise ValueError(f"{name} contains NaN or infinite values; drop or impute them first")
    return out


def _treatment(t: ArrayLike, n: int) -> NDArray[np.bool_]:
    arr = np.asarray(t)
    if arr.ndim != 1 or arr.shape[0] != n:
        raise ValueError(f"treatment must be one-dimensional with {n} entries, got {arr.shape}")
    if arr.dtype != np.bool_:
        if not np.issubdtype(arr.dtype, np.number):
            raise TypeError("treatment must be boolean or 0/1")
        if not np.all((arr == 0) | (arr == 1)):
            raise ValueError("treatment must contain only 0 (control) and 1 (treated)")
        arr = arr.astype(np.bool_)
    if arr.all() or not arr.any():
        raise ValueError("both arms need at least one unit")
    return arr


def _covariates(X: ArrayLike, n: int) -> tuple[FloatArray, list[str]]:
    names: list[str]
    if isinstance(X, pd.DataFrame):
        names = [str(c) for c in X.columns]
    elif isinstance(X, pd.Series):
        names = [str(X.name) if X.name is not None else "x0"]
    arr = np.asarray(X, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[0] != n:
        raise ValueError(f"covariates must have {n} rows, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError("covariates contain NaN or infinite values")
    if not isinstance(X, pd.DataFrame | pd.Series):
        names = [f"x{i}" for i in range(arr.shape[1])]
    return arr, names


def _t_interval(
    estimate: float, se: float, df: float | None, conf_level: float
) -> tuple[float, float, float]:
    """CI and two-sided p-value from a t (or normal when ``df`` is None) reference."""
    if not (se > 0.0 and math.isfinite(se)):
        return float("nan"), float("nan"), float("nan")
    dist = stats.norm if df is None else stats.t(df)
    q = float(dist.ppf(0.5 + conf_level / 2.0))
    p = float(2.0 * dist.sf(abs(estimate) / se))
    return estimate - q * se, estimate + q * se, p


def _check_level(conf_level: float) -> None:
    if not 0.0 < conf_level < 1.0:
        raise ValueError("conf_level must be strictly between 0 and 1")


_ZERO_VARIANCE = StatWarning(
    "zero_variance", "the outcome does not vary within arms: no standard error can be estimated"
)


# ----------------------------------------------------------------------------- mean difference


def difference_in_means(
    y: ArrayLike,
    treatment: ArrayLike,
    *,
    variance: Literal["welch", "classical"] = "welch",
    conf_level: float = 0.95,
) -> EstimateResult:
    """Difference in mean outcome, treated minus control.

    Parameters
    ----------
    y : outcome per unit.
    treatment : 1 (treated) / 0 (control) per unit.
    variance : ``"welch"`` (unequal variances; the Neyman variance, equal to OLS HC2) or
        ``"classical"`` (pooled variance, Student t with ``n - 2`` df).
    conf_level : interval level.

    Returns
    -------
    EstimateResult with ``effect_measure="mean_difference"``.

    Notes
    -----
    Welch: ``SE^2 = s1^2/n1 + s0^2/n0`` with Welch–Satterthwaite df
    ``(s1^2/n1 + s0^2/n0)^2 / [(s1^2/n1)^2/(n1-1) + (s0^2/n0)^2/(n0-1)]`` (Welch, B. L. 1947
    "The generalization of Student's problem when several different population variances are
    involved", Biometrika 34). Under complete randomisation the Welch variance is Neyman's
    conservative variance (Imbens & Rubin 2015, ch. 6). Classical: pooled ``s_p^2 (1/n1+1/n0)``.
    """
    _check_level(conf_level)
    yv = _outcome(y)
    z = _treatment(treatment, yv.shape[0])
    # Two streamed passes over per-arm sums (no copies of the arms): scales to 10^7 rows.
    mom = _arm_means(yv, z)
    ss1, ss0 = _arm_sums_of_squares(yv, z, mom)
    v1 = ss1 / (mom.n1 - 1) if mom.n1 > 1 else float("nan")
    v0 = ss0 / (mom.n0 - 1) if mom.n0 > 1 else float("nan")
    return _mean_difference_from_stats(
        mom.mean1, v1, mom.n1, mom.mean0, v0, mom.n0, variance=variance, conf_level=conf_level
    )


_CHUNK = 1 << 16  # 64k rows: a chunk's temporaries stay in CPU cache


def _dot(a: FloatArray, b: FloatArray) -> float:
    """Inner product without BLAS: on a chunk, a threaded BLAS dot spends longer waking and
    synchronising its threads than adding (10x slower on a busy 2-core machine)."""
    return float(np.einsum("i,i->", a, b))


def _chunks(n: int) -> range:
    return range(0, n, _CHUNK)


@dataclass(frozen=True)
class _ArmMeans:
    n1: int
    n0: int
    mean1: float
    mean0: float


def _arm_means(y: FloatArray, z: NDArray[np.bool_]) -> _ArmMeans:
    """Per-arm counts and means in one streamed pass."""
    n = y.shape[0]
    n1 = 0
    s1 = 0.0
    s = 0.0
    for i in _chunks(n):
        zc = z[i : i + _CHUNK]
        yc = y[i : i + _CHUNK]
        n1 += int(np.count_nonzero(zc))
        s1 += _dot(yc, zc.astype(np.float64))
        s += float(yc.sum())
    n0 = n - n1
    return _ArmMeans(n1, n0, s1 / n1, (s - s1) / n0)


def _arm_sums_of_squares(y: FloatArray, z: NDArray[np.bool_], m: _ArmMeans) -> tuple[float, float]:
    """Per-arm centred sums of squares (second streamed pass: no cancellation)."""
    ss1 = 0.0
    ss = 0.0
    shift = m.mean1 - m.mean0
    for i in _chunks(y.shape[0]):
        zf = z[i : i + _CHUNK].astype(np.float64)
        yc = y[i : i + _CHUNK] - m.mean0
        yc -= shift * zf
        ss += _dot(yc, yc)
        ss1 += float(np.einsum("i,i,i->", yc, yc, zf))
    return ss1, max(ss - ss1, 0.0)


def _mean_difference_from_stats(
    m1: float,
    v1: float,
    n1: int,
    m0: float,
    v0: float,
    n0: int,
    *,
    variance: str,
    conf_level: float,
    method_prefix: str = "",
    extra: dict[str, Any] | None = None,
    assumptions: tuple[str, ...] = (),
) -> EstimateResult:
    estimate = m1 - m0
    warns: list[StatWarning] = []
    if variance == "welch":
        a, b = v1 / n1, v0 / n0
        se = math.sqrt(a + b) if math.isfinite(a + b) else float("nan")
        denom = (a**2 / (n1 - 1) if n1 > 1 else math.inf) + (b**2 / (n0 - 1) if n0 > 1 else 0)
        df = (a + b) ** 2 / denom if denom > 0 and math.isfinite(denom) else float("nan")
        method = "welch_difference_in_means"
        assume = ("units independently assigned; variances may differ between arms",)
    elif variance == "classical":
        pooled = ((n1 - 1) * v1 + (n0 - 1) * v0) / (n1 + n0 - 2) if n1 + n0 > 2 else math.nan
        se = math.sqrt(pooled * (1 / n1 + 1 / n0)) if math.isfinite(pooled) else float("nan")
        df = float(n1 + n0 - 2)
        method = "classical_difference_in_means"
        assume = ("units independently assigned; equal outcome variance in both arms",)
    else:
        raise ValueError("variance must be 'welch' or 'classical'")
    if min(n1, n0) < 2:
        warns.append(
            StatWarning(
                "too_few_units",
                "an arm has fewer than two units: no standard error can be estimated",
            )
        )
    elif not (se > 0.0):
        warns.append(_ZERO_VARIANCE)
    low, high, p = _t_interval(estimate, se, df if math.isfinite(df) else None, conf_level)
    details: dict[str, Any] = {
        "mean_treated": m1,
        "mean_control": m0,
        "n_treated": n1,
        "n_control": n0,
    }
    if extra:
        details.update(extra)
    return EstimateResult(
        estimate=estimate,
        std_error=se,
        ci_low=low,
        ci_high=high,
        p_value=p,
        method=method_prefix + method,
        effect_measure="mean_difference",
        n_units=n1 + n0,
        conf_level=conf_level,
        df=df if math.isfinite(df) else None,
        assumptions=assume + assumptions,
        warnings=tuple(warns),
        extra=details,
    )


# ----------------------------------------------------------------------------- binary outcomes


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
    yv = _outcome(y)
    if not np.all((yv == 0) | (yv == 1)):
        raise ValueError("a binary outcome must contain only 0 and 1")
    z = _treatment(treatment, yv.shape[0])
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
    _check_level(conf_level)
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
            warns.append(_ZERO_VARIANCE)
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


# ----------------------------------------------------------------------------- Lin (2013)


def _drop_constant(X: FloatArray, names: list[str]) -> tuple[FloatArray, list[str], list[str]]:
    keep = X.std(axis=0) > 0
    dropped = [nm for nm, k in zip(names, keep, strict=True) if not k]
    return X[:, keep], [nm for nm, k in zip(names, keep, strict=True) if k], dropped


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
    _check_level(conf_level)
    yv = _outcome(y)
    n = yv.shape[0]
    z = _treatment(treatment, n).astype(np.float64)
    X, names = _covariates(covariates, n)
    X, names, dropped = _drop_constant(X, names)
    warns: list[StatWarning] = []
    if dropped:
        warns.append(
            StatWarning("constant_covariate", f"covariates without variation dropped: {dropped}")
        )
    Xc = X - X.mean(axis=0)
    design = np.column_stack([np.ones(n), z, Xc, z[:, None] * Xc])
    coef_names = ["intercept", "treatment", *names, *[f"treatment:{nm}" for nm in names]]
    fit = fit_ols(
        yv,
        design,
        cluster=cluster,
        se_type="CR2" if cluster is not None else "HC2",
        conf_level=conf_level,
        names=coef_names,
    )
    result = coefficient_result(
        fit,
        "treatment",
        method="lin_interacted_regression",
        effect_measure="mean_difference",
        assumptions=("covariates measured before assignment",),
        extra={"covariates": names},
    )
    if warns:
        result = _with_warnings(result, warns)
    return result


def _with_warnings(result: EstimateResult, warns: Sequence[StatWarning]) -> EstimateResult:
    """A copy of ``result`` with extra warnings (EstimateResult is frozen)."""
    data = {f: getattr(result, f) for f in result.__dataclass_fields__}
    data["warnings"] = (*result.warnings, *warns)
    return EstimateResult(**data)


# ----------------------------------------------------------------------------- CUPED


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
    _check_level(conf_level)
    yv = _outcome(y)
    n = yv.shape[0]
    z = _treatment(treatment, n)
    x = _outcome(pre, "pre")
    if x.shape[0] != n:
        raise ValueError("pre must have one entry per unit")
    if se_type not in ("HC1", "HC2", "classical"):
        raise ValueError("se_type must be 'HC1', 'HC2' or 'classical'")
    # Pass 1: arm means of y and x.
    ym = _arm_means(yv, z)
    xm = _arm_means(x, z)
    n1, n0 = ym.n1, ym.n0
    ybar1, ybar0, xbar1, xbar0 = ym.mean1, ym.mean0, xm.mean1, xm.mean0
    dy, dx = ybar1 - ybar0, xbar1 - xbar0

    def centred(i: int) -> tuple[FloatArray, FloatArray, FloatArray]:
        zf = z[i : i + _CHUNK].astype(np.float64)
        yc = yv[i : i + _CHUNK] - ybar0
        yc -= dy * zf
        xc = x[i : i + _CHUNK] - xbar0
        xc -= dx * zf
        return zf, yc, xc

    # Pass 2: centred cross-products within arms.
    syy1 = syy = sxx = sxy = 0.0
    for i in _chunks(n):
        zf, yc, xc = centred(i)
        syy += _dot(yc, yc)
        syy1 += float(np.einsum("i,i,i->", yc, yc, zf))
        sxx += _dot(xc, xc)
        sxy += _dot(xc, yc)
    warns: list[StatWarning] = []
    if sxx <= 0.0:
        warns.append(
            StatWarning("constant_covariate", "pre-period covariate does not vary: no adjustment")
        )
        theta = 0.0
    else:
        theta = sxy / sxx
    estimate = dy - theta * dx
    p = 3 if sxx > 0 else 2
    # Contrast c = (-1, 1, -dx) on (D0, D1, xc); bread = diag(1/n0, 1/n1, 1/sxx).
    if se_type == "classical":
        rss = max(syy - theta * sxy, 0.0)  # = syy - 2 theta sxy + theta^2 sxx
        s2 = rss / (n - p)
        var = s2 * (1 / n0 + 1 / n1 + (dx**2 / sxx if sxx > 0 else 0.0))
    else:
        # Pass 3: residual moments e^2 w_i with w_i = n/(n-p) (HC1) or 1/(1 - h_i) (HC2),
        # h_i = 1/n_arm + xc_i^2 / sxx.
        e1 = e_all = ex1 = ex_all = exx = 0.0
        hc1_scale = n / (n - p)
        for i in _chunks(n):
            zf, yc, xc = centred(i)
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
            e1 += _dot(w, zf)
            e_all += float(w.sum())
            if sxx > 0:
                ex1 += float(np.einsum("i,i,i->", w, xc, zf))
                ex_all += _dot(w, xc)
                exx += float(np.einsum("i,i,i->", w, xc, xc))
        e0 = e_all - e1
        ex0 = ex_all - ex1
        if sxx > 0:
            g = (-1.0 / n0, 1.0 / n1, -dx / sxx)  # bread @ c
            var = (
                g[0] ** 2 * e0
                + g[1] ** 2 * e1
                + g[2] ** 2 * exx
                + 2 * g[0] * g[2] * ex0
                + 2 * g[1] * g[2] * ex1
            )
        else:
            var = e0 / n0**2 + e1 / n1**2
    se = math.sqrt(max(var, 0.0)) if math.isfinite(var) else float("nan")
    df = float(n - p)
    if min(n1, n0) < 2 or n <= p:
        se = float("nan")
        warns.append(
            StatWarning(
                "too_few_units",
                "an arm has fewer than two units: no standard error can be estimated",
            )
        )
    elif not se > 0:
        warns.append(_ZERO_VARIANCE)
    low, high, pval = _t_interval(estimate, se, df, conf_level)
    ss0 = max(syy - syy1, 0.0)
    welch_var = syy1 / (n1 - 1) / n1 + ss0 / (n0 - 1) / n0 if min(n1, n0) > 1 else 0.0
    return EstimateResult(
        estimate=estimate,
        std_error=se,
        ci_low=low,
        ci_high=high,
        p_value=pval,
        method="cuped",
        effect_measure="mean_difference",
        n_units=n,
        conf_level=conf_level,
        df=df,
        assumptions=(
            "units independently assigned",
            "covariate measured before assignment",
            f"{se_type} variance of OLS y ~ 1 + T + x",
        ),
        warnings=tuple(warns),
        extra={
            "theta": theta,
            "se_type": se_type,
            "variance_reduction": 1.0 - var / welch_var if welch_var > 0 else None,
            "mean_treated": ybar1,
            "mean_control": ybar0,
            "n_treated": n1,
            "n_control": n0,
        },
    )


# ----------------------------------------------------------------------------- summaries


@dataclass(frozen=True)
class ArmSummary:
    """Sufficient statistics of one arm, e.g. aggregated in SQL by the analytics layer.

    Attributes
    ----------
    n : units in the arm.
    mean : mean outcome.
    variance : sample variance of the outcome (ddof = 1).
    mean_pre, variance_pre : mean and sample variance of the pre-period covariate (for CUPED).
    covariance : sample covariance of outcome and covariate within the arm (ddof = 1).
    """

    n: int
    mean: float
    variance: float
    mean_pre: float | None = None
    variance_pre: float | None = None
    covariance: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return dict(json_ready(asdict(self)))


def difference_in_means_from_summary(
    treated: ArmSummary,
    control: ArmSummary,
    *,
    variance: Literal["welch", "classical"] = "welch",
    conf_level: float = 0.95,
) -> EstimateResult:
    """Difference in means from per-arm summaries (same formulas as :func:`difference_in_means`).

    Parameters
    ----------
    treated, control : per-arm ``n``, ``mean`` and sample ``variance``.
    variance : ``"welch"`` or ``"classical"``.
    conf_level : interval level.

    Returns
    -------
    EstimateResult (Welch 1947 or Student t), so a trial of any size costs O(1) here once its
    arms are aggregated (as experimentation engines such as GrowthBook's gbstats do).
    """
    _check_level(conf_level)
    for arm in (treated, control):
        if arm.n < 1 or not math.isfinite(arm.mean) or not arm.variance >= 0:
            raise ValueError("each arm needs n >= 1, a finite mean and a variance >= 0")
    return _mean_difference_from_stats(
        treated.mean,
        treated.variance if treated.n > 1 else float("nan"),
        int(treated.n),
        control.mean,
        control.variance if control.n > 1 else float("nan"),
        int(control.n),
        variance=variance,
        conf_level=conf_level,
    )


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
    _check_level(conf_level)
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
        warns.append(
            StatWarning("constant_covariate", "pre-period covariate does not vary: no adjustment")
        )
        theta, p, extra_var = 0.0, 2, 0.0
    else:
        theta, p, extra_var = sxy / sxx, 3, dx**2 / sxx
    estimate = (treated.mean - control.mean) - theta * dx
    rss = max(syy - theta * sxy, 0.0)
    se = math.sqrt(rss / (n - p) * (1 / n1 + 1 / n0 + extra_var))
    if not se > 0:
        warns.append(_ZERO_VARIANCE)
    low, high, pval = _t_interval(estimate, se, float(n - p), conf_level)
    return EstimateResult(
        estimate=estimate,
        std_error=se,
        ci_low=low,
        ci_high=high,
        p_value=pval,
        method="cuped_from_summary",
        effect_measure="mean_difference",
        n_units=n,
        conf_level=conf_level,
        df=float(n - p),
        assumptions=(
            "units independently assigned",
            "covariate measured before assignment",
            "classical variance of OLS y ~ 1 + T + x",
        ),
        warnings=tuple(warns),
        extra={"theta": theta, "n_treated": n1, "n_control": n0},
    )


# ----------------------------------------------------------------------------- clusters


def cluster_randomised_effect(
    y: ArrayLike,
    treatment: ArrayLike,
    cluster: ArrayLike,
    *,
    covariates: ArrayLike | None = None,
    blocks: ArrayLike | None = None,
    conf_level: float = 0.95,
    n_permutations: int = 10_000,
    seed: int = 0,
) -> EstimateResult:
    """Effect in a cluster-randomised trial: OLS with CR2 and small-sample inference.

    Parameters
    ----------
    y, treatment, cluster : outcome, 0/1 assignment (constant within cluster), cluster labels.
    covariates : optional pre-treatment covariates (entered centred, without interactions).
    blocks : block labels if clusters were randomised within blocks (randomisation test
        permutes within them; block dummies are not added to the regression).
    conf_level : interval level.
    n_permutations, seed : Monte-Carlo settings for the randomisation test (exact enumeration
        when the number of assignments is at most 100,000).

    Returns
    -------
    EstimateResult for the coefficient of treatment (unit-weighted difference in means when
    no covariates), SE from CR2 with Bell–McCaffrey df. With fewer than 20 clusters,
    ``extra`` also carries ``randomisation_p_value`` (difference in means, permuting clusters)
    with its test-inverted interval ``randomisation_ci_low/high`` (constant additive effect),
    and ``wild_bootstrap_p_value`` (WCR, Webb weights), and the ``few_clusters`` warning.

    Notes
    -----
    Bell & McCaffrey (2002); Imbens & Kolesár (2016); Pustejovsky & Tipton (2018); Cameron,
    Gelbach & Miller (2008) for the wild bootstrap; Fisher randomisation test as in
    :func:`infuse.stats.inference.randomisation_test`.
    """
    _check_level(conf_level)
    yv = _outcome(y)
    n = yv.shape[0]
    z = _treatment(treatment, n)
    cols = [np.ones(n), z.astype(np.float64)]
    names = ["intercept", "treatment"]
    if covariates is not None:
        X, cov_names = _covariates(covariates, n)
        X, cov_names, _ = _drop_constant(X, cov_names)
        cols.extend((X - X.mean(axis=0)).T)
        names.extend(cov_names)
    design = np.column_stack(cols)
    fit = fit_ols(yv, design, cluster=cluster, se_type="CR2", conf_level=conf_level, names=names)
    G = fit.n_clusters or 0
    extra: dict[str, Any] = {}
    warns: list[StatWarning] = [w for w in fit.warnings if w.code != "few_clusters"]
    if G < FEW_CLUSTERS:
        ri = randomisation_test(
            yv,
            z,
            design="cluster",
            clusters=cluster,
            blocks=blocks,
            n_permutations=n_permutations,
            seed=seed,
            conf_level=conf_level,
        )
        wb = wild_cluster_bootstrap(
            yv, design, cluster, 1, n_draws=9999, weights="webb", seed=seed, names=names
        )
        extra.update(
            randomisation_p_value=ri.p_value,
            randomisation_exact=ri.exact,
            randomisation_n_permutations=ri.n_permutations,
            randomisation_statistic="difference_in_means",
            randomisation_ci_low=ri.ci_low,
            randomisation_ci_high=ri.ci_high,
            wild_bootstrap_p_value=wb.p_value,
            wild_bootstrap_weights=wb.weights,
            wild_bootstrap_n_draws=wb.n_draws,
            seed=seed,
        )
        warns.append(
            StatWarning(
                "few_clusters",
                f"fewer than {FEW_CLUSTERS} clusters ({G}): small-sample correction and "
                "randomisation inference reported",
            )
        )
    result = coefficient_result(
        fit,
        "treatment",
        method="cluster_robust_regression_cr2",
        effect_measure="mean_difference",
        assumptions=("treatment assigned by cluster",),
        extra=extra,
    )
    data = {f: getattr(result, f) for f in result.__dataclass_fields__}
    data["warnings"] = tuple(warns)
    return EstimateResult(**data)


# ----------------------------------------------------------------------------- stepped wedge


def stepped_wedge_effect(
    y: ArrayLike,
    treatment: ArrayLike,
    cluster: ArrayLike,
    period: ArrayLike,
    *,
    method: Literal["cluster_period_means", "mixed_model"] = "cluster_period_means",
    conf_level: float = 0.95,
) -> EstimateResult:
    """Effect in a stepped-wedge trial, adjusting for secular trend by period.

    Parameters
    ----------
    y : outcome per observation.
    treatment : 0/1 exposure of the observation's cluster in its period.
    cluster, period : labels per observation.
    method : ``"cluster_period_means"`` — OLS of cluster-period means on treatment plus
        cluster and period fixed effects, weighted equally, with CR2 SEs clustered by cluster;
        ``"mixed_model"`` — the Hussey & Hughes model ``y_ijk = mu + beta_j + theta X_ij + a_i
        + e_ijk`` (random cluster intercept ``a_i``, fixed period effects) fitted by REML with
        statsmodels ``MixedLM`` on individual data; SE from the GLS covariance
        ``(X'V^-1X)^-1`` at the REML variance components (as R ``nlme::lme``); Wald interval
        with ``G - 2`` df (a conservative t on clusters).
    conf_level : interval level.

    Returns
    -------
    EstimateResult with ``effect_measure="mean_difference"``.

    Notes
    -----
    Hussey, M. A. & Hughes, J. P. (2007) "Design and analysis of stepped wedge cluster
    randomized trials", Contemporary Clinical Trials 28(2). Analysing cluster-period means with
    two-way fixed effects removes the cluster intercepts exactly, so it needs no model for the
    between-cluster variance (Thompson, J. A. et al. 2017 "Bias and inference from misspecified
    mixed-effect models in stepped wedge trial analysis", Stat Med 36).
    """
    _check_level(conf_level)
    yv = _outcome(y)
    n = yv.shape[0]
    z = _treatment(treatment, n)
    cl = np.asarray(cluster)
    pe = np.asarray(period)
    if cl.shape != (n,) or pe.shape != (n,):
        raise ValueError("cluster and period must have one entry per observation")
    frame = pd.DataFrame({"y": yv, "t": z.astype(float), "c": cl, "p": pe})
    G = int(frame["c"].nunique())
    warns: list[StatWarning] = []
    if method == "cluster_period_means":
        means = frame.groupby(["c", "p"], sort=True, observed=True).agg(
            y=("y", "mean"), t=("t", "mean")
        )
        means = means.reset_index()
        if np.any((means["t"] > 0) & (means["t"] < 1)):
            raise ValueError("treatment must be constant within each cluster-period")
        c_d = pd.get_dummies(means["c"], drop_first=True, dtype=float)
        p_d = pd.get_dummies(means["p"], drop_first=True, dtype=float)
        c_d.columns = [f"cluster[{c}]" for c in c_d.columns]
        p_d.columns = [f"period[{p}]" for p in p_d.columns]
        design = pd.concat(
            [
                pd.Series(1.0, index=means.index, name="intercept"),
                means["t"].rename("treatment"),
                c_d,
                p_d,
            ],
            axis=1,
        )
        fit = fit_ols(
            means["y"].to_numpy(),
            design,
            cluster=means["c"].to_numpy(),
            se_type="CR2",
            conf_level=conf_level,
        )
        result = coefficient_result(
            fit,
            "treatment",
            method="stepped_wedge_cluster_period_means",
            effect_measure="mean_difference",
            assumptions=(
                "period effects common to all clusters",
                "treatment effect constant over exposure time and clusters",
            ),
            extra={"n_cluster_periods": len(means)},
        )
        data = {f: getattr(result, f) for f in result.__dataclass_fields__}
        data["n_units"] = n
        return EstimateResult(**data)
    if method == "mixed_model":
        import statsmodels.formula.api as smf

        frame["p"] = frame["p"].astype(str)
        model = smf.mixedlm("y ~ t + C(p)", frame, groups=frame["c"])
        with np.errstate(all="ignore"):
            import warnings as _warnings

            with _warnings.catch_warnings(record=True) as caught:
                _warnings.simplefilter("always")
                res = model.fit(reml=True)
        if not res.converged or any("converge" in str(w.message).lower() for w in caught):
            warns.append(StatWarning("non_convergence", "mixed model REML fit did not converge"))
        if any("boundary" in str(w.message).lower() for w in caught):
            warns.append(StatWarning("boundary_fit", "between-cluster variance estimated at zero"))
        estimate = float(res.fe_params["t"])
        se = _gls_std_error(
            np.asarray(model.exog, dtype=np.float64),
            frame["c"].to_numpy(),
            float(res.scale),
            float(res.cov_re.iloc[0, 0]),
            list(model.exog_names).index("t"),
        )
        df = float(max(G - 2, 1))
        low, high, p = _t_interval(estimate, se, df, conf_level)
        if G < FEW_CLUSTERS:
            warns.append(
                StatWarning(
                    "few_clusters",
                    f"fewer than {FEW_CLUSTERS} clusters ({G}): t reference with G - 2 df used",
                )
            )
        return EstimateResult(
            estimate=estimate,
            std_error=se,
            ci_low=low,
            ci_high=high,
            p_value=p,
            method="stepped_wedge_mixed_model",
            effect_measure="mean_difference",
            n_units=n,
            conf_level=conf_level,
            n_clusters=G,
            df=df,
            assumptions=(
                "random cluster intercept, normal (Hussey & Hughes 2007)",
                "period effects common to all clusters",
                "treatment effect constant over exposure time and clusters",
            ),
            warnings=tuple(warns),
            extra={
                "between_cluster_variance": float(res.cov_re.iloc[0, 0]),
                "residual_variance": float(res.scale),
                "estimation": "REML",
            },
        )
    raise ValueError("method must be 'cluster_period_means' or 'mixed_model'")


def _gls_std_error(
    X: FloatArray, cluster: NDArray[Any], sigma2: float, tau2: float, index: int
) -> float:
    """SE of a fixed effect from ``(X' V^-1 X)^-1`` with a random cluster intercept.

    ``V_c^-1 = (I - tau2 / (sigma2 + n_c tau2) J) / sigma2``, so
    ``X'V^-1X = (X'X - sum_c w_c s_c s_c') / sigma2`` with ``s_c`` the column sums of cluster
    ``c``. This is the covariance R's ``nlme::lme`` and ``lme4`` report; statsmodels' ``bse_fe``
    instead inverts the observed information of all parameters jointly (differs by ~0.3% in
    small trials), so we use the GLS form the Hussey & Hughes variance formula describes.
    """
    codes, uniques = pd.factorize(cluster)
    G = len(uniques)
    sizes = np.bincount(codes, minlength=G).astype(np.float64)
    sums = np.column_stack(
        [np.bincount(codes, weights=X[:, k], minlength=G) for k in range(X.shape[1])]
    )
    w = tau2 / (sigma2 + sizes * tau2)
    info = (X.T @ X - (sums * w[:, None]).T @ sums) / sigma2
    cov = np.linalg.inv(info)
    return math.sqrt(max(float(cov[index, index]), 0.0))


# ----------------------------------------------------------------------------- heterogeneity


@dataclass(frozen=True)
class HeterogeneityResult:
    """Effects by subgroup and a joint test that they are equal.

    Attributes
    ----------
    subgroup_effects : effect within each subgroup (keyed by subgroup label as a string).
    statistic : F statistic (Wald / q) for equality of the subgroup effects.
    df_num, df_denom : its degrees of freedom (``q = groups - 1``; residual or cluster df).
    p_value : from ``F(df_num, df_denom)``.
    se_type : variance estimator used.
    warnings : data conditions.
    """

    subgroup_effects: Mapping[str, EstimateResult]
    statistic: float
    df_num: int
    df_denom: float
    p_value: float
    se_type: str
    warnings: tuple[StatWarning, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return dict(
            json_ready(
                {
                    "subgroup_effects": {k: v.to_dict() for k, v in self.subgroup_effects.items()},
                    "statistic": self.statistic,
                    "df_num": self.df_num,
                    "df_denom": self.df_denom,
                    "p_value": self.p_value,
                    "se_type": self.se_type,
                    "warnings": [asdict(w) for w in self.warnings],
                }
            )
        )


def subgroup_heterogeneity(
    y: ArrayLike,
    treatment: ArrayLike,
    subgroup: ArrayLike,
    *,
    cluster: ArrayLike | None = None,
    conf_level: float = 0.95,
) -> HeterogeneityResult:
    """Treatment effects by subgroup (e.g. council) with an interaction (Wald/F) test.

    Parameters
    ----------
    y, treatment : outcome and 0/1 assignment.
    subgroup : subgroup label per unit (each subgroup must contain both arms).
    cluster : cluster labels when assignment was clustered (then CR2).
    conf_level : interval level.

    Returns
    -------
    HeterogeneityResult

    Notes
    -----
    Fits the saturated model ``y ~ 0 + sum_g 1[g] + sum_g T 1[g]`` so each ``T 1[g]``
    coefficient is the within-subgroup difference in means, with HC2 (or CR2) variance ``V``.
    ``H0: tau_1 = ... = tau_G`` uses ``R tau = 0`` with ``R`` the successive differences and
    ``F = (R tau)' (R V R')^{-1} (R tau) / q``, referred to ``F(q, n - 2G)`` (or
    ``F(q, clusters - 1)`` when clustered). Multiple subgroup CIs are unadjusted: use
    :func:`adjust_p_values` on the subgroup p-values if they are to be read individually.
    """
    _check_level(conf_level)
    yv = _outcome(y)
    n = yv.shape[0]
    z = _treatment(treatment, n).astype(np.float64)
    sg = np.asarray(subgroup)
    if sg.shape != (n,):
        raise ValueError("subgroup must have one entry per unit")
    codes, labels = pd.factorize(sg, sort=True)
    if np.any(codes < 0):
        raise ValueError("subgroup contains missing values")
    k = len(labels)
    if k < 2:
        raise ValueError("need at least two subgroups")
    onehot = np.zeros((n, k))
    onehot[np.arange(n), codes] = 1.0
    treated_per = onehot.T @ z
    sizes = onehot.sum(axis=0)
    if np.any(treated_per == 0) or np.any(treated_per == sizes):
        raise ValueError("every subgroup needs treated and control units")
    design = np.column_stack([onehot, onehot * z[:, None]])
    names = [f"level[{lab}]" for lab in labels] + [f"treatment[{lab}]" for lab in labels]
    fit = fit_ols(
        yv,
        design,
        cluster=cluster,
        se_type="CR2" if cluster is not None else "HC2",
        conf_level=conf_level,
        names=names,
    )
    effects = {
        str(lab): coefficient_result(
            fit,
            f"treatment[{lab}]",
            method="subgroup_difference_in_means",
            effect_measure="mean_difference",
            extra={"subgroup": str(lab)},
        )
        for lab in labels
    }
    tau = fit.params[k:]
    V = fit.cov[k:, k:]
    R = np.zeros((k - 1, k))
    R[np.arange(k - 1), np.arange(k - 1)] = 1.0
    R[np.arange(k - 1), np.arange(1, k)] = -1.0
    diff = R @ tau
    q = k - 1
    wald = float(diff @ np.linalg.solve(R @ V @ R.T, diff))
    df_denom = float(fit.n_clusters - 1) if fit.n_clusters is not None else float(fit.residual_df)
    F = wald / q
    p = float(stats.f.sf(F, q, df_denom))
    return HeterogeneityResult(
        subgroup_effects=effects,
        statistic=F,
        df_num=q,
        df_denom=df_denom,
        p_value=p,
        se_type=fit.se_type,
        warnings=fit.warnings,
    )


# ----------------------------------------------------------------------------- multiplicity


def adjust_p_values(p_values: ArrayLike, method: Literal["holm", "bh"] = "holm") -> FloatArray:
    """Multiplicity-adjusted p-values, in the input order.

    Parameters
    ----------
    p_values : raw p-values in [0, 1].
    method : ``"holm"`` (family-wise error; Holm, S. 1979 "A simple sequentially rejective
        multiple test procedure", Scand J Stat 6) or ``"bh"`` (false discovery rate; Benjamini,
        Y. & Hochberg, Y. 1995 "Controlling the false discovery rate", JRSS B 57).

    Returns
    -------
    Adjusted p-values: Holm ``max_{j<=i} min(1, (m - j + 1) p_(j))``; BH
    ``min_{j>=i} min(1, m p_(j) / j)`` over the sorted p-values.
    """
    p = np.asarray(p_values, dtype=np.float64)
    if p.ndim != 1:
        raise ValueError("p_values must be one-dimensional")
    if p.size == 0:
        return p.copy()
    if np.any(~np.isfinite(p)) or np.any((p < 0) | (p > 1)):
        raise ValueError("p-values must lie in [0, 1]")
    m = p.size
    order = np.argsort(p, kind="stable")
    ps = p[order]
    ranks = np.arange(1, m + 1)
    if method == "holm":
        adj = np.maximum.accumulate(np.minimum(1.0, (m - ranks + 1) * ps))
    elif method == "bh":
        adj = np.minimum.accumulate(np.minimum(1.0, m * ps / ranks)[::-1])[::-1]
    else:
        raise ValueError("method must be 'holm' or 'bh'")
    out = np.empty(m)
    out[order] = adj
    return out


# ----------------------------------------------------------------------------- SRM


@dataclass(frozen=True)
class SampleRatioResult:
    """Sample-ratio-mismatch check: chi-square goodness of fit of arm sizes to the plan.

    Attributes
    ----------
    observed, expected : counts per arm.
    statistic, df, p_value : Pearson chi-square test.
    mismatch : ``p_value < threshold``.
    threshold : the alarm level used.
    warnings : ``sample_ratio_mismatch`` when flagged.
    """

    observed: tuple[int, ...]
    expected: tuple[float, ...]
    statistic: float
    df: int
    p_value: float
    mismatch: bool
    threshold: float
    warnings: tuple[StatWarning, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return dict(json_ready(asdict(self)))


def sample_ratio_mismatch(
    counts: ArrayLike, planned_ratio: ArrayLike, *, threshold: float = 0.001
) -> SampleRatioResult:
    """Check whether the arm sizes are consistent with the planned allocation ratio.

    Parameters
    ----------
    counts : units per arm.
    planned_ratio : planned allocation weights per arm (e.g. ``[1, 1]`` or ``[2, 1]``).
    threshold : p-value below which a mismatch is flagged (0.001 is usual, because the check
        runs routinely and a true mismatch usually gives a tiny p-value).

    Returns
    -------
    SampleRatioResult

    Notes
    -----
    Pearson ``X^2 = sum (O - E)^2 / E`` with ``E = N w / sum w`` on ``k - 1`` df (Fabijan, A.
    et al. 2019 "Diagnosing sample ratio mismatch in online controlled experiments", KDD).
    """
    obs = np.asarray(counts)
    w = np.asarray(planned_ratio, dtype=np.float64)
    if obs.ndim != 1 or w.shape != obs.shape or obs.size < 2:
        raise ValueError("counts and planned_ratio must be vectors of the same length (>= 2)")
    if not np.issubdtype(obs.dtype, np.integer) or np.any(obs < 0):
        raise ValueError("counts must be non-negative integers")
    if np.any(w <= 0) or not np.all(np.isfinite(w)):
        raise ValueError("planned_ratio must be positive")
    total = float(obs.sum())
    if total <= 0:
        raise ValueError("no units counted")
    expected = total * w / w.sum()
    chi2 = float(np.sum((obs - expected) ** 2 / expected))
    df = obs.size - 1
    p = float(stats.chi2.sf(chi2, df))
    flagged = p < threshold
    warns = (
        (
            StatWarning(
                "sample_ratio_mismatch",
                f"arm sizes {obs.tolist()} are unlikely under the planned ratio "
                f"{w.tolist()} (p = {p:.2g}): check assignment and data loss before analysis",
            ),
        )
        if flagged
        else ()
    )
    return SampleRatioResult(
        observed=tuple(int(o) for o in obs),
        expected=tuple(float(e) for e in expected),
        statistic=chi2,
        df=df,
        p_value=p,
        mismatch=flagged,
        threshold=threshold,
        warnings=warns,
    )
