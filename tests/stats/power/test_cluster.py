"""Tests for infuse.stats.power.cluster against clusterPower's documented examples and formulas
written out."""

from __future__ import annotations

import json
import math

import pytest
from scipy import stats

from infuse.stats.power.cluster import (
    cluster_design_effect,
    power_cluster_means,
    power_cluster_proportions,
)


def test_cluster_means_reproduces_clusterpower_cpa_normal_example() -> None:
    """clusterPower ``cpa.normal`` help: ``cpa.normal(power = NA, nclusters = 16,
    nsubjects = 10, d = 1, sigma_b_sq = .5, vart = 5)`` -> power 0.801766 (ICC 0.1)."""
    by_icc = power_cluster_means(
        effect=1.0, n_clusters_per_arm=16, cluster_size=10, icc=0.1, total_variance=5.0
    )
    by_var = power_cluster_means(
        effect=1.0,
        n_clusters_per_arm=16,
        cluster_size=10,
        between_cluster_variance=0.5,
        total_variance=5.0,
    )
    assert by_icc.power == pytest.approx(0.801766, abs=1e-6)
    assert round(by_icc.power, 4) == 0.8018
    assert by_var.power == pytest.approx(by_icc.power, abs=1e-12)
    assert by_icc.df == 30
    assert by_icc.design_effect == pytest.approx(1.9)
    json.dumps(by_icc.to_dict())


def test_cluster_means_solves_clusters_like_cpa_normal() -> None:
    """clusterPower ``cpa.normal(nsubjects = 10, d = 1, ICC = .1, vart = 5)``: 'nclusters of
    greater than 15, suggests 16 clusters per condition'."""
    solved = power_cluster_means(effect=1.0, power=0.8, cluster_size=10, icc=0.1, total_variance=5)
    assert 15 < solved.sample_size["n_clusters_per_arm"] < 16
    assert solved.sample_size_rounded_up["n_clusters_per_arm"] == 16


def test_cluster_means_unequal_sizes_taylor_matches_cpa_normal() -> None:
    """clusterPower ``cpa.normal(nclusters = 20, nsubjects = 100, CV = .5, d = .2, ICC = .1,
    sigma_b_sq = .1)`` (default method "taylor") -> power 0.4559881."""
    r = power_cluster_means(
        effect=0.2,
        n_clusters_per_arm=20,
        cluster_size=100,
        cv=0.5,
        icc=0.1,
        between_cluster_variance=0.1,
        unequal_size_method="taylor",
    )
    assert r.power == pytest.approx(0.4559881, abs=1e-7)


def test_eldridge_design_effect_and_power_written_out() -> None:
    """Eldridge, Ashby & Kerry (2006) eq. 4: DE = 1 + ((cv^2 + 1) m - 1) rho; power then from
    the noncentral t with 2(k-1) df, written out here with scipy directly."""
    assert cluster_design_effect(20, 0.05, 0.6) == pytest.approx(1 + ((0.36 + 1) * 20 - 1) * 0.05)
    assert cluster_design_effect(20, 0.05, 0.0, "taylor") == pytest.approx(1 + 19 * 0.05)
    k, m, rho, cv, d, var = 8, 20, 0.05, 0.6, 0.4, 1.0
    deff = 1 + ((cv**2 + 1) * m - 1) * rho
    ncp = d / math.sqrt(2 * var * deff / (k * m))
    df = 2 * (k - 1)
    expected = stats.nct.sf(stats.t.isf(0.025, df), df, ncp)
    r = power_cluster_means(
        effect=d, n_clusters_per_arm=k, cluster_size=m, cv=cv, icc=rho, total_variance=var
    )
    assert r.power == pytest.approx(expected, abs=1e-12)
    assert r.warnings and r.warnings[0].code == "few_clusters"


def test_cluster_means_solvers_invert_each_other() -> None:
    base = power_cluster_means(
        effect=0.5, n_clusters_per_arm=10, cluster_size=25, icc=0.05, total_variance=2.0
    )
    mde = power_cluster_means(
        n_clusters_per_arm=10, cluster_size=25, power=base.power, icc=0.05, total_variance=2.0
    )
    size = power_cluster_means(
        effect=0.5, n_clusters_per_arm=10, power=base.power, icc=0.05, total_variance=2.0
    )
    assert mde.effect == pytest.approx(0.5, rel=1e-6)
    assert size.sample_size["cluster_size"] == pytest.approx(25, rel=1e-6)
    with pytest.raises(ValueError, match="cannot exceed"):
        power_cluster_means(effect=0.1, n_clusters_per_arm=3, power=0.9, icc=0.3, total_variance=1)


def test_cluster_proportions_reproduce_cpa_binary_examples() -> None:
    """clusterPower ``cpa.binary`` help (normal reference): 10 per cluster, p 0.1 vs 0.2,
    ICC 0.1, power 0.8 -> 'nclusters greater than 37, suggests 38'; with 38 clusters per arm
    'p2 greater than 0.198922 can be detected with at least 80% power'."""
    k = power_cluster_proportions(
        p_control=0.1, p_treatment=0.2, power=0.8, cluster_size=10, icc=0.1, reference="normal"
    )
    assert 37 < k.sample_size["n_clusters_per_arm"] < 38
    mde = power_cluster_proportions(
        p_control=0.1,
        power=0.8,
        cluster_size=10,
        n_clusters_per_arm=38,
        icc=0.1,
        reference="normal",
    )
    assert mde.parameters["p_treatment"] == pytest.approx(0.198922, abs=1e-6)
    # The default t reference (2(k-1) df) asks for more clusters than the normal one.
    t_ref = power_cluster_proportions(
        p_control=0.1, p_treatment=0.2, power=0.8, cluster_size=10, icc=0.1
    )
    assert t_ref.sample_size["n_clusters_per_arm"] > k.sample_size["n_clusters_per_arm"]
