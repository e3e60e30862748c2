"""Tests for ``infuse.stats.estimation.cluster``: CR2 against statsmodels OLS and the
randomisation p-value against brute-force enumeration of the cluster assignments.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import statsmodels.api as sm

from infuse.stats.estimation.cluster import cluster_randomised_effect


def test_cluster_randomised_few_clusters_reports_randomisation_inference() -> None:
    """Ten councils: CR2 estimate as statsmodels OLS; the exact randomisation p-value agrees
    with brute-force enumeration of the 252 cluster assignments written here."""
    rng = np.random.default_rng(12)
    sizes = rng.integers(30, 80, 10)
    cluster = np.repeat(np.arange(10), sizes)
    zc = np.array([1, 1, 0, 1, 0, 0, 1, 0, 1, 0])
    z = zc[cluster]
    y = rng.normal(size=10)[cluster] + rng.normal(size=cluster.size) + 0.6 * z
    res = cluster_randomised_effect(y, z, cluster, seed=1)
    ols = sm.OLS(y, sm.add_constant(z.astype(float))).fit()
    assert res.estimate == pytest.approx(ols.params[1], rel=1e-10)
    assert res.n_clusters == 10
    codes = [w.code for w in res.warnings]
    assert codes == ["few_clusters"]
    assert "randomisation inference reported" in res.warnings[0].detail
    observed = abs(res.estimate)
    count = 0
    for treated in itertools.combinations(range(10), 5):
        mask = np.isin(cluster, treated)
        count += abs(y[mask].mean() - y[~mask].mean()) >= observed - 1e-12
    assert res.extra["randomisation_exact"] is True
    assert res.extra["randomisation_p_value"] == pytest.approx(count / 252, abs=1e-12)
    assert 0.0 <= res.extra["wild_bootstrap_p_value"] <= 1.0
    assert res.extra["randomisation_ci_low"] < res.estimate < res.extra["randomisation_ci_high"]
    assert res.df is not None and res.df < 9
