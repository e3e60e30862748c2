"""Treatment effects by subgroup and a joint test that they are equal."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

from infuse.stats._common import FloatArray
from infuse.stats.estimation._inputs import checked_trial
from infuse.stats.regression.ols import OLSFit, coefficient_result, fit_ols
from infuse.stats.results import EstimateResult, StatWarning, json_ready

__all__ = ["HeterogeneityResult", "subgroup_heterogeneity"]


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
    yv, treated = checked_trial(y, treatment, conf_level)
    z = treated.astype(np.float64)
    labels, onehot = _subgroups(subgroup, z)
    k = len(labels)
    names = [f"level[{lab}]" for lab in labels] + [f"treatment[{lab}]" for lab in labels]
    fit = fit_ols(
        yv,
        np.column_stack([onehot, onehot * z[:, None]]),
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
    F, df_denom, p = _equality_test(fit, k)
    return HeterogeneityResult(
        subgroup_effects=effects,
        statistic=F,
        df_num=k - 1,
        df_denom=df_denom,
        p_value=p,
        se_type=fit.se_type,
        warnings=fit.warnings,
    )


def _subgroups(subgroup: ArrayLike, z: FloatArray) -> tuple[Any, FloatArray]:
    """The sorted subgroup labels and the ``n x k`` indicator matrix, each subgroup checked to
    hold both arms."""
    n = z.shape[0]
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
    return labels, onehot


def _equality_test(fit: OLSFit, k: int) -> tuple[float, float, float]:
    """``F = (R tau)' (R V R')^{-1} (R tau) / q`` for equal subgroup effects (``R`` the
    successive differences), its denominator df and p-value."""
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
    return F, df_denom, float(stats.f.sf(F, q, df_denom))
