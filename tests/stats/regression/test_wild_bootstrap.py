"""Tests for ``infuse.stats.regression.wild_bootstrap`` against an independent implementation.

Source: the PyPI package ``wildboottest`` (Fischer & Roodman's Python port of
fwildclusterboot/boottest), full Rademacher enumeration and Webb draws.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from infuse.stats.regression.wild_bootstrap import wild_cluster_bootstrap


def _wildboottest_pvalue(y, X, cluster, param, weights, seed, B):
    from wildboottest.wildboottest import wildboottest

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = wildboottest(
            sm.OLS(y, X),
            B=B,
            cluster=cluster,
            param=param,
            weights_type=weights,
            seed=seed,
            show=False,
        )
    return float(out["p-value"].iloc[0]), float(out["statistic"].iloc[0])


def test_wild_bootstrap_full_enumeration_matches_wildboottest() -> None:
    """G = 10 clusters, Rademacher: 2^10 = 1024 sign vectors enumerated by both -> equal."""
    rng = np.random.default_rng(5)
    G, n = 10, 400
    cluster = rng.integers(0, G, n)
    x = rng.normal(size=n)
    d = (cluster < 5).astype(float)
    y = 0.2 * d + 0.3 * x + rng.normal(size=G)[cluster] * 0.5 + rng.normal(size=n)
    X = pd.DataFrame({"const": 1.0, "x": x, "d": d})
    ours = wild_cluster_bootstrap(y, X, cluster, "d", n_draws=9999)
    ref_p, ref_t = _wildboottest_pvalue(y, X, cluster, "d", "rademacher", 1, 9999)
    assert ours.full_enumeration and ours.n_draws == 1024
    assert ours.t_stat == pytest.approx(ref_t, rel=1e-10)
    # wildboottest counts |t*| > |t| strictly; the two tie draws (w = +-1) may fall either way.
    assert abs(ours.p_value - ref_p) <= 2 / 1024 + 1e-12


def test_wild_bootstrap_webb_agrees_with_wildboottest_within_monte_carlo_error() -> None:
    """Webb weights, 9,999 draws each, different generators: agree within ~4 joint MC SEs."""
    rng = np.random.default_rng(6)
    G, n = 14, 420
    cluster = rng.integers(0, G, n)
    x = rng.normal(size=n) + rng.normal(size=G)[cluster]
    y = 0.05 * x + rng.normal(size=G)[cluster] + rng.normal(size=n)
    X = pd.DataFrame({"const": 1.0, "x": x})
    ours = wild_cluster_bootstrap(y, X, cluster, "x", n_draws=9999, weights="webb", seed=11)
    ref_p, ref_t = _wildboottest_pvalue(y, X, cluster, "x", "webb", 12, 9999)
    assert ours.t_stat == pytest.approx(ref_t, rel=1e-10)
    assert 0.02 < ref_p < 0.98  # a p-value in the informative range
    joint_se = np.sqrt(2 * ref_p * (1 - ref_p) / 9999)
    assert abs(ours.p_value - ref_p) < 4 * joint_se + 1e-3
    again = wild_cluster_bootstrap(y, X, cluster, "x", n_draws=9999, weights="webb", seed=11)
    assert again.p_value == ours.p_value  # seeded
