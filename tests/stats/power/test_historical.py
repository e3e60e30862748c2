"""Tests for infuse.stats.power.historical: placebo power from past data, checked against closed
forms and an independent loop."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from infuse.stats.power.historical import default_effects, placebo_power


def _panel(n_units: int, n_times: int, seed: int, unit_spread: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        [(u, t, rng.normal() + unit_spread * u) for u in range(n_units) for t in range(n_times)],
        columns=["council", "period", "y"],
    )


def _two_sided_t_power(effect: float, se: float, df: float, alpha: float = 0.05) -> float:
    c = stats.t.ppf(1 - alpha / 2, df)
    ncp = effect / se
    return float(1 - stats.nct.cdf(c, df, ncp) + stats.nct.cdf(-c, df, ncp))


def test_did_power_on_white_noise_matches_the_closed_form() -> None:
    """With independent errors, the DiD effect of k treated of N units over P of T periods
    has variance sigma^2 N T / (k (N - k) P (T - P)); CR2 refers it to t with N - 1 df."""
    data = _panel(20, 300, seed=7)
    result = placebo_power(
        data,
        unit="council",
        time="period",
        outcome="y",
        method="did",
        treated_units=list(range(10)),
        post_periods=4,
        pre_periods=4,
        effects=[0.8],
        max_placebos=400,
    )
    se = math.sqrt(20 * 8 / (10 * 10 * 4 * 4))
    expected = _two_sided_t_power(0.8, se, df=19)
    assert result.n_placebos == 400
    assert result.effects == (0.0, 0.8)
    assert result.power[1] == pytest.approx(expected, abs=0.07)
    assert result.ci_low[1] <= expected <= result.ci_high[1]
    # No effect added: the CR2 test keeps its level (it is a little conservative here).
    assert result.false_positive_rate <= 0.08


def test_its_matches_an_independent_loop_with_statsmodels_hac() -> None:
    """Same windows, analysed by statsmodels' OLS with Newey-West errors (Stata's small-sample
    correction and t reference, as the engine documents)."""
    rng = np.random.default_rng(11)
    n = 80
    series = np.cumsum(rng.normal(scale=0.3, size=n)) * 0.2 + rng.normal(size=n)
    data = pd.DataFrame({"council": "W06000015", "period": np.arange(n), "y": series})
    post, pre, effect = 6, 12, 1.0
    result = placebo_power(
        data,
        unit="council",
        time="period",
        outcome="y",
        method="its",
        treated_units=["W06000015"],
        post_periods=post,
        pre_periods=pre,
        effects=[effect],
        max_placebos=1_000,
    )
    rejections = [0, 0]
    starts = range(pre, n - post + 1)
    for start in starts:
        t = np.arange(start - pre, start + post, dtype=float)
        is_post = (t >= start).astype(float)
        X = np.column_stack([np.ones_like(t), t, is_post, (t - start) * is_post])
        lags = math.floor(4 * (len(t) / 100) ** (2 / 9))
        for j, added in enumerate((0.0, effect)):
            y = series[start - pre : start + post] + added * is_post
            fit = sm.OLS(y, X).fit(
                cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True}, use_t=True
            )
            rejections[j] += bool(fit.pvalues[2] <= 0.05)
    assert result.n_placebos == len(starts)
    assert result.power == pytest.approx(tuple(r / len(starts) for r in rejections), abs=1e-12)


def test_synthetic_control_cannot_reject_when_its_placebo_test_is_too_coarse() -> None:
    """The in-space placebo p-value is at least 1 / (donors + 1): ten councils, one treated,
    give 0.1 — above 0.05, so no effect however large is ever found."""
    data = _panel(10, 20, seed=3)
    result = placebo_power(
        data,
        unit="council",
        time="period",
        outcome="y",
        method="synthetic_control",
        treated_units=[0],
        post_periods=3,
        effects=[100.0],
        max_placebos=30,
    )
    assert result.smallest_p_value == pytest.approx(0.1)
    assert result.power == (0.0, 0.0)
    assert result.minimum_detectable_effect is None


def test_synthetic_control_finds_an_overwhelming_effect_with_enough_donors() -> None:
    data = _panel(30, 20, seed=5)
    result = placebo_power(
        data,
        unit="council",
        time="period",
        outcome="y",
        method="synthetic_control",
        treated_units=[4],
        post_periods=3,
        effects=[50.0],
        min_pre_periods=10,  # a short pre-period lets placebo units fit perfectly
        max_placebos=40,
    )
    assert result.smallest_p_value == pytest.approx(1 / 30)
    assert result.power[1] >= 0.9
    assert result.false_positive_rate <= 0.2


def test_the_minimum_detectable_effect_is_interpolated_on_the_grid() -> None:
    data = _panel(20, 60, seed=9)
    result = placebo_power(
        data,
        unit="council",
        time="period",
        outcome="y",
        method="did",
        treated_units=[0, 1, 2, 3, 4],
        post_periods=3,
        effects=[0.25, 0.5, 1.0, 2.0, 4.0],
        max_placebos=80,
    )
    rates = result.power
    assert list(rates) == sorted(rates) or rates[-1] == 1.0
    mde = result.minimum_detectable_effect
    assert mde is not None
    above = next(i for i, p in enumerate(rates) if p >= 0.8)
    assert result.effects[above - 1] <= mde <= result.effects[above]
    assert result.to_dict()["false_positive_rate"] == rates[0]


def test_default_effects_are_multiples_of_the_unexplained_noise() -> None:
    data = _panel(10, 40, seed=2, unit_spread=5.0)  # big unit means: DiD removes them
    effects = default_effects(data, unit="council", time="period", outcome="y")
    assert effects[0] == 0.0
    assert effects[4] == pytest.approx(1.0, rel=0.1)  # 1 x the residual SD of N(0, 1) noise
    assert list(effects) == sorted(effects)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"treated_units": ["nowhere"]}, "none of the treated units"),
        ({"post_periods": 0}, "post_periods"),
        ({"post_periods": 5}, "placebo trials need at least"),
        ({"method": "magic"}, "unknown method"),
    ],
)
def test_inputs_it_cannot_use_are_refused(kwargs: dict, message: str) -> None:
    data = _panel(4, 6, seed=1)
    arguments = {
        "unit": "council",
        "time": "period",
        "outcome": "y",
        "method": "did",
        "treated_units": [0],
        "post_periods": 2,
        **kwargs,
    }
    with pytest.raises(ValueError, match=message):
        placebo_power(data, **arguments)


def test_did_needs_units_outside_the_treated_set() -> None:
    data = _panel(3, 10, seed=1)
    with pytest.raises(ValueError, match="compare with"):
        placebo_power(
            data,
            unit="council",
            time="period",
            outcome="y",
            method="did",
            treated_units=[0, 1, 2],
            post_periods=2,
        )


def test_progress_is_reported_for_every_trial() -> None:
    data = _panel(6, 12, seed=4)
    seen: list[tuple[int, int]] = []
    result = placebo_power(
        data,
        unit="council",
        time="period",
        outcome="y",
        method="did",
        treated_units=[0, 1],
        post_periods=2,
        effects=[1.0],
        max_placebos=25,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen[-1] == (result.n_placebos, result.n_placebos)
    assert len(seen) == result.n_placebos == 25
