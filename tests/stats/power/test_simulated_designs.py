"""Tests for infuse.stats.power.simulated_designs: vectorised analyses against statsmodels,
simulated power against closed forms (within Monte-Carlo error)."""

from __future__ import annotations

import math
import tracemalloc

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import stats

from infuse.stats.power.cluster import power_cluster_means, power_cluster_proportions
from infuse.stats.power.simulated_designs import (
    ClusterBinaryDesign,
    ClusterContinuousDesign,
    IndividualBinaryDesign,
    IndividualContinuousDesign,
    SteppedWedgeDesign,
    stepped_wedge_fixed_effects_batch,
    stepped_wedge_gls_batch,
)
from infuse.stats.power.simulation import simulate_power
from infuse.stats.power.stepped_wedge import (
    power_stepped_wedge,
    stepped_wedge_schedule,
    stepped_wedge_variance,
)
from infuse.stats.power.two_arm import power_two_proportions
from tests.stats.power._monte_carlo import N_SIM, _within


def _sw_frame(design: SteppedWedgeDesign, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    data = design.generate(np.random.default_rng(seed))
    frame = pd.DataFrame(data)
    shape = design.schedule.as_array().shape
    return frame, frame["mean"].to_numpy().reshape(shape)


def test_fixed_effects_batch_equals_statsmodels_ols_with_dummies() -> None:
    design = SteppedWedgeDesign.standard(
        7,
        3,
        n_periods=5,
        cluster_period_size=20,
        effect=0.3,
        between_cluster_variance=0.2,
        period_effects=(0.0, 0.1, 0.3, 0.2, 0.5),
    )
    x = design.schedule.as_array().astype(float)
    frames = [_sw_frame(design, s) for s in range(4)]
    theta, se, df = stepped_wedge_fixed_effects_batch(np.stack([y for _, y in frames]), x)
    for b, (frame, _) in enumerate(frames):
        fit = smf.ols("mean ~ treated + C(cluster) + C(period)", data=frame).fit()
        assert theta[b] == pytest.approx(fit.params["treated"], abs=1e-10)
        assert se[b] == pytest.approx(fit.bse["treated"], rel=1e-9)
        assert df == fit.df_resid


def test_gls_batch_equals_statsmodels_gls_and_hussey_hughes() -> None:
    sched = stepped_wedge_schedule(6, 3)
    x = sched.as_array().astype(float)
    sigma2_mean, tau2 = 0.02, 0.05
    design = SteppedWedgeDesign(
        schedule=sched,
        cluster_period_size=50,
        effect=0.1,
        within_cluster_variance=1.0,
        between_cluster_variance=tau2,
    )
    frames = [_sw_frame(design, s) for s in range(3)]
    theta, var = stepped_wedge_gls_batch(np.stack([y for _, y in frames]), x, sigma2_mean, tau2)
    n_periods = x.shape[1]
    block = sigma2_mean * np.eye(n_periods) + tau2 * np.ones((n_periods, n_periods))
    sigma = np.kron(np.eye(x.shape[0]), block)
    for b, (frame, _) in enumerate(frames):
        exog = pd.get_dummies(frame["period"].astype(int), prefix="p", dtype=float)
        exog["treated"] = frame["treated"]
        fit = sm.GLS(frame["mean"], exog, sigma=sigma).fit()
        assert theta[b] == pytest.approx(fit.params["treated"], abs=1e-10)
        assert var == pytest.approx(fit.normalized_cov_params.loc["treated", "treated"], rel=1e-9)
    assert var == pytest.approx(
        stepped_wedge_variance(
            sched,
            cluster_period_size=50,
            within_cluster_variance=1.0,
            between_cluster_variance=tau2,
        ),
        rel=1e-10,
    )


def test_individual_continuous_matches_noncentral_t() -> None:
    """Closed form: R power.t.test(n = 20, delta = 1) = 0.8689528."""
    r = simulate_power(IndividualContinuousDesign(20, 20, 1.0), n_simulations=N_SIM, seed=11)
    assert _within(r.power, 0.8689528, N_SIM)
    assert r.mc_std_error == pytest.approx(math.sqrt(r.power * (1 - r.power) / N_SIM))
    assert r.ci_low < r.power < r.ci_high


def test_individual_binary_matches_normal_approximation() -> None:
    """Closed form (normal approximation): R power.prop.test(n = 50, .5, .75) = 0.7401659;
    the exact z-test power differs from the approximation by about 0.01 at n = 50."""
    truth = power_two_proportions(p_control=0.5, p_treatment=0.75, n_control=50).power
    r = simulate_power(IndividualBinaryDesign(50, 50, 0.5, 0.75), n_simulations=N_SIM, seed=12)
    assert _within(r.power, truth, N_SIM, extra=0.015)


def test_cluster_design_matches_cpa_normal() -> None:
    """Closed form: clusterPower cpa.normal example, power 0.8018."""
    truth = power_cluster_means(
        effect=1.0, n_clusters_per_arm=16, cluster_size=10, icc=0.1, total_variance=5.0
    ).power
    r = simulate_power(
        ClusterContinuousDesign(16, 10, 1.0, icc=0.1, total_variance=5.0),
        n_simulations=N_SIM,
        seed=13,
    )
    assert _within(r.power, truth, N_SIM)


@pytest.mark.parametrize(
    ("k", "m", "p_c", "p_t", "icc"), [(38, 10, 0.1, 0.2, 0.1), (8, 30, 0.3, 0.45, 0.05)]
)
def test_cluster_binary_design_matches_donner_klar(
    k: int, m: int, p_c: float, p_t: float, icc: float
) -> None:
    """Closed form: power_cluster_proportions (clusterPower cpa.binary's formula; its example
    has 38 clusters of 10, p 0.1 vs 0.2, ICC 0.1). Beta-binomial clusters, t test on cluster
    proportions; the closed form's normal approximation is allowed 0.01."""
    truth = power_cluster_proportions(
        p_control=p_c, p_treatment=p_t, n_clusters_per_arm=k, cluster_size=m, icc=icc
    ).power
    r = simulate_power(ClusterBinaryDesign(k, m, p_c, p_t, icc), n_simulations=N_SIM, seed=17)
    assert _within(r.power, truth, N_SIM, extra=0.01)


def test_cluster_binary_generate_has_the_stated_icc() -> None:
    """Independent check of the data-generating model: the one-way ANOVA estimator of the ICC
    (Donner & Klar 2000, eq. 2.1) on pooled simulated trials recovers the ICC."""
    design = ClusterBinaryDesign(200, 40, 0.3, 0.3, 0.08)
    data = design.generate(np.random.default_rng(5))
    cluster = data["cluster"].astype(int)
    y = data["outcome"]
    g, m = 400, 40
    means = np.bincount(cluster, y) / m
    msb = m * ((means - y.mean()) ** 2).sum() / (g - 1)
    msw = ((y - means[cluster]) ** 2).sum() / (g * (m - 1))
    icc_hat = (msb - msw) / (msb + (m - 1) * msw)
    assert icc_hat == pytest.approx(0.08, abs=0.02)


def test_stepped_wedge_gls_matches_hussey_hughes() -> None:
    truth = power_stepped_wedge(
        n_clusters=10,
        n_steps=5,
        cluster_period_size=50,
        effect=0.2,
        within_cluster_variance=1.0,
        between_cluster_variance=0.05,
    ).power
    design = SteppedWedgeDesign.standard(
        10,
        5,
        cluster_period_size=50,
        effect=0.2,
        within_cluster_variance=1.0,
        between_cluster_variance=0.05,
        period_effects=(0.0, 0.5, 0.2, 0.1, -0.3, 0.4),
    )
    r = simulate_power(design, n_simulations=N_SIM, seed=14)
    assert _within(r.power, truth, N_SIM)


def test_stepped_wedge_fixed_effects_matches_noncentral_t() -> None:
    """With cluster fixed effects the cluster intercepts cancel, so the t statistic is exactly
    noncentral t with df (I-1)(T-1)-1 and ncp theta / sqrt(sigma^2_mean / sum x~^2)."""
    sched = stepped_wedge_schedule(10, 5)
    x = sched.as_array().astype(float)
    xt = x - x.mean(axis=1, keepdims=True) - x.mean(axis=0, keepdims=True) + x.mean()
    ncp = 0.2 / math.sqrt((1.0 / 50) / (xt**2).sum())
    df = 9 * 5 - 1
    tcrit = stats.t.isf(0.025, df)
    truth = stats.nct.sf(tcrit, df, ncp) + stats.nct.cdf(-tcrit, df, ncp)
    design = SteppedWedgeDesign(
        schedule=sched,
        cluster_period_size=50,
        effect=0.2,
        within_cluster_variance=1.0,
        between_cluster_variance=0.5,
    )
    r = simulate_power(design, analysis="fixed_effects", n_simulations=N_SIM, seed=15)
    assert _within(r.power, truth, N_SIM)


def test_stepped_wedge_binary_close_to_hussey_hughes_binary() -> None:
    """Hussey & Hughes (2007) binary layout (24 clusters, 4 steps, p 0.05 -> 0.035, tau 0.01,
    N = 120): the linear-probability simulation analysed by GLS against the closed form, which
    uses pbar(1 - pbar) for the binomial variance (an approximation: tolerance 0.02)."""
    truth = power_stepped_wedge(
        n_clusters=24,
        n_steps=4,
        cluster_period_size=120,
        outcome="binary",
        p_control=0.05,
        p_treatment=0.035,
        between_cluster_variance=0.01**2,
    ).power
    design = SteppedWedgeDesign.standard(
        24,
        4,
        cluster_period_size=120,
        effect=-0.015,
        outcome="binary",
        p_control=0.05,
        between_cluster_variance=0.01**2,
    )
    r = simulate_power(design, n_simulations=100_000, seed=31)
    assert _within(r.power, truth, 100_000, extra=0.02)


def test_stepped_wedge_gls_tight_agreement_with_many_simulations() -> None:
    """200,000 simulations: agreement with the closed form to about 0.004."""
    truth = power_stepped_wedge(
        n_clusters=12,
        n_steps=4,
        cluster_period_size=25,
        effect=0.25,
        within_cluster_variance=1.5,
        icc=0.08,
    ).power
    tau2 = 0.08 * 1.5 / 0.92
    design = SteppedWedgeDesign.standard(
        12,
        4,
        cluster_period_size=25,
        effect=0.25,
        within_cluster_variance=1.5,
        between_cluster_variance=tau2,
    )
    r = simulate_power(design, n_simulations=200_000, seed=32, chunk_size=5000)
    assert _within(r.power, truth, 200_000)


@pytest.mark.parametrize(
    "design",
    [
        IndividualContinuousDesign(n_control=10**6, n_treatment=10**6, effect=0.1, sd=1.0),
        IndividualBinaryDesign(n_control=10**6, n_treatment=10**6, p_control=0.3, p_treatment=0.2),
        ClusterContinuousDesign(
            n_clusters_per_arm=2_000, cluster_size=50, effect=0.1, icc=0.05, total_variance=1.0
        ),
        ClusterBinaryDesign(
            n_clusters_per_arm=2_000, cluster_size=50, p_control=0.3, p_treatment=0.2, icc=0.05
        ),
        SteppedWedgeDesign.standard(
            200, 20, cluster_period_size=30, effect=0.2, between_cluster_variance=0.05
        ),
    ],
    ids=lambda design: design.name,
)
def test_values_per_trial_bounds_what_a_chunk_of_trials_holds(design):
    """The service refuses to simulate designs by ``values_per_trial``; it must predict the
    memory a chunk of trials takes (measured here by tracemalloc, which numpy reports to)."""
    chunk = 250
    tracemalloc.start()
    try:
        design.simulate_p_values(np.random.default_rng(7), chunk, "default")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    held_per_trial = peak / chunk / 8  # float64 values
    assert held_per_trial <= 8 * design.values_per_trial + 64
    assert held_per_trial >= design.values_per_trial / 2
