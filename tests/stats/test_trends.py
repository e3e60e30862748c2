"""The trend tests against published results and an independent implementation.

R's ``prop.trend.test`` help page prints, for smokers ``c(83, 90, 129, 70)`` among patients
``c(86, 93, 136, 82)``, ``X-squared = 8.2249, df = 1, p-value = 0.004132``. The weighted
regression is checked against statsmodels' WLS with the scale fixed at one (known variances).
"""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm

from infuse import stats


def test_the_chi_squared_test_for_trend_matches_r() -> None:
    result = stats.proportion_trend_test([83, 90, 129, 70], [86, 93, 136, 82])
    assert result.statistic == pytest.approx(8.2249, abs=5e-5)
    assert result.p_value == pytest.approx(0.004132, abs=5e-7)
    assert result.direction == "decreasing"
    assert result.method == "chi_squared_trend"


def test_the_proportion_slope_is_the_denominator_weighted_line() -> None:
    x, n = np.array([10, 14, 19, 25.0]), np.array([100, 110, 120, 125.0])
    result = stats.proportion_trend_test(x, n, scores=[2019, 2020, 2021, 2022])
    fit = sm.WLS(x / n, sm.add_constant(np.array([2019, 2020, 2021, 2022.0])), weights=n).fit()
    assert result.slope == pytest.approx(fit.params[1], rel=1e-12)
    assert result.direction == "increasing"


def test_the_weighted_trend_matches_statsmodels_with_known_variances() -> None:
    rng = np.random.default_rng(7)
    y = 50 + 1.5 * np.arange(6) + rng.normal(0, 2, 6)
    se = rng.uniform(0.5, 3.0, 6)
    result = stats.weighted_trend_test(y, se)
    fit = sm.WLS(y, sm.add_constant(np.arange(6.0)), weights=1 / se**2).fit(cov_type="fixed scale")
    assert result.slope == pytest.approx(fit.params[1], rel=1e-10)
    assert result.statistic == pytest.approx(fit.tvalues[1], rel=1e-10)
    assert result.p_value == pytest.approx(fit.pvalues[1], rel=1e-8)


def test_a_flat_series_has_no_significant_change() -> None:
    result = stats.weighted_trend_test([10.0, 10.2, 9.9, 10.1], [1.0, 1.0, 1.0, 1.0])
    assert result.direction == "no_significant_change"
    none_at_all = stats.proportion_trend_test([0, 0, 0], [10, 20, 30])
    assert none_at_all.p_value == 1.0 and none_at_all.direction == "no_significant_change"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: stats.proportion_trend_test([1, 2], [10, 10]), "at least three"),
        (lambda: stats.proportion_trend_test([1, 2, 12], [10, 10, 10]), "between 0"),
        (lambda: stats.weighted_trend_test([1, 2, 3], [1, 0, 1]), "positive"),
        (lambda: stats.weighted_trend_test([1, 2, 3], [1, 1, 1], [1, 1, 1]), "not all be equal"),
        (lambda: stats.weighted_trend_test([1, 2, 3], [1, 1, 1], alpha=1.5), "alpha"),
    ],
)
def test_bad_input_is_refused_with_its_reason(call, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message):
        call()


def test_a_trend_result_round_trips_through_json() -> None:
    result = stats.proportion_trend_test([83, 90, 129, 70], [86, 93, 136, 82])
    assert stats.from_json(stats.to_json(result)) == result
