"""The effect in a cluster-randomised trial, with small-sample inference."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from infuse.stats._common import FEW_CLUSTERS, FloatArray
from infuse.stats.estimation._inputs import as_covariates, checked_trial, drop_constant
from infuse.stats.inference import RandomisationResult, randomisation_test
from infuse.stats.regression.ols import coefficient_result, fit_ols
from infuse.stats.regression.wild_bootstrap import WildBootstrapResult, wild_cluster_bootstrap
from infuse.stats.results import EstimateResult, StatWarning

__all__ = ["cluster_randomised_effect"]


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
    yv, z = checked_trial(y, treatment, conf_level)
    design, names = _design(z, covariates)
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
        extra = _few_cluster_inference(ri, wb, seed)
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
    return replace(result, warnings=tuple(warns))


def _design(z: NDArray[np.bool_], covariates: ArrayLike | None) -> tuple[FloatArray, list[str]]:
    """Intercept, treatment and the non-constant covariates centred at their means."""
    n = z.shape[0]
    cols = [np.ones(n), z.astype(np.float64)]
    names = ["intercept", "treatment"]
    if covariates is not None:
        X, cov_names = as_covariates(covariates, n)
        X, cov_names, _ = drop_constant(X, cov_names)
        cols.extend((X - X.mean(axis=0)).T)
        names.extend(cov_names)
    return np.column_stack(cols), names


def _few_cluster_inference(
    ri: RandomisationResult, wb: WildBootstrapResult, seed: int
) -> dict[str, Any]:
    """What the randomisation test and the wild bootstrap add to the result's ``extra``."""
    return {
        "randomisation_p_value": ri.p_value,
        "randomisation_exact": ri.exact,
        "randomisation_n_permutations": ri.n_permutations,
        "randomisation_statistic": "difference_in_means",
        "randomisation_ci_low": ri.ci_low,
        "randomisation_ci_high": ri.ci_high,
        "wild_bootstrap_p_value": wb.p_value,
        "wild_bootstrap_weights": wb.weights,
        "wild_bootstrap_n_draws": wb.n_draws,
        "seed": seed,
    }
