"""Tests for infuse.stats.power.stepped_wedge against brute-force GLS and published tables."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import stats

from infuse.stats.power.stepped_wedge import (
    power_stepped_wedge,
    stepped_wedge_schedule,
    stepped_wedge_variance,
)


def test_schedule_grid_standard_layout() -> None:
    sched = stepped_wedge_schedule(10, 5)
    grid = sched.as_array()
    assert grid.shape == (10, 6)
    assert (grid[:, 0] == 0).all() and (grid[:, -1] == 1).all()
    assert sched.step_of_cluster == (1, 1, 2, 2, 3, 3, 4, 4, 5, 5)
    assert sched.switch_period == (1, 1, 2, 2, 3, 3, 4, 4, 5, 5)
    # once treated, always treated
    assert (np.diff(grid, axis=1) >= 0).all()
    uneven = stepped_wedge_schedule(7, 3, n_periods=6, baseline_periods=2)
    assert uneven.step_of_cluster == (1, 1, 1, 2, 2, 3, 3)
    assert uneven.as_array()[0].tolist() == [0, 0, 1, 1, 1, 1]
    with pytest.raises(ValueError):
        stepped_wedge_schedule(3, 4)
    with pytest.raises(ValueError):
        stepped_wedge_schedule(6, 3, n_periods=3)


def _gls_variance_brute_force(x: np.ndarray, sigma2_mean: float, tau2: float) -> float:
    """Independent check: GLS of cluster-period means on period dummies + treatment with the
    full (I*T x I*T) block covariance inverted numerically."""
    n_clusters, n_periods = x.shape
    design = np.zeros((n_clusters * n_periods, n_periods + 1))
    for i in range(n_clusters):
        for j in range(n_periods):
            row = i * n_periods + j
            design[row, j] = 1.0
            design[row, -1] = x[i, j]
    block = sigma2_mean * np.eye(n_periods) + tau2 * np.ones((n_periods, n_periods))
    cov = np.kron(np.eye(n_clusters), block)
    info = design.T @ np.linalg.inv(cov) @ design
    return float(np.linalg.inv(info)[-1, -1])


@pytest.mark.parametrize(
    ("clusters", "steps", "periods", "size", "sigma2", "tau2"),
    [(10, 5, None, 50, 1.0, 0.05), (24, 4, None, 120, 0.0475, 0.0001), (7, 3, 6, 20, 2.0, 0.5)],
)
def test_hussey_hughes_variance_equals_brute_force_gls(
    clusters: int, steps: int, periods: int | None, size: int, sigma2: float, tau2: float
) -> None:
    sched = stepped_wedge_schedule(clusters, steps, n_periods=periods)
    closed = stepped_wedge_variance(
        sched,
        cluster_period_size=size,
        within_cluster_variance=sigma2,
        between_cluster_variance=tau2,
    )
    brute = _gls_variance_brute_force(sched.as_array(), sigma2 / size, tau2)
    assert closed == pytest.approx(brute, rel=1e-10)


def test_hussey_hughes_variance_on_individual_level_gls() -> None:
    """Independent check at the individual level: GLS with each person a row (N = 3 per
    cluster-period), random cluster intercept, so the cluster-period mean reduction is tested."""
    sched = stepped_wedge_schedule(4, 3)
    x = sched.as_array()
    n_per, sigma2, tau2 = 3, 1.3, 0.4
    rows, clusters = [], []
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            for _ in range(n_per):
                dummies = [0.0] * x.shape[1]
                dummies[j] = 1.0
                rows.append([*dummies, float(x[i, j])])
                clusters.append(i)
    design = np.array(rows)
    cl = np.array(clusters)
    cov = sigma2 * np.eye(len(cl)) + tau2 * (cl[:, None] == cl[None, :])
    brute = np.linalg.inv(design.T @ np.linalg.inv(cov) @ design)[-1, -1]
    closed = stepped_wedge_variance(
        sched,
        cluster_period_size=n_per,
        within_cluster_variance=sigma2,
        between_cluster_variance=tau2,
    )
    assert closed == pytest.approx(brute, rel=1e-10)


@pytest.mark.parametrize(("steps", "n", "icc"), [(4, 20, 0.05), (5, 50, 0.1), (3, 10, 0.2)])
def test_hussey_hughes_matches_woertman_design_effect(steps: int, n: int, icc: float) -> None:
    """Woertman et al. (2013, J Clin Epidemiol 66:752) design effect for a standard stepped
    wedge (b = 1 baseline, t = 1 measurement per step, n per measurement):
    DE = (1 + rho (k t n + b n - 1)) / (1 + rho (k t n / 2 + b n - 1))
         * 3 (1 - rho) / (2 t (k - 1/k)),
    applied to the number of individuals per measurement round (N_sw = I n; the whole study
    measures (b + k t) N_sw), so Var_SW = 4 sigma^2 DE / (I n): an independently published
    closed form."""
    k, b, t = steps, 1, 1
    clusters = 2 * steps
    total_var = 1.0
    de = (1 + icc * (k * t * n + b * n - 1)) / (1 + icc * (k * t * n / 2 + b * n - 1))
    de *= 3 * (1 - icc) / (2 * t * (k - 1 / k))
    woertman = 4 * total_var * de / (clusters * n)
    hh = stepped_wedge_variance(
        stepped_wedge_schedule(clusters, steps),
        cluster_period_size=n,
        within_cluster_variance=(1 - icc) * total_var,
        between_cluster_variance=icc * total_var,
    )
    assert hh == pytest.approx(woertman, rel=1e-10)


def test_stepped_wedge_power_continuous_and_mde() -> None:
    r = power_stepped_wedge(
        n_clusters=10,
        n_steps=5,
        cluster_period_size=50,
        effect=0.2,
        within_cluster_variance=1.0,
        icc=0.05,
    )
    var = stepped_wedge_variance(
        stepped_wedge_schedule(10, 5),
        cluster_period_size=50,
        within_cluster_variance=1.0,
        between_cluster_variance=0.05 / 0.95,
    )
    assert r.std_error == pytest.approx(math.sqrt(var))
    assert r.power == pytest.approx(stats.norm.cdf(0.2 / math.sqrt(var) - 1.959963984540054))
    mde = power_stepped_wedge(
        n_clusters=10,
        n_steps=5,
        cluster_period_size=50,
        power=r.power,
        within_cluster_variance=1.0,
        icc=0.05,
    )
    assert mde.effect == pytest.approx(0.2, rel=1e-7)
    assert mde.warnings[0].code == "few_clusters"
    json.dumps(r.to_dict())


def test_stepped_wedge_binary_uses_mean_proportion_variance() -> None:
    """Hussey & Hughes (2007, section 3) binary example layout (24 clusters, 4 steps of 6,
    5 periods, p0 = 0.05 vs p1 = 0.035, tau = 0.01, the swCRTdesign ``swPwr`` Example 1 with
    n = 120): sigma_e^2 = pbar (1 - pbar), checked against brute-force GLS."""
    r = power_stepped_wedge(
        n_clusters=24,
        n_steps=4,
        cluster_period_size=120,
        outcome="binary",
        p_control=0.05,
        p_treatment=0.035,
        between_cluster_variance=0.01**2,
    )
    pbar = (0.05 + 0.035) / 2
    brute = _gls_variance_brute_force(
        stepped_wedge_schedule(24, 4).as_array(), pbar * (1 - pbar) / 120, 0.01**2
    )
    assert r.std_error == pytest.approx(math.sqrt(brute), rel=1e-10)
    assert r.effect == pytest.approx(-0.015)
    assert 0.0 < r.power < 1.0
    solved = power_stepped_wedge(
        n_clusters=24,
        n_steps=4,
        cluster_period_size=120,
        outcome="binary",
        p_control=0.05,
        power=r.power,
        between_cluster_variance=0.01**2,
    )
    # Solved upwards from p_control; a rise has a larger binomial variance than the 0.015 fall.
    assert solved.effect > 0.015
    again = power_stepped_wedge(
        n_clusters=24,
        n_steps=4,
        cluster_period_size=120,
        outcome="binary",
        p_control=0.05,
        p_treatment=0.05 + solved.effect,
        between_cluster_variance=0.01**2,
    )
    assert again.power == pytest.approx(r.power, abs=1e-9)


def test_stepped_wedge_solves_cluster_period_size() -> None:
    """Solving for N inverts the power calculation (continuous and binary)."""
    base = power_stepped_wedge(
        n_clusters=10,
        n_steps=5,
        cluster_period_size=37,
        effect=0.2,
        within_cluster_variance=1.0,
        icc=0.05,
    )
    solved = power_stepped_wedge(
        n_clusters=10,
        n_steps=5,
        power=base.power,
        effect=0.2,
        within_cluster_variance=1.0,
        icc=0.05,
    )
    assert solved.solved_for == "cluster_period_size"
    assert solved.sample_size["cluster_period_size"] == pytest.approx(37, rel=1e-6)
    assert solved.sample_size_rounded_up == {"cluster_period_size": 37}
    binary = power_stepped_wedge(
        n_clusters=24,
        n_steps=4,
        outcome="binary",
        p_control=0.05,
        p_treatment=0.035,
        between_cluster_variance=0.01**2,
        power=0.8,
    )
    check = power_stepped_wedge(
        n_clusters=24,
        n_steps=4,
        outcome="binary",
        p_control=0.05,
        p_treatment=0.035,
        between_cluster_variance=0.01**2,
        cluster_period_size=binary.sample_size["cluster_period_size"],
    )
    assert check.power == pytest.approx(0.8, abs=1e-8)
    with pytest.raises(ValueError, match="exactly one"):
        power_stepped_wedge(
            n_clusters=10, n_steps=5, effect=0.2, within_cluster_variance=1.0, icc=0.05
        )


@pytest.mark.parametrize(
    ("cluster_size", "steps", "design_effect", "sample_size", "power_percent"),
    [(10, 4, 0.535, 440, 81.8), (20, 3, 0.767, 660, 83.5), (20, 4, 0.572, 480, 82.5)],
)
def test_stepped_wedge_reproduces_kristunas_2017_table_2(
    cluster_size: int, steps: int, design_effect: float, sample_size: int, power_percent: float
) -> None:
    """Kristunas et al. (2017), 'An imbalance in cluster sizes does not lead to notable loss of
    power in cross-sectional, stepped-wedge cluster randomised trials with a continuous
    outcome', Trials 18, doi:10.1186/s13063-017-1832-8, Table 2, rows 'Woertman et al.' with
    no imbalance (CV = 0): design effect, sample size (people per measurement round) and
    power for standard stepped wedges with one baseline period. The table's six numbers are
    reproduced together with total variance 1, ICC 0.05 and effect 0.2 SD (values not printed
    in the table itself): the DE to 3 decimals and the Hussey-Hughes power to 0.1%."""
    n_clusters = sample_size // cluster_size
    icc = 0.05
    variance = stepped_wedge_variance(
        stepped_wedge_schedule(n_clusters, steps),
        cluster_period_size=cluster_size,
        within_cluster_variance=1 - icc,
        between_cluster_variance=icc,
    )
    assert round(variance * n_clusters * cluster_size / 4, 3) == design_effect
    r = power_stepped_wedge(
        n_clusters=n_clusters,
        n_steps=steps,
        cluster_period_size=cluster_size,
        effect=0.2,
        within_cluster_variance=1 - icc,
        icc=icc,
    )
    assert round(100 * r.power, 1) == power_percent
    # ... and one step's worth of clusters fewer would fall short of 80%.
    fewer = power_stepped_wedge(
        n_clusters=n_clusters - steps,
        n_steps=steps,
        cluster_period_size=cluster_size,
        effect=0.2,
        within_cluster_variance=1 - icc,
        icc=icc,
    )
    assert fewer.power < 0.8 <= r.power
