"""Random-effects meta-analysis against a published analysis and an independent implementation.

Published: the BCG vaccine trials (Colditz et al. 1994; the 13 trials of metafor's
``dat.bcg``), log risk ratios, as analysed in Viechtbauer (2010), "Conducting meta-analyses in R
with the metafor package", J Stat Softw 36(3): REML ``mu = -0.7145`` (SE 0.1798, 95% CI
-1.0669 to -0.3622), ``tau2 = 0.3132``, ``Q(12) = 152.2330``; with the Knapp–Hartung adjustment
SE 0.1808, CI -1.1084 to -0.3206, p = 0.0019.
Independent: statsmodels' ``combine_effects`` (DerSimonian–Laird) on the same and on generated
data.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as scipy_stats
from statsmodels.stats.meta_analysis import combine_effects

from infuse.stats import from_json, random_effects_meta_analysis, to_json

# tpos, tneg, cpos, cneg (vaccinated with / without TB; controls with / without TB)
BCG = np.array(
    [
        (4, 119, 11, 128),
        (6, 300, 29, 274),
        (3, 228, 11, 209),
        (62, 13536, 248, 12619),
        (33, 5036, 47, 5761),
        (180, 1361, 372, 1079),
        (8, 2537, 10, 619),
        (505, 87886, 499, 87892),
        (29, 7470, 45, 7232),
        (17, 1699, 65, 1600),
        (186, 50448, 141, 27197),
        (5, 2493, 3, 2338),
        (27, 16886, 29, 17825),
    ],
    dtype=float,
)


def bcg_log_risk_ratios() -> tuple[np.ndarray, np.ndarray]:
    tpos, tneg, cpos, cneg = BCG.T
    y = np.log((tpos / (tpos + tneg)) / (cpos / (cpos + cneg)))
    v = 1 / tpos - 1 / (tpos + tneg) + 1 / cpos - 1 / (cpos + cneg)
    return y, np.sqrt(v)


def test_reml_reproduces_the_published_bcg_analysis():
    result = random_effects_meta_analysis(*bcg_log_risk_ratios())
    assert result.estimate == pytest.approx(-0.7145, abs=5e-5)
    assert result.se == pytest.approx(0.1798, abs=5e-5)
    assert (result.ci_low, result.ci_high) == pytest.approx((-1.0669, -0.3622), abs=5e-5)
    assert result.tau2 == pytest.approx(0.3132, abs=5e-5)
    assert result.q == pytest.approx(152.2330, abs=5e-5) and result.q_df == 12
    assert sum(result.weights) == pytest.approx(1.0)


def test_hartung_knapp_reproduces_the_published_bcg_analysis():
    result = random_effects_meta_analysis(*bcg_log_risk_ratios(), hartung_knapp=True)
    assert result.se == pytest.approx(0.1808, abs=5e-5)
    assert (result.ci_low, result.ci_high) == pytest.approx((-1.1084, -0.3206), abs=5e-5)
    assert result.p_value == pytest.approx(0.0019, abs=5e-5)


def _against_statsmodels(y: np.ndarray, se: np.ndarray) -> None:
    ours = random_effects_meta_analysis(y, se, method="dersimonian_laird")
    theirs = combine_effects(y, se**2, method_re="chi2")
    # DerSimonian–Laird truncate tau2 at zero; statsmodels reports (and weights by) the
    # untruncated value, so below zero the comparison is with its fixed-effect answer.
    row = "random effect" if theirs.tau2 >= 0 else "fixed effect"
    frame = theirs.summary_frame().loc[row]
    assert ours.tau2 == pytest.approx(max(0.0, theirs.tau2), rel=1e-9, abs=1e-12)
    assert ours.estimate == pytest.approx(frame["eff"], rel=1e-9)
    assert ours.se == pytest.approx(frame["sd_eff"], rel=1e-9)
    assert (ours.ci_low, ours.ci_high) == pytest.approx((frame["ci_low"], frame["ci_upp"]))
    assert ours.q == pytest.approx(theirs.q, rel=1e-9)
    assert ours.i2 == pytest.approx(max(0.0, theirs.i2), abs=1e-9)


def test_dersimonian_laird_agrees_with_statsmodels_on_bcg():
    _against_statsmodels(*bcg_log_risk_ratios())


@pytest.mark.parametrize("seed", range(20))
def test_dersimonian_laird_agrees_with_statsmodels_on_generated_studies(seed):
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 15))
    se = rng.uniform(0.05, 0.6, k)
    y = rng.normal(0.2, 0.1 + 0.3 * rng.random(), k) + rng.normal(0, se)
    _against_statsmodels(y, se)


def test_no_heterogeneity_gives_the_fixed_effect_answer():
    y, se = np.array([0.3, 0.3, 0.3]), np.array([0.1, 0.2, 0.3])
    for method in ("reml", "dersimonian_laird"):
        result = random_effects_meta_analysis(y, se, method=method)
        assert result.tau2 == 0.0 and result.i2 == 0.0
        assert result.estimate == pytest.approx(0.3)
        assert result.se == pytest.approx(1 / np.sqrt(np.sum(1 / se**2)))


def test_prediction_interval_follows_higgins_thompson_spiegelhalter():
    result = random_effects_meta_analysis(*bcg_log_risk_ratios())
    half = scipy_stats.t.ppf(0.975, 13 - 2) * np.sqrt(result.tau2 + result.se**2)
    assert result.prediction_low == pytest.approx(result.estimate - half)
    assert result.prediction_high == pytest.approx(result.estimate + half)
    two = random_effects_meta_analysis([0.1, 0.4], [0.1, 0.2])
    assert two.prediction_low is None and two.prediction_high is None


@pytest.mark.parametrize(
    ("estimates", "errors"),
    [([0.1], [0.1]), ([0.1, 0.2], [0.1, 0.0]), ([0.1, np.nan], [0.1, 0.1]), ([0.1, 0.2], [0.1])],
)
def test_inputs_it_cannot_pool_are_refused(estimates, errors):
    with pytest.raises(ValueError):
        random_effects_meta_analysis(estimates, errors)


def test_the_result_round_trips_through_json():
    result = random_effects_meta_analysis(*bcg_log_risk_ratios(), hartung_knapp=True)
    assert from_json(to_json(result)) == result


def test_hartung_knapp_is_never_narrower_than_the_random_effects_interval():
    """Two studies that agree more closely than chance predicts (0.50 and 0.51, each ± 0.4)
    used to pool to 0.44–0.57 with p = 0.006 although neither shows a clear effect; the
    modified Hartung–Knapp keeps at least the plain random-effects variance."""
    plain = random_effects_meta_analysis([0.5, 0.51], [0.4, 0.4])
    adjusted = random_effects_meta_analysis([0.5, 0.51], [0.4, 0.4], hartung_knapp=True)
    assert adjusted.se >= plain.se
    assert adjusted.ci_low < 0 < adjusted.ci_high and adjusted.p_value > 0.05
