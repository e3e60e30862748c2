"""The effect in a stepped-wedge trial, adjusting for secular trend by period."""

from __future__ import annotations

import math
import warnings
from dataclasses import replace
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from infuse.stats._common import FEW_CLUSTERS, FloatArray, group_sums, wald_estimate
from infuse.stats.estimation._inputs import checked_trial
from infuse.stats.regression.ols import coefficient_result, fit_ols
from infuse.stats.results import EstimateResult, StatWarning

__all__ = ["stepped_wedge_effect"]


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
    yv, z = checked_trial(y, treatment, conf_level)
    n = yv.shape[0]
    cl = np.asarray(cluster)
    pe = np.asarray(period)
    if cl.shape != (n,) or pe.shape != (n,):
        raise ValueError("cluster and period must have one entry per observation")
    frame = pd.DataFrame({"y": yv, "t": z.astype(float), "c": cl, "p": pe})
    if method == "cluster_period_means":
        return _cluster_period_means_effect(frame, conf_level)
    if method == "mixed_model":
        return _mixed_model_effect(frame, conf_level)
    raise ValueError("method must be 'cluster_period_means' or 'mixed_model'")


_COMMON_TREND = (
    "period effects common to all clusters",
    "treatment effect constant over exposure time and clusters",
)


def _cluster_period_means_effect(frame: pd.DataFrame, conf_level: float) -> EstimateResult:
    """OLS of cluster-period means on treatment and two-way fixed effects, CR2 by cluster."""
    means = frame.groupby(["c", "p"], sort=True, observed=True).agg(
        y=("y", "mean"), t=("t", "mean")
    )
    means = means.reset_index()
    if np.any((means["t"] > 0) & (means["t"] < 1)):
        raise ValueError("treatment must be constant within each cluster-period")
    fit = fit_ols(
        means["y"].to_numpy(),
        _two_way_design(means),
        cluster=means["c"].to_numpy(),
        se_type="CR2",
        conf_level=conf_level,
    )
    result = coefficient_result(
        fit,
        "treatment",
        method="stepped_wedge_cluster_period_means",
        effect_measure="mean_difference",
        assumptions=_COMMON_TREND,
        extra={"n_cluster_periods": len(means)},
    )
    return replace(result, n_units=len(frame))


def _two_way_design(means: pd.DataFrame) -> pd.DataFrame:
    """Intercept, treatment, and cluster and period dummies (first level of each dropped)."""
    c_d = pd.get_dummies(means["c"], drop_first=True, dtype=float)
    p_d = pd.get_dummies(means["p"], drop_first=True, dtype=float)
    c_d.columns = [f"cluster[{c}]" for c in c_d.columns]
    p_d.columns = [f"period[{p}]" for p in p_d.columns]
    return pd.concat(
        [
            pd.Series(1.0, index=means.index, name="intercept"),
            means["t"].rename("treatment"),
            c_d,
            p_d,
        ],
        axis=1,
    )


def _mixed_model_effect(frame: pd.DataFrame, conf_level: float) -> EstimateResult:
    """Hussey & Hughes' mixed model by REML, GLS standard error, t with ``G - 2`` df."""
    G = int(frame["c"].nunique())
    model, res, warns = _reml_fit(frame)
    se = _gls_std_error(
        np.asarray(model.exog, dtype=np.float64),
        frame["c"].to_numpy(),
        float(res.scale),
        float(res.cov_re.iloc[0, 0]),
        list(model.exog_names).index("t"),
    )
    if G < FEW_CLUSTERS:
        warns.append(
            StatWarning(
                "few_clusters",
                f"fewer than {FEW_CLUSTERS} clusters ({G}): t reference with G - 2 df used",
            )
        )
    return wald_estimate(
        float(res.fe_params["t"]),
        se,
        df=float(max(G - 2, 1)),
        conf_level=conf_level,
        method="stepped_wedge_mixed_model",
        effect_measure="mean_difference",
        n_units=len(frame),
        n_clusters=G,
        assumptions=("random cluster intercept, normal (Hussey & Hughes 2007)", *_COMMON_TREND),
        warnings=tuple(warns),
        extra={
            "between_cluster_variance": float(res.cov_re.iloc[0, 0]),
            "residual_variance": float(res.scale),
            "estimation": "REML",
        },
    )


def _reml_fit(frame: pd.DataFrame) -> tuple[Any, Any, list[StatWarning]]:
    """statsmodels MixedLM ``y ~ t + C(p)`` with a random intercept per cluster, by REML, and
    the warnings its fit raised, as data conditions (no convergence, a boundary fit)."""
    import statsmodels.formula.api as smf

    frame["p"] = frame["p"].astype(str)
    model = smf.mixedlm("y ~ t + C(p)", frame, groups=frame["c"])
    with np.errstate(all="ignore"), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = model.fit(reml=True)
    warns: list[StatWarning] = []
    if not res.converged or any("converge" in str(w.message).lower() for w in caught):
        warns.append(StatWarning("non_convergence", "mixed model REML fit did not converge"))
    if any("boundary" in str(w.message).lower() for w in caught):
        warns.append(StatWarning("boundary_fit", "between-cluster variance estimated at zero"))
    return model, res, warns


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
    sums = group_sums(codes, X, G)
    w = tau2 / (sigma2 + sizes * tau2)
    info = (X.T @ X - (sums * w[:, None]).T @ sums) / sigma2
    cov = np.linalg.inv(info)
    return math.sqrt(max(float(cov[index, index]), 0.0))
