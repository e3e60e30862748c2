"""Tests for infuse.stats.quasi.its (interrupted time series, segmented regression + Newey-West).

Sources:
- Published: Linden A. (2015) "Conducting interrupted time-series analysis for single- and
  multiple-group comparisons", Stata Journal 15(2):480-500 — ``itsa cigsale, single treatid(3)
  trperiod(1989) lag(1) posttrend`` on the California Prop 99 cigarette-sales series. The
  coefficients are restated in Linden's ``power itsa`` help file: intercept 132.2258,
  pre-trend -1.779474, step (level change) -20.0581, post-trend -3.274126 (so the slope change
  is -3.274126 - (-1.779474) = -1.494652).
- Published (multiple-group ITSA, same source): ``itsa cigsale, treatid(3) trperiod(1989)
  lag(1) posttrend`` with the 38 other states as comparisons. Linden's ``power itsa`` help file
  restates the fit: comparison intercept 135.4995, pre-trend -0.5477701, post-trend -1.051279,
  step -17.25168; difference in level change (_z_x1989) -2.806417 with P = 0.631; difference in
  slope change (_z_x_t1989) P = 0.136.
- Independent implementation: statsmodels OLS with ``cov_type="HAC"`` (Bartlett kernel,
  ``use_correction=True`` i.e. n/(n-k), ``use_t=True``) on the same design, written out here.
"""

from __future__ import annotations

import json
import os

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

from infuse.stats.quasi.its import (
    comparative_interrupted_time_series,
    interrupted_time_series,
    newey_west_covariance,
    newey_west_default_lags,
)


def _prop99() -> pd.DataFrame:
    synthdid = pytest.importorskip("synthdid")
    path = os.path.join(os.path.dirname(synthdid.__file__), "data", "california_prop99.csv")
    return pd.read_csv(path, sep=";")


@pytest.fixture(scope="module")
def california() -> pd.DataFrame:
    data = _prop99()
    return data[data.State == "California"].sort_values("Year")


def test_california_prop99_matches_linden_itsa(california: pd.DataFrame) -> None:
    """Linden (2015) itsa output: 132.2258, -1.779474, -20.0581, slope change -1.494652."""
    result = interrupted_time_series(
        california.PacksPerCapita, california.Year, interruption=1989, hac_lags=1
    )
    assert result.coefficients["intercept"] == pytest.approx(132.2258, abs=5e-4)
    assert result.coefficients["pre_trend"] == pytest.approx(-1.779474, abs=5e-6)
    assert result.level_change.estimate == pytest.approx(-20.0581, abs=5e-4)
    assert result.slope_change is not None
    assert result.slope_change.estimate == pytest.approx(-1.494652, abs=5e-6)
    # Post-interruption trend as Linden reports it.
    post_trend = result.coefficients["pre_trend"] + result.slope_change.estimate
    assert post_trend == pytest.approx(-3.274126, abs=5e-6)
    assert result.hac_lags == 1 and result.lag_rule == "user supplied"
    assert result.level_change.n_units == 31
    json.dumps(result.to_dict())


def _statsmodels_fit(
    y: np.ndarray, x: np.ndarray, lags: int
) -> sm.regression.linear_model.RegressionResults:
    return sm.OLS(y, x).fit(
        cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True}, use_t=True
    )


def test_california_matches_statsmodels_hac(california: pd.DataFrame) -> None:
    """Independent: statsmodels OLS HAC on the hand-built itsa design."""
    year = california.Year.to_numpy(dtype=float)
    y = california.PacksPerCapita.to_numpy(dtype=float)
    post = (year >= 1989).astype(float)
    x = np.column_stack([np.ones_like(year), year - 1970, post, (year - 1989) * post])
    for lags in (0, 1, 3):
        ref = _statsmodels_fit(y, x, lags)
        res = interrupted_time_series(y, year, interruption=1989, hac_lags=lags)
        assert res.slope_change is not None
        np.testing.assert_allclose(
            [res.level_change.estimate, res.slope_change.estimate], ref.params[2:], rtol=1e-10
        )
        np.testing.assert_allclose(
            [res.level_change.std_error, res.slope_change.std_error], ref.bse[2:], rtol=1e-10
        )
        ci = ref.conf_int()
        assert res.level_change.ci_low == pytest.approx(ci[2, 0], rel=1e-10)
        assert res.level_change.ci_high == pytest.approx(ci[2, 1], rel=1e-10)
        assert res.slope_change.p_value == pytest.approx(ref.pvalues[3], rel=1e-8)
        assert res.level_change.df == ref.df_resid


