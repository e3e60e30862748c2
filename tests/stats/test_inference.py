"""Tests for ``infuse.stats.inference`` (randomisation inference).

Sources:
* Fisher, R. A. (1935) *The Design of Experiments*, ch. 2 ("the lady tasting tea"): 8 cups,
  4 with milk first; all four identified has p = 1/70, three of four has p = 17/70.
* scipy.stats.permutation_test with ``n_resamples=inf`` (an independent exact implementation).
* Brute-force enumeration with itertools written in this file for blocked and cluster designs.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from infuse.stats.inference import (
    count_assignments,
    random_subsets,
    randomisation_test,
    regression_adjusted_statistic,
)


def test_lady_tasting_tea_fisher_1935() -> None:
    """Fisher's exact p-values: 1/70 for a perfect score, 17/70 for three of four."""
    milk_first = np.array([1, 1, 1, 1, 0, 0, 0, 0])
    # Outcome = the lady's call; statistic = difference in the share called "milk first".
    perfect = randomisation_test(milk_first.copy(), milk_first, alternative="greater")
    assert perfect.exact and perfect.n_permutations == 70
    assert perfect.p_value == pytest.approx(1 / 70, abs=1e-15)
    three = np.array([1, 1, 1, 0, 1, 0, 0, 0])
    res = randomisation_test(three, milk_first, alternative="greater")
    assert res.p_value == pytest.approx(17 / 70, abs=1e-15)


