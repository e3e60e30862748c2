"""Tests for infuse.stats.intervals.

Sources:
- Published values (issue 4 and the PHE "Technical Guide: Confidence intervals", 2018): Wilson
  95% for 30/200 is (0.1071, 0.2061); Byar 95% for 100 events is (81.36, 121.63); Byar is within
  0.2% of the exact limits from 10 events at 95% (the reason the profiles switch at 10).
- Published exact Poisson 95% limits (Garwood 1936, as tabulated in Documenta Geigy and by
  Daly 1992, "Simple SAS macros for the calculation of exact binomial and Poisson confidence
  limits", Comput Biol Med 22:351, Table 2): 0 -> (0, 3.689), 1 -> (0.0253, 5.572),
  2 -> (0.242, 7.225), 5 -> (1.623, 11.668), 10 -> (4.795, 18.390).
- The PHE funnel plot tool's limits for proportions and for rates, as published in the test
  data of the DHSC PHStatsMethods package (``testdata_funnel_prop_outputs.csv``: baseline
  80.642448%, limits in % at each population; ``testdata_funnel_rate_outputs.csv``: baseline
  116.17 per 100,000 over 3 years, limits at the populations where 1, 10, 1,360 events sit on
  each curve).
- Independent implementations: statsmodels ``proportion_confint(method="wilson")``; scipy
  ``chi2`` quantiles; the exact Poisson limits found by root-finding on the Poisson cdf; and
  Spiegelhalter's (2005) interpolated binomial/Poisson limits re-computed term by term with
  ``math.comb`` / ``math.exp`` sums (no scipy quantiles).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize, stats
from statsmodels.stats.proportion import proportion_confint

from infuse.stats.intervals import (
    FunnelLimits,
    IntervalInputError,
    PoissonMethod,
    classify_against_funnel,
    compare_with_benchmark,
    funnel_limits_poisson,
    funnel_limits_proportion,
    poisson_interval,
    rate_interval,
    wilson_interval,
)
from tests.imports import loaded_after

# ----------------------------------------------------------------------------- Wilson


def test_wilson_reproduces_the_published_value_for_30_of_200() -> None:
    result = wilson_interval(30, 200)
    assert float(result.estimate) == pytest.approx(0.15)
    assert round(float(result.lower), 4) == 0.1071
    assert round(float(result.upper), 4) == 0.2061
    assert result.method == "wilson"


@settings(max_examples=200, deadline=None)
@given(
    trials=st.integers(min_value=1, max_value=100_000),
    fraction=st.floats(min_value=0.0, max_value=1.0),
    conf_level=st.sampled_from([0.8, 0.9, 0.95, 0.99, 0.998]),
)
def test_wilson_matches_statsmodels(trials: int, fraction: float, conf_level: float) -> None:
    successes = round(fraction * trials)
    ours = wilson_interval(successes, trials, conf_level=conf_level)
    low, high = proportion_confint(successes, trials, alpha=1 - conf_level, method="wilson")
    assert float(ours.lower) == pytest.approx(low, abs=1e-12)
    assert float(ours.upper) == pytest.approx(high, abs=1e-12)


def test_wilson_is_vectorised_and_handles_edges() -> None:
    successes = np.array([0, 5, 10, 0, np.nan])
    trials = np.array([10, 10, 10, 0, 10])
    result = wilson_interval(successes, trials)
    low, high = proportion_confint(successes[:3], trials[:3], method="wilson")
    np.testing.assert_allclose(result.lower[:3], low, atol=1e-12)
    np.testing.assert_allclose(result.upper[:3], high, atol=1e-12)
    assert result.lower[0] == 0.0 and result.upper[2] == 1.0
    assert np.isnan(result.estimate[3]) and np.isnan(result.lower[3])
    assert np.isnan(result.upper[4])
    assert result.to_dict()["lower"][3] is None
    json.dumps(result.to_dict())


def test_impossible_proportions_raise_with_a_key() -> None:
    with pytest.raises(IntervalInputError) as error:
        wilson_interval([1, 12], [10, 10])
    assert error.value.key == "intervals.numerator-exceeds-denominator"
    assert error.value.params["row"] == 1
    assert isinstance(error.value, ValueError)
    with pytest.raises(IntervalInputError) as error:
        wilson_interval(-1, 10)
    assert error.value.key == "intervals.negative-numerator"
    with pytest.raises(IntervalInputError) as error:
        wilson_interval(1, 10, conf_level=95)
    assert error.value.key == "intervals.invalid-confidence-level"


# ----------------------------------------------------------------------------- Poisson


def test_byar_reproduces_the_published_value_for_100_events() -> None:
    methods: tuple[PoissonMethod, ...] = ("byar", "byar_or_exact")
    for method in methods:
        result = poisson_interval(100, method=method)
        assert round(float(result.lower), 2) == 81.36
        assert round(float(result.upper), 2) == 121.63


@pytest.mark.parametrize(
    ("count", "lower", "upper"),
    [(0, 0.0, 3.689), (1, 0.0253, 5.572), (2, 0.242, 7.225), (5, 1.623, 11.668),
     (10, 4.795, 18.390)],
)  # fmt: skip
def test_exact_poisson_reproduces_the_published_table(
    count: int, lower: float, upper: float
) -> None:
    result = poisson_interval(count, method="exact")
    assert float(result.lower) == pytest.approx(lower, abs=6e-4)
    assert float(result.upper) == pytest.approx(upper, abs=6e-4)


def test_exact_poisson_matches_chi_square_quantiles_and_root_finding() -> None:
    counts = np.arange(0, 60)
    for level in (0.95, 0.998):
        result = poisson_interval(counts, conf_level=level, method="exact")
        alpha = 1 - level
        expected_low = np.where(counts > 0, stats.chi2.ppf(alpha / 2, 2 * counts) / 2, 0.0)
        expected_high = stats.chi2.ppf(1 - alpha / 2, 2 * counts + 2) / 2
        np.testing.assert_allclose(result.lower, expected_low, rtol=1e-12)
        np.testing.assert_allclose(result.upper, expected_high, rtol=1e-12)
        # Independent definition (Garwood): the means at which the observed count sits exactly
        # at the alpha/2 tails of the Poisson distribution.
        for x in (1, 7, 33):
            low = optimize.brentq(
                lambda mu, x=x, a=alpha: stats.poisson.sf(x - 1, mu) - a / 2, 1e-9, 200
            )
            high = optimize.brentq(
                lambda mu, x=x, a=alpha: stats.poisson.cdf(x, mu) - a / 2, 1e-9, 200
            )
            assert result.lower[x] == pytest.approx(low, rel=1e-8)
            assert result.upper[x] == pytest.approx(high, rel=1e-8)


def test_byar_is_within_the_published_accuracy_of_exact_from_ten_events() -> None:
    counts = np.arange(10, 5000)
    exact = poisson_interval(counts, method="exact")
    byar = poisson_interval(counts, method="byar")
    assert np.max(np.abs(byar.lower / exact.lower - 1)) < 0.002
    assert np.max(np.abs(byar.upper / exact.upper - 1)) < 0.002


def test_byar_or_exact_switches_at_ten_events() -> None:
    counts = np.array([0, 3, 9, 10, 11, 250])
    combined = poisson_interval(counts, method="byar_or_exact", conf_level=0.998)
    exact = poisson_interval(counts, method="exact", conf_level=0.998)
    byar = poisson_interval(counts, method="byar", conf_level=0.998)
    small = counts < 10
    np.testing.assert_array_equal(combined.lower[small], exact.lower[small])
    np.testing.assert_array_equal(combined.upper[small], exact.upper[small])
    np.testing.assert_array_equal(combined.lower[~small], byar.lower[~small])
    np.testing.assert_array_equal(combined.upper[~small], byar.upper[~small])
    assert np.all(byar.lower >= 0)


def test_rate_scales_the_count_interval() -> None:
    counts = np.array([4, 100, 0, 12])
    population = np.array([20_000, 250_000, 5_000, 0])
    result = rate_interval(counts, population, per=100_000)
    counts_ci = poisson_interval(counts, method="byar_or_exact")
    assert result.per == 100_000
    np.testing.assert_allclose(result.estimate[:3], counts[:3] / population[:3] * 1e5)
    np.testing.assert_allclose(result.lower[:3], counts_ci.lower[:3] / population[:3] * 1e5)
    np.testing.assert_allclose(result.upper[:3], counts_ci.upper[:3] / population[:3] * 1e5)
    assert round(float(result.lower[1]), 2) == round(81.36210549 / 250_000 * 1e5, 2)
    assert np.isnan(result.estimate[3]) and np.isnan(result.upper[3])
    per_thousand = rate_interval(30, 1_000, per=1_000, method="exact")
    assert float(per_thousand.estimate) == pytest.approx(30.0)
    assert float(per_thousand.upper) == pytest.approx(stats.chi2.ppf(0.975, 62) / 2)
    with pytest.raises(IntervalInputError) as error:
        rate_interval(1, 10, per=0)
    assert error.value.key == "intervals.invalid-multiplier"


# ----------------------------------------------------------------------------- comparison


def test_comparison_rule_and_polarity() -> None:
    lower = [0.10, 0.21, 0.15, 0.20, np.nan]
    upper = [0.19, 0.30, 0.25, 0.22, 0.3]
    neither = compare_with_benchmark(lower, upper, 0.20)
    assert neither.significance == ("lower", "higher", "similar", "similar", "not_compared")
    assert neither.judgement == neither.significance
    better = compare_with_benchmark(lower, upper, 0.20, polarity="higher_is_better")
    assert better.judgement == ("worse", "better", "similar", "similar", "not_compared")
    worse = compare_with_benchmark(lower, upper, 0.20, polarity="lower_is_better")
    assert worse.judgement == ("better", "worse", "similar", "similar", "not_compared")
    assert json.loads(json.dumps(worse.to_dict()))["polarity"] == "lower_is_better"
    older = compare_with_benchmark(lower, upper, 0.20, polarity="higher_is_worse")  # type: ignore[arg-type]
    assert older.judgement == worse.judgement  # the name it had before is still read
    with pytest.raises(IntervalInputError) as error:
        compare_with_benchmark([0.1], [0.2], 0.3, polarity="up")  # type: ignore[arg-type]
    assert error.value.key == "intervals.unknown-polarity"


def test_comparison_of_wilson_intervals_with_a_region() -> None:
    # 30/200 (upper 0.2061) is lower than 0.25 and similar to 0.2; 80/200 is higher than 0.25.
    ci = wilson_interval([30, 80], [200, 200])
    result = compare_with_benchmark(ci.lower, ci.upper, 0.25, polarity="higher_is_better")
    assert result.judgement == ("worse", "better")
    assert compare_with_benchmark(ci.lower, ci.upper, 0.20).significance == ("similar", "higher")


# ----------------------------------------------------------------------------- funnels

# PHE funnel plot tool, proportions: (population, lower 95%, upper 95%, lower 99.8%, upper 99.8%)
# in percent around a baseline of 80.642448% (PHStatsMethods testdata_funnel_prop_outputs.csv).
PHE_PROPORTION_FUNNEL = [
    (1, 3.204264, 100, 0, 100),
    (2, 25.885383, 100, 0, 100),
    (3, 35.933491, 100, 10.150815, 100),
    (18, 62.390093, 98.894803, 51.864359, 100),
    (50, 69.691035, 91.593861, 63.375595, 97.909301),
    (1008, 78.203374, 83.081521, 76.796814, 84.488082),
    (110000, 80.408963, 80.875933, 80.274317, 81.010578),
]


def test_normal_proportion_funnel_matches_the_phe_tool() -> None:
    table = np.array(PHE_PROPORTION_FUNNEL, dtype=float)
    limits = funnel_limits_proportion(table[:, 0], 0.80642448, method="normal")
    np.testing.assert_allclose(limits.lower[0.95] * 100, table[:, 1], atol=1e-5)
    np.testing.assert_allclose(limits.upper[0.95] * 100, table[:, 2], atol=1e-5)
    np.testing.assert_allclose(limits.lower[0.998] * 100, table[:, 3], atol=1e-5)
    np.testing.assert_allclose(limits.upper[0.998] * 100, table[:, 4], atol=1e-5)


# PHE funnel plot tool, rates (PHStatsMethods testdata_funnel_rate_outputs.csv, 3 years of data,
# baseline 116.1720835 per 100,000): (population per year, limit) for the 95% lower and upper
# and the 99.8% lower and upper curves, at 1, 10 and 1,360 events.
PHE_RATE_FUNNEL = [
    ("lower", 0.95, 1598.675694, 20.85059119),
    ("upper", 0.95, 7.264481402, 4588.535848),
    ("lower", 0.998, 2649.348525, 12.58170943),
    ("upper", 0.998, 0.287087625, 116108.569),
    ("lower", 0.95, 5276.757672, 63.17010446),
    ("upper", 0.95, 1375.943768, 242.2579623),
    ("lower", 0.998, 6924.776769, 48.13632908),
    ("upper", 0.998, 849.4639547, 392.4043292),
    ("lower", 0.95, 411529.9259, 110.158048),
    ("upper", 0.95, 369759.5622, 122.6021934),
    ("lower", 0.998, 424043.2424, 106.9073359),
    ("upper", 0.998, 358342.3275, 126.5084525),
]


@pytest.mark.parametrize(("side", "level", "population", "limit"), PHE_RATE_FUNNEL)
def test_interval_rate_funnel_matches_the_phe_tool(
    side: str, level: float, population: float, limit: float
) -> None:
    # The tool's own bisection stops at a relative 1e-7 on its odds scale: agree to 1e-5.
    limits = funnel_limits_poisson([population * 3], 116.1720835, method="interval")
    got = (limits.lower if side == "lower" else limits.upper)[level][0]
    assert got == pytest.approx(limit, rel=1e-5)


@settings(max_examples=200, deadline=None)
@given(
    count=st.integers(min_value=0, max_value=3000),
    population=st.floats(min_value=500, max_value=2e6),
    benchmark=st.floats(min_value=1.0, max_value=2000.0),
)
def test_outside_the_interval_funnel_exactly_when_the_exact_interval_excludes_the_benchmark(
    count: int, population: float, benchmark: float
) -> None:
    ci = rate_interval(count, population, method="exact")
    limits = funnel_limits_poisson([population], benchmark, method="interval")
    zone = classify_against_funnel(ci.estimate.reshape(1), limits).zone[0]
    excluded = compare_with_benchmark(ci.lower, ci.upper, benchmark).significance[0]
    margin = 1e-6 * benchmark  # the two sides of a tie are numerically indistinguishable
    if abs(float(ci.lower) - benchmark) > margin and abs(float(ci.upper) - benchmark) > margin:
        assert (zone == "inside_95") == (excluded == "similar")


@settings(max_examples=200, deadline=None)
@given(
    trials=st.integers(min_value=1, max_value=50_000),
    fraction=st.floats(min_value=0.0, max_value=1.0),
    benchmark=st.floats(min_value=0.01, max_value=0.99),
)
def test_outside_the_proportion_funnel_exactly_when_wilson_excludes_the_benchmark(
    trials: int, fraction: float, benchmark: float
) -> None:
    successes = round(fraction * trials)
    ci = wilson_interval(successes, trials)
    limits = funnel_limits_proportion([trials], benchmark, method="interval")
    zone = classify_against_funnel(ci.estimate.reshape(1), limits).zone[0]
    significance = compare_with_benchmark(ci.lower, ci.upper, benchmark).significance[0]
    if min(abs(float(ci.lower) - benchmark), abs(float(ci.upper) - benchmark)) > 1e-9:
        assert (zone == "inside_95") == (significance == "similar")


def _binomial_cdf(r: int, n: int, p: float) -> float:
    return sum(math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(0, r + 1))


def _poisson_cdf(r: int, mu: float) -> float:
    return sum(math.exp(-mu + k * math.log(mu) - math.lgamma(k + 1)) for k in range(0, r + 1))


def _spiegelhalter_limit(cdf: object, p: float, support: int) -> float:
    """Appendix A.1.1 by hand: r_p is the first count whose cdf reaches p."""
    assert callable(cdf)
    r = next(k for k in range(support + 1) if cdf(k) >= p)
    at, below = cdf(r), (cdf(r - 1) if r > 0 else 0.0)
    return r - (at - p) / (at - below)


@pytest.mark.parametrize("theta", [0.03, 0.2, 0.5, 0.81])
def test_exact_proportion_funnel_matches_a_hand_computation(theta: float) -> None:
    denominators = np.array([5, 20, 57, 140, 400])
    limits = funnel_limits_proportion(denominators, theta, method="exact")
    for i, n in enumerate(denominators.tolist()):
        for level in (0.95, 0.998):
            tail = (1 - level) / 2
            cdf = lambda r, n=n: _binomial_cdf(r, n, theta)  # noqa: E731
            low = max(_spiegelhalter_limit(cdf, tail, n) / n, 0.0)
            high = min(_spiegelhalter_limit(cdf, 1 - tail, n) / n, 1.0)
            assert limits.lower[level][i] == pytest.approx(low, abs=1e-9)
            assert limits.upper[level][i] == pytest.approx(high, abs=1e-9)


def test_exact_poisson_funnel_matches_a_hand_computation() -> None:
    population = np.array([800.0, 12_000.0, 95_000.0, 400_000.0])
    benchmark = 45.0  # per 100,000
    limits = funnel_limits_poisson(population, benchmark, per=100_000, method="exact")
    for i, people in enumerate(population.tolist()):
        mu = benchmark * people / 100_000
        for level in (0.95, 0.998):
            tail = (1 - level) / 2
            cdf = lambda r, mu=mu: _poisson_cdf(r, mu)  # noqa: E731
            low = max(_spiegelhalter_limit(cdf, tail, 1000), 0.0) / people * 100_000
            high = _spiegelhalter_limit(cdf, 1 - tail, 1000) / people * 100_000
            assert limits.lower[level][i] == pytest.approx(low, rel=1e-9, abs=1e-9)
            assert limits.upper[level][i] == pytest.approx(high, rel=1e-9)


def test_exact_funnels_approach_the_normal_limits_for_large_denominators() -> None:
    big = np.array([2_000_000.0])
    exact = funnel_limits_proportion(big, 0.3, method="exact")
    normal = funnel_limits_proportion(big, 0.3, method="normal")
    for level in (0.95, 0.998):
        assert exact.lower[level][0] == pytest.approx(normal.lower[level][0], rel=1e-4)
        assert exact.upper[level][0] == pytest.approx(normal.upper[level][0], rel=1e-4)
    exact_rate = funnel_limits_poisson(big * 100, 50.0, method="exact")
    normal_rate = funnel_limits_poisson(big * 100, 50.0, method="normal")
    assert exact_rate.upper[0.998][0] == pytest.approx(normal_rate.upper[0.998][0], rel=1e-3)


def test_funnel_limits_narrow_as_denominators_grow() -> None:
    grid = np.geomspace(10, 1e6, 60)
    normal = funnel_limits_proportion(grid, 0.12, method="normal")
    assert np.all(np.diff(normal.upper[0.95] - normal.lower[0.95]) <= 0)
    for limits in (
        funnel_limits_proportion(grid, 0.12),
        funnel_limits_poisson(grid, 300.0, per=100_000),
    ):
        for level in limits.levels:
            width = limits.upper[level] - limits.lower[level]
            assert width[-1] < width[len(width) // 2] < width[0]
            assert np.all(limits.lower[level] <= limits.benchmark)
            assert np.all(limits.upper[level] >= limits.benchmark)
        assert np.all(limits.upper[0.998] >= limits.upper[0.95])
        assert np.all(limits.lower[0.998] <= limits.lower[0.95])
        json.dumps(limits.to_dict())


def test_exact_funnel_false_alarm_rate_is_close_to_nominal() -> None:
    # Spiegelhalter's interpolation makes the exact limits smooth; the chance that an "in
    # control" area falls outside them stays near the nominal 5% (and never far above it).
    rng = np.random.default_rng(20260529)
    n, theta = 300, 0.2
    limits = funnel_limits_proportion(np.array([n]), theta)
    draws = rng.binomial(n, theta, size=200_000) / n
    outside = np.mean((draws < limits.lower[0.95][0]) | (draws > limits.upper[0.95][0]))
    assert 0.03 < outside < 0.06


def test_classification_against_a_funnel() -> None:
    denominators = np.array([100, 100, 100, 100, 100, 100])
    limits = funnel_limits_proportion(denominators, 0.5)
    inner_high, outer_high = limits.upper[0.95][0], limits.upper[0.998][0]
    inner_low, outer_low = limits.lower[0.95][0], limits.lower[0.998][0]
    values = [
        0.5,
        (inner_high + outer_high) / 2,
        outer_high + 0.01,
        (inner_low + outer_low) / 2,
        outer_low - 0.01,
        np.nan,
    ]
    result = classify_against_funnel(values, limits)
    assert result.zone == (
        "inside_95",
        "between_95_998",
        "outside_998",
        "between_95_998",
        "outside_998",
        "not_classified",
    )
    assert result.direction == ("none", "high", "high", "low", "low", "none")
    assert json.loads(json.dumps(result.to_dict()))["zone"][0] == "inside_95"
    with pytest.raises(ValueError):
        classify_against_funnel([0.5], limits)


def test_funnel_classification_of_councils_with_rates() -> None:
    # Ten councils' events and populations; the region's rate is the pooled rate.
    events = np.array([120, 95, 40, 210, 60, 33, 180, 75, 20, 400])
    population = np.array([360_000, 150_000, 70_000, 390_000, 95_000, 60_000, 240_000,
                           130_000, 58_000, 150_000])  # fmt: skip
    region = float(events.sum()) / float(population.sum()) * 100_000
    limits = funnel_limits_poisson(population, region, per=100_000)
    assert isinstance(limits, FunnelLimits)
    rates = events / population * 100_000
    result = classify_against_funnel(rates, limits)
    # The last council (267 per 100,000 against about 72) is far outside the 99.8% limits.
    assert result.zone[-1] == "outside_998" and result.direction[-1] == "high"
    # A council exactly at the regional rate is inside.
    at_region = classify_against_funnel([region], funnel_limits_poisson([50_000], region))
    assert at_region.zone == ("inside_95",)


def test_bad_funnel_inputs_raise_with_keys() -> None:
    with pytest.raises(IntervalInputError) as error:
        funnel_limits_proportion([10], 1.5)
    assert error.value.key == "intervals.invalid-benchmark"
    with pytest.raises(IntervalInputError) as error:
        funnel_limits_poisson([10], -1.0)
    assert error.value.key == "intervals.invalid-benchmark"
    with pytest.raises(IntervalInputError) as error:
        funnel_limits_poisson([-10], 1.0)
    assert error.value.key == "intervals.negative-population"


def test_degenerate_benchmarks_and_missing_denominators() -> None:
    for method in ("exact", "normal", "interval"):
        certain = funnel_limits_proportion([0, 10, np.nan], 1.0, method=method)
        assert np.isnan(certain.lower[0.95][0]) and np.isnan(certain.upper[0.95][2])
        assert certain.lower[0.95][1] == 1.0 and certain.upper[0.998][1] == 1.0
        never = funnel_limits_proportion([10], 0.0, method=method)
        assert never.lower[0.95][0] == 0.0 and never.upper[0.998][0] == 0.0
        zero_rate = funnel_limits_poisson([0, 1000], 0.0, method=method)
        assert np.isnan(zero_rate.upper[0.95][0])
        assert zero_rate.lower[0.95][1] == 0.0


def test_comparing_with_a_benchmark_leaves_scipy_stats_unloaded():
    """The home page's movements compare intervals with a benchmark in every web worker;
    scipy.stats (distributions, 60 MB) is loaded only by the intervals that need it."""
    code = (
        "from infuse.stats.intervals import compare_with_benchmark, wilson_interval\n"
        "compare_with_benchmark([1.0], [2.0], 1.5, polarity='higher_is_better')\n"
        "wilson_interval([3], [10])\n"
    )
    assert loaded_after(code, {"scipy.stats"}) == []