def test_multiple_group_itsa_matches_linden() -> None:
    """Linden (2015) multiple-group ITSA on Prop 99: -2.806417 (P = 0.631), P = 0.136."""
    data = _prop99()
    result = comparative_interrupted_time_series(
        data,
        unit="State",
        time="Year",
        outcome="PacksPerCapita",
        treated_unit="California",
        interruption=1989,
        hac_lags=1,
    )
    c = result.coefficients
    assert c["intercept"] == pytest.approx(135.4995, abs=5e-5)
    assert c["pre_trend"] == pytest.approx(-0.5477701, abs=5e-8)
    assert c["pre_trend"] + c["slope_change"] == pytest.approx(-1.051279, abs=5e-7)
    assert c["level_change"] == pytest.approx(-17.25168, abs=5e-6)
    assert result.level_change_difference.estimate == pytest.approx(-2.806417, abs=5e-7)
    assert result.level_change_difference.p_value == pytest.approx(0.631, abs=5e-4)
    assert result.slope_change_difference.p_value == pytest.approx(0.136, abs=1e-3)
    # The treated unit's own changes equal the single-group fit (-20.0581, -1.494652).
    assert result.treated_level_change == pytest.approx(-20.0581, abs=5e-4)
    assert result.treated_slope_change == pytest.approx(-1.494652, abs=5e-6)
    assert result.n_comparison_units == 38
    json.dumps(result.to_dict())


def test_multiple_group_itsa_matches_statsmodels_hac_panel() -> None:
    """Within-unit Newey-West = statsmodels ``cov_type="hac-panel"`` with
    ``use_correction="hac"`` (n/(n-k)); statsmodels refers t to G - 1 df, Stata to n - k."""
    data = _prop99().sort_values(["State", "Year"])
    t = data.Year.to_numpy(dtype=float)
    z = (data.State == "California").to_numpy(dtype=float)
    post = (t >= 1989).astype(float)
    base = np.column_stack([np.ones_like(t), t - 1970, post, (t - 1989) * post])
    x = np.column_stack([base, base * z[:, None]])
    for lags in (0, 2):
        ref = sm.OLS(data.PacksPerCapita.to_numpy(), x).fit(
            cov_type="hac-panel",
            cov_kwds={
                "groups": pd.Categorical(data.State).codes,
                "maxlags": lags,
                "use_correction": "hac",
            },
        )
        res = comparative_interrupted_time_series(
            data,
            unit="State",
            time="Year",
            outcome="PacksPerCapita",
            treated_unit="California",
            interruption=1989,
            hac_lags=lags,
        )
        np.testing.assert_allclose(list(res.std_errors.values()), ref.bse, rtol=1e-9)
        np.testing.assert_allclose(list(res.coefficients.values()), ref.params, rtol=1e-9)


def test_default_lag_rule_matches_statsmodels() -> None:
    """Newey & West (1994) rule floor(4 (n/100)^(2/9)), worked by hand: 3.08, 3.57, 4, 5.72."""
    assert [newey_west_default_lags(n) for n in (31, 60, 100, 500)] == [3, 3, 4, 5]