def _dm(a: np.ndarray, b: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.mean(a, axis=axis) - np.mean(b, axis=axis)


def test_exact_matches_scipy_permutation_test() -> None:
    """C(14, 6) = 3003 assignments; scipy enumerates them independently."""
    rng = np.random.default_rng(0)
    y = rng.normal(size=14)
    z = np.zeros(14, dtype=bool)
    z[:6] = True
    y[z] += 0.8
    for alternative in ("greater", "less"):
        ours = randomisation_test(y, z, alternative=alternative)
        ref = stats.permutation_test(
            (y[z], y[~z]),
            _dm,
            permutation_type="independent",
            n_resamples=np.inf,
            alternative=alternative,
            vectorized=True,
        )
        assert ours.exact and ours.n_permutations == math.comb(14, 6)
        assert ours.p_value == pytest.approx(ref.pvalue, abs=1e-12)
    # Two-sided |T| >= |t|: scipy with the absolute statistic, one-sided.
    ours = randomisation_test(y, z)
    ref = stats.permutation_test(
        (y[z], y[~z]),
        lambda a, b, axis: np.abs(_dm(a, b, axis)),
        permutation_type="independent",
        n_resamples=np.inf,
        alternative="greater",
        vectorized=True,
    )
    assert ours.p_value == pytest.approx(ref.pvalue, abs=1e-12)


def test_monte_carlo_agrees_with_exact() -> None:
    """Monte Carlo (20,000 seeded draws) lies within 4 MC standard errors of the exact p."""
    rng = np.random.default_rng(1)
    y = rng.normal(size=16) + np.r_[np.full(8, 0.7), np.zeros(8)]
    z = np.r_[np.ones(8), np.zeros(8)].astype(int)
    exact = randomisation_test(y, z)
    mc = randomisation_test(y, z, max_exact=0, n_permutations=20_000, seed=3)
    assert exact.exact and not mc.exact and mc.n_permutations == 20_000
    assert abs(mc.p_value - exact.p_value) < 4 * mc.mc_std_error
    again = randomisation_test(y, z, max_exact=0, n_permutations=20_000, seed=3)
    assert again.p_value == mc.p_value and again.seed == 3


def test_blocked_design_exact_matches_brute_force() -> None:
    """Permutation within blocks only: itertools over C(5,2) x C(6,3) x C(4,2) = 1200."""
    rng = np.random.default_rng(2)
    blocks = np.repeat([0, 1, 2], [5, 6, 4])
    z = np.concatenate([[1, 1, 0, 0, 0], [1, 1, 1, 0, 0, 0], [1, 1, 0, 0]]).astype(bool)
    y = rng.normal(size=15) + 2.0 * blocks + 0.5 * z

    def dm(mask: np.ndarray) -> float:
        return y[mask].mean() - y[~mask].mean()

    observed = dm(z)
    stats_all = []
    per_block = [np.flatnonzero(blocks == b) for b in range(3)]
    choices = [list(itertools.combinations(idx, int(z[idx].sum()))) for idx in per_block]
    for combo in itertools.product(*choices):
        mask = np.zeros(15, dtype=bool)
        for chosen in combo:
            mask[list(chosen)] = True
        stats_all.append(dm(mask))
    stats_all = np.array(stats_all)
    expected = np.mean(np.abs(stats_all) >= abs(observed) - 1e-12)
    res = randomisation_test(y, z, design="blocked", blocks=blocks)
    assert res.exact and res.n_permutations == 1200 == count_assignments([5, 6, 4], [2, 3, 2])
    assert res.p_value == pytest.approx(expected, abs=1e-12)
    assert res.null_mean == pytest.approx(stats_all.mean(), abs=1e-12)


def test_cluster_design_permutes_whole_clusters() -> None:
    """Ten councils, five treated: 252 assignments, brute-forced here over clusters."""
    rng = np.random.default_rng(4)
    sizes = rng.integers(20, 60, 10)
    cluster = np.repeat(np.arange(10), sizes)
    zc = np.array([1, 0, 1, 0, 1, 0, 1, 0, 1, 0], dtype=bool)
    y = rng.normal(size=10)[cluster] + rng.normal(size=cluster.size) + 0.4 * zc[cluster]
    observed = y[zc[cluster]].mean() - y[~zc[cluster]].mean()
    all_stats = []
    for treated in itertools.combinations(range(10), 5):
        mask = np.isin(cluster, treated)
        all_stats.append(y[mask].mean() - y[~mask].mean())
    expected = np.mean(np.abs(all_stats) >= abs(observed) - 1e-12)
    res = randomisation_test(y, zc[cluster], design="cluster", clusters=cluster)
    assert res.exact and res.n_permutations == 252 and res.n_clusters == 10
    assert res.statistic == pytest.approx(observed, rel=1e-12)
    assert res.p_value == pytest.approx(expected, abs=1e-12)
    # A custom (looped) statistic and a vectorised one agree with the built-in.
    looped = randomisation_test(
        y,
        zc[cluster],
        statistic=lambda yy, zz: yy[zz].mean() - yy[~zz].mean(),
        design="cluster",
        clusters=cluster,
    )
    vec = randomisation_test(
        y,
        zc[cluster],
        statistic=lambda yy, Z: (Z @ yy) / Z.sum(1) - (~Z @ yy) / (~Z).sum(1),
        vectorised=True,
        design="cluster",
        clusters=cluster,
    )
    assert looped.p_value == pytest.approx(expected, abs=1e-12)
    assert vec.p_value == pytest.approx(expected, abs=1e-12)
    with pytest.raises(ValueError, match="varies within a cluster"):
        bad = zc[cluster].copy()
        bad[0] = ~bad[0]
        randomisation_test(y, bad, design="cluster", clusters=cluster)


def test_fast_subset_sampler_is_uniform() -> None:
    """The Bernoulli-then-correct sampler (forced with small=0) gives exact sizes and each of
    the C(9, 4) = 126 subsets with equal frequency (chi-square goodness of fit)."""
    rng = np.random.default_rng(5)
    Z = random_subsets(rng, 63_000, 9, 4, small=0)
    assert np.all(Z.sum(axis=1) == 4)
    codes = Z.astype(np.int64) @ (1 << np.arange(9))
    _, counts = np.unique(codes, return_counts=True)
    assert counts.size == 126
    assert stats.chisquare(counts).pvalue > 1e-3
    big = random_subsets(rng, 50, 10_000, 3_333)
    assert np.all(big.sum(axis=1) == 3_333)
    # Inclusion probabilities are m/n for every unit.
    Z2 = random_subsets(rng, 8_000, 3_000, 700, small=0)
    share = Z2.mean(axis=0)
    assert np.max(np.abs(share - 700 / 3_000)) < 6 * math.sqrt(0.233 * 0.767 / 8_000)


def test_large_monte_carlo_is_centred_and_reports_error() -> None:
    rng = np.random.default_rng(6)
    n = 20_000
    y = rng.normal(size=n)
    z = rng.permutation(np.r_[np.ones(6_000), np.zeros(n - 6_000)])
    res = randomisation_test(y, z, n_permutations=2_000, seed=9)
    assert not res.exact and res.n_permutations == 2_000
    sd_theory = y.std(ddof=1) * math.sqrt(1 / 6_000 + 1 / (n - 6_000))
    assert res.null_sd == pytest.approx(sd_theory, rel=0.08)
    assert abs(res.null_mean) < 4 * sd_theory / math.sqrt(2_000)
    assert res.to_dict()["design"] == "complete"


def test_monte_carlo_agrees_with_exact_in_blocked_pairs_and_cluster_designs() -> None:
    """Designs large enough for the packed sampler yet small enough to enumerate: a block of
    120 units with 2 treated beside a block of 4 with 2 (C(120, 2) x C(4, 2) = 42,840
    assignments), and 110 clusters of unequal sizes with 2 treated (5,995; the number treated
    varies); and 12 matched pairs (4,096, drawn from the table of each pair's subsets).
    20,000 seeded draws give a p-value within 4 Monte-Carlo SEs of the enumeration and the
    same spread of the randomisation distribution."""
    rng = np.random.default_rng(10)
    blocks = np.repeat([0, 1], [120, 4])
    z = np.zeros(124, dtype=bool)
    z[[3, 77, 120, 121]] = True
    y = rng.normal(size=124) + 3.0 * blocks + 0.8 * z
    sizes = rng.integers(1, 6, 110)
    cluster = np.repeat(np.arange(110), sizes)
    zc = np.isin(cluster, [5, 60])
    yc = rng.normal(size=110)[cluster] + rng.normal(size=cluster.size)
    pairs = np.repeat(np.arange(12), 2)
    zp = np.tile([True, False], 12)
    yp = rng.normal(size=24) + 0.3 * zp
    designs = (
        (y, z, {"design": "blocked", "blocks": blocks}, 42_840),
        (yc, zc, {"design": "cluster", "clusters": cluster}, 5_995),
        (yp, zp, {"design": "blocked", "blocks": pairs}, 4_096),
    )
    for outcome, assignment, design, count in designs:
        exact = randomisation_test(outcome, assignment, **design)
        mc = randomisation_test(
            outcome, assignment, **design, max_exact=0, n_permutations=20_000, seed=2
        )
        assert exact.exact and exact.n_permutations == count and not mc.exact
        assert 0.02 < exact.p_value < 0.98
        assert abs(mc.p_value - exact.p_value) < 4 * mc.mc_std_error
        assert mc.null_sd == pytest.approx(exact.null_sd, rel=0.04)


def test_blocked_monte_carlo_has_the_moments_of_sampling_without_replacement() -> None:
    """Blocks of 3,000 (900 treated) and 5,000 (2,500 treated), drawn by the packed sampler:
    T = S1 (1/n1 + 1/n0) - sum(y)/n0 with S1 the sum of independent samples without
    replacement, so E[T] and Var[T] follow from each block's mean and variance (Cochran 1977,
    sec. 2.4: the sum of m draws from N has variance m (N - m) / N * S^2). 4,000 draws."""
    rng = np.random.default_rng(12)
    sizes, treated = (3_000, 5_000), (900, 2_500)
    blocks = np.repeat([0, 1], sizes)
    y = rng.gamma(2.0, size=blocks.size) + 4.0 * blocks
    z = np.concatenate(
        [rng.permutation(np.arange(s) < t) for s, t in zip(sizes, treated, strict=True)]
    )
    n1 = sum(treated)
    n0 = blocks.size - n1
    scale = 1 / n1 + 1 / n0
    mean = scale * sum(t * y[blocks == b].mean() for b, t in enumerate(treated)) - y.sum() / n0
    var = scale**2 * sum(
        t * (s - t) / s * y[blocks == b].var(ddof=1)
        for b, (s, t) in enumerate(zip(sizes, treated, strict=True))
    )
    res = randomisation_test(y, z, design="blocked", blocks=blocks, n_permutations=4_000, seed=8)
    assert not res.exact and res.n_blocks == 2
    assert abs(res.null_mean - mean) < 4 * math.sqrt(var / 4_000)
    assert res.null_sd == pytest.approx(math.sqrt(var), rel=0.05)


def test_seeded_result_does_not_depend_on_threads() -> None:
    """Chunk seeds are spawned in chunk order and chunks are combined in order: one, two or
    three threads give bit-identical results; another seed gives other draws."""
    rng = np.random.default_rng(13)
    n = 5_000
    z = rng.permutation(np.arange(n) < 2_000)
    y = rng.normal(size=n) + 0.05 * z
    kwargs = {"n_permutations": 2_000, "chunk_elements": 16 * n, "conf_level": 0.9}
    runs = [randomisation_test(y, z, seed=21, workers=w, **kwargs) for w in (1, 2, 3, 2)]
    for other in runs[1:]:
        assert other.to_dict() == runs[0].to_dict()
    assert randomisation_test(y, z, seed=22, **kwargs).null_mean != runs[0].null_mean
    with pytest.raises(ValueError, match="workers"):
        randomisation_test(y, z, workers=0)


def test_monte_carlo_interval_inverts_tests_on_the_same_draws() -> None:
    """Testing Y - tau Z with the same seed (the same draws) rejects at 10% just outside each
    endpoint of the 90% interval and not just inside: the interval inverts the Monte-Carlo
    test itself (Imbens & Rubin 2015, sec. 5.7)."""
    rng = np.random.default_rng(14)
    n = 400
    z = rng.permutation(np.arange(n) < 160)
    y = rng.normal(size=n) + 0.3 * z
    kwargs = {"n_permutations": 3_000, "seed": 4}
    res = randomisation_test(y, z, conf_level=0.9, **kwargs)
    assert not res.exact and res.ci_low is not None and res.ci_high is not None
    eps = 1e-6 * res.null_sd
    for tau, inside in (
        (res.ci_low + eps, True),
        (res.ci_low - eps, False),
        (res.ci_high - eps, True),
        (res.ci_high + eps, False),
    ):
        p = randomisation_test(y - tau * z, z, **kwargs).p_value
        assert (p > 0.1) == inside, (tau, p)


def test_confidence_interval_inverts_the_exact_test() -> None:
    """Brute force over all C(12, 6) = 924 assignments: just inside each endpoint the test of
    Y - tau Z does not reject at 5%, just outside it does (Imbens & Rubin 2015, sec. 5.7)."""
    rng = np.random.default_rng(7)
    z = np.r_[np.ones(6), np.zeros(6)].astype(bool)
    y = rng.normal(size=12) + 1.0 * z
    res = randomisation_test(y, z, conf_level=0.95)
    assert res.exact and res.ci_low is not None and res.ci_high is not None
    assert res.ci_low < res.statistic < res.ci_high

    def brute_p(tau: float) -> float:
        y0 = y - tau * z
        obs = abs(y0[z].mean() - y0[~z].mean())
        hits = 0
        for treated in itertools.combinations(range(12), 6):
            mask = np.zeros(12, dtype=bool)
            mask[list(treated)] = True
            hits += abs(y0[mask].mean() - y0[~mask].mean()) >= obs - 1e-12
        return hits / 924

    eps = 1e-6
    assert brute_p(res.ci_low + eps) > 0.05 >= brute_p(res.ci_low - eps)
    assert brute_p(res.ci_high - eps) > 0.05 >= brute_p(res.ci_high + eps)
    est = res.to_estimate()
    assert est.ci_low == res.ci_low and np.isnan(est.std_error)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), shift=st.floats(-100, 100, allow_nan=False))
