"""Tests for infuse.stats.power.simulation: the type I error under the null, seeds, progress,
custom designs and callable analyses, failed analyses and argument checks."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from scipy import stats

from infuse.stats.power.cluster import power_cluster_means
from infuse.stats.power.simulated_designs import (
    ClusterContinuousDesign,
    IndividualContinuousDesign,
    SteppedWedgeDesign,
)
from infuse.stats.power.simulation import CustomDesign, simulate_power
from infuse.stats.power.two_arm import power_two_means
from infuse.stats.results import EstimateResult
from tests.stats.power._monte_carlo import N_SIM, _within


def test_type_one_error_is_alpha_under_the_null() -> None:
    design = SteppedWedgeDesign.standard(
        10, 5, cluster_period_size=30, effect=0.0, between_cluster_variance=0.1
    )
    for analysis in ("gls", "fixed_effects"):
        r = simulate_power(design, analysis=analysis, n_simulations=N_SIM, seed=16)
        assert _within(r.power, 0.05, N_SIM)


def test_seeded_and_reports_progress() -> None:
    calls: list[tuple[int, int]] = []
    design = IndividualContinuousDesign(15, 15, 0.5)
    a = simulate_power(
        design,
        n_simulations=1000,
        seed=5,
        chunk_size=300,
        progress=lambda d, t: calls.append((d, t)),
    )
    b = simulate_power(design, n_simulations=1000, seed=5, chunk_size=300)
    c = simulate_power(design, n_simulations=1000, seed=6, chunk_size=300)
    assert calls == [(300, 1000), (600, 1000), (900, 1000), (1000, 1000)]
    assert a == b
    assert a.n_rejections != c.n_rejections
    record = a.to_dict()
    assert record["seed"] == 5 and record["chunk_size"] == 300
    assert record["parameters"]["n_control"] == 15


def test_custom_design_and_callable_analysis_agree_with_closed_form() -> None:
    """A design given as a plain generator and analysed trial by trial with scipy's t test."""

    def two_arms(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        return rng.normal(0.0, 2.0, 25), rng.normal(1.2, 2.0, 25)

    def t_test(data: tuple[np.ndarray, np.ndarray]) -> float:
        return float(stats.ttest_ind(data[1], data[0]).pvalue)

    n = 3000
    r = simulate_power(CustomDesign(two_arms), analysis=t_test, n_simulations=n, seed=21)
    truth = power_two_means(effect=1.2, sd=2.0, n_control=25).power
    assert _within(r.power, truth, n)
    assert r.analysis == "t_test"


def test_builtin_design_with_callable_analysis_on_individual_data() -> None:
    """The cluster design's individual-level data analysed trial by trial (cluster means, then
    scipy's two-sample t test, returned as an EstimateResult) gives the closed-form power."""

    def cluster_means_t_test(data: dict[str, np.ndarray]) -> EstimateResult:
        cluster = data["cluster"].astype(int)
        means = np.bincount(cluster, data["outcome"]) / np.bincount(cluster)
        arm = np.bincount(cluster, data["treatment"]) / np.bincount(cluster)
        test = stats.ttest_ind(means[arm == 1], means[arm == 0])
        diff = float(means[arm == 1].mean() - means[arm == 0].mean())
        return EstimateResult(
            estimate=diff,
            std_error=diff / float(test.statistic),
            ci_low=math.nan,
            ci_high=math.nan,
            p_value=float(test.pvalue),
            method="cluster_means_t_test",
            effect_measure="mean_difference",
            n_units=int(cluster.size),
            n_clusters=int(means.size),
        )

    design = ClusterContinuousDesign(6, 8, 0.8, icc=0.05)
    n = 3000
    r = simulate_power(design, analysis=cluster_means_t_test, n_simulations=n, seed=22)
    truth = power_cluster_means(
        effect=0.8, n_clusters_per_arm=6, cluster_size=8, icc=0.05, total_variance=1.0
    ).power
    assert _within(r.power, truth, n)


def test_failed_analyses_are_counted_and_warned() -> None:
    def flaky(data: Any) -> float:
        return math.nan if data < 0 else 0.01

    r = simulate_power(
        CustomDesign(lambda rng: rng.normal()), analysis=flaky, n_simulations=400, seed=3
    )
    assert r.n_failed > 100
    assert r.power == pytest.approx((400 - r.n_failed) / 400)
    assert [w.code for w in r.warnings] == ["analysis_failed"]


def test_bad_arguments_raise() -> None:
    with pytest.raises(TypeError):
        simulate_power(CustomDesign(lambda rng: 0.0), n_simulations=10, seed=1)
    with pytest.raises(ValueError):
        simulate_power(IndividualContinuousDesign(5, 5, 1.0), n_simulations=0, seed=1)
    with pytest.raises(ValueError, match="unknown analysis"):
        simulate_power(IndividualContinuousDesign(5, 5, 1.0), analysis="anova", seed=1)
    with pytest.raises(ValueError):
        SteppedWedgeDesign.standard(4, 2, cluster_period_size=10, effect=0.1, outcome="binary")