def test_seasonal_model_matches_statsmodels() -> None:
    """Harmonic seasonality (Lopez Bernal et al. 2017: harmonic(month, 2, 12)) vs statsmodels."""
    rng = np.random.default_rng(20260101)
    t = np.arange(1.0, 61.0)
    month = (t - 1) % 12 + 1
    post = (t >= 37).astype(float)
    noise = np.zeros_like(t)
    for i in range(1, t.size):  # AR(1) errors so that HAC matters
        noise[i] = 0.5 * noise[i - 1] + rng.normal(scale=3.0)
    y = 200 + 0.5 * t - 15 * post - 0.8 * (t - 37) * post + 8 * np.sin(2 * np.pi * month / 12)
    y = y + noise
    res = interrupted_time_series(
        y, t, interruption=37, season=month, seasonal_period=12, n_harmonics=2
    )
    cols = [np.ones_like(t), t - 1, post, (t - 37) * post]
    for k in (1, 2):
        cols += [np.sin(2 * np.pi * k * month / 12), np.cos(2 * np.pi * k * month / 12)]
    ref = _statsmodels_fit(y, np.column_stack(cols), newey_west_default_lags(60))
    assert res.hac_lags == 3
    np.testing.assert_allclose(list(res.coefficients.values()), ref.params, rtol=1e-9)
    np.testing.assert_allclose(list(res.std_errors.values()), ref.bse, rtol=1e-9)
    assert res.extra["design"][-1] == "cos2"
    assert not res.warnings


def test_newey_west_lag_zero_is_white_hc1() -> None:
    """With L = 0 the matrix is White's HC1 (statsmodels ``cov_type='HC1'``)."""
    rng = np.random.default_rng(7)
    x = np.column_stack([np.ones(40), rng.normal(size=40)])
    y = x @ [1.0, 2.0] + rng.normal(size=40) * (1 + np.abs(x[:, 1]))
    ref = sm.OLS(y, x).fit(cov_type="HC1")
    cov = newey_west_covariance(x, ref.resid, 0)
    np.testing.assert_allclose(cov, ref.cov_params(), rtol=1e-10)


def test_step_only_model_and_counterfactual() -> None:
    t = np.arange(20.0)
    y = 10 + 2 * t - 5 * (t >= 10)
    res = interrupted_time_series(y + 1e-3 * np.sin(t), t, interruption=10, slope_change=False)
    assert res.slope_change is None
    assert res.level_change.estimate == pytest.approx(-5, abs=1e-2)
    # The counterfactual carries the pre-trend on: 10 + 2 t.
    assert res.counterfactual[-1] == pytest.approx(10 + 2 * 19, abs=5e-2)


def test_warnings_and_errors() -> None:
    t = np.arange(10.0)
    res = interrupted_time_series(np.sin(t) + t, t, interruption=6)
    assert {w.code for w in res.warnings} == {"few_time_points"}
    exact = interrupted_time_series(3 + 2 * t, t, interruption=5)
    assert "zero_residual_variance" in {w.code for w in exact.warnings}
    with pytest.raises(ValueError, match="same length"):
        interrupted_time_series([1, 2, 3], [1, 2], interruption=2)
    with pytest.raises(ValueError, match="repeat"):
        interrupted_time_series([1, 2, 3, 4, 5], [1, 1, 2, 3, 4], interruption=3)
    with pytest.raises(ValueError, match="seasonal_period"):
        interrupted_time_series(t, t, interruption=5, n_harmonics=1)


@settings(max_examples=30, deadline=None)
@given(shift=st.floats(-1e4, 1e4, allow_nan=False), seed=st.integers(0, 2**32 - 1))
def test_adding_a_constant_leaves_effects_unchanged(shift: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    t = np.arange(30.0)
    y = 5 + 0.3 * t + 2 * (t >= 15) + rng.normal(size=30)
    base = interrupted_time_series(y, t, interruption=15)
    moved = interrupted_time_series(y + shift, t, interruption=15)
    assert base.slope_change is not None and moved.slope_change is not None
    assert moved.level_change.estimate == pytest.approx(base.level_change.estimate, abs=1e-6)
    assert moved.slope_change.estimate == pytest.approx(base.slope_change.estimate, abs=1e-6)
    assert moved.level_change.std_error == pytest.approx(
        base.level_change.std_error, rel=1e-5, abs=1e-8
    )