def test_invariances_of_the_randomisation_test(seed: int, shift: float) -> None:
    """Shifting the outcome changes nothing; relabelling the arms flips the statistic's sign
    and leaves the two-sided exact p-value unchanged."""
    rng = np.random.default_rng(seed)
    z = rng.permutation(np.r_[np.ones(5), np.zeros(6)]).astype(bool)
    y = rng.normal(size=11)
    base = randomisation_test(y, z)
    shifted = randomisation_test(y + shift, z)
    flipped = randomisation_test(y, ~z)
    assert shifted.p_value == pytest.approx(base.p_value, abs=1e-12)
    assert shifted.statistic == pytest.approx(base.statistic, abs=1e-9)
    assert flipped.statistic == pytest.approx(-base.statistic, abs=1e-12)
    assert flipped.p_value == pytest.approx(base.p_value, abs=1e-12)


def test_regression_adjusted_statistic_matches_statsmodels_loop() -> None:
    """Vectorised ANCOVA statistic vs statsmodels OLS refitted for each of the C(12, 5) = 792
    assignments (brute force): same statistics, same exact p-value."""
    import statsmodels.api as sm

    rng = np.random.default_rng(8)
    W = rng.normal(size=(12, 2))
    z = np.r_[np.ones(5), np.zeros(7)].astype(bool)
    y = W @ [1.0, -0.5] + 0.8 * z + rng.normal(size=12) * 0.5
    stat = regression_adjusted_statistic(W)
    res = randomisation_test(y, z, statistic=stat, vectorised=True)
    coefs = []
    for treated in itertools.combinations(range(12), 5):
        mask = np.zeros(12)
        mask[list(treated)] = 1.0
        fit = sm.OLS(y, np.column_stack([np.ones(12), mask, W])).fit()
        coefs.append(fit.params[1])
    coefs = np.array(coefs)
    observed = sm.OLS(y, np.column_stack([np.ones(12), z, W])).fit().params[1]
    assert res.exact and res.n_permutations == 792
    assert res.statistic == pytest.approx(observed, rel=1e-10)
    assert res.p_value == pytest.approx(np.mean(np.abs(coefs) >= abs(observed) - 1e-9), abs=1e-12)
    assert res.null_mean == pytest.approx(coefs.mean(), abs=1e-10)
