"""Tests for infuse.stats.power.two_arm against published examples and independent computations."""

from __future__ import annotations

import pytest
from statsmodels.stats.power import TTestIndPower

from infuse.stats.power.cluster import power_cluster_means
from infuse.stats.power.two_arm import power_two_means, power_two_proportions


def test_two_means_matches_r_power_t_test_examples() -> None:
    """R ``stats::power.t.test`` help examples: ``power.t.test(n = 20, delta = 1)`` gives
    power 0.8689528 and ``power.t.test(power = .90, delta = 1)`` gives n = 22.02110."""
    assert power_two_means(effect=1.0, n_control=20).power == pytest.approx(0.8689528, abs=1e-7)
    solved = power_two_means(effect=1.0, power=0.90)
    assert solved.sample_size["n_control"] == pytest.approx(22.02110, abs=1e-5)
    assert solved.sample_size_rounded_up == {"n_control": 23, "n_treatment": 23}


@pytest.mark.parametrize(("effect", "n", "ratio"), [(0.3, 50, 1.0), (0.5, 30, 2.0), (0.8, 12, 1.5)])
def test_two_means_agrees_with_statsmodels(effect: float, n: int, ratio: float) -> None:
    """Independent implementation: statsmodels ``TTestIndPower`` (standardised effect). Our
    power counts rejections in the effect's direction, i.e. the one-sided power at alpha/2."""
    ours = power_two_means(effect=effect * 2.0, sd=2.0, n_control=n, ratio=ratio).power
    theirs = TTestIndPower().power(
        effect_size=effect, nobs1=n, alpha=0.025, ratio=ratio, alternative="larger"
    )
    assert ours == pytest.approx(theirs, abs=1e-10)


def test_two_means_minimum_detectable_effect_inverts_power() -> None:
    mde = power_two_means(n_control=40, power=0.8, sd=3.0)
    assert power_two_means(effect=mde.effect, n_control=40, sd=3.0).power == pytest.approx(0.8)
    # Cross-check with statsmodels' solver for the standardised effect.
    theirs = TTestIndPower().solve_power(nobs1=40, alpha=0.05, power=0.8, ratio=1.0)
    assert mde.effect / 3.0 == pytest.approx(theirs, rel=1e-3)


def test_two_proportions_matches_r_power_prop_test_examples() -> None:
    """R ``stats::power.prop.test`` help examples: ``n = 50, p1 = .5, p2 = .75`` gives power
    0.740 (0.7401659), and ``p1 = .5, p2 = .75, power = .9`` gives n = 76.7."""
    assert power_two_proportions(
        p_control=0.5, p_treatment=0.75, n_control=50
    ).power == pytest.approx(0.7401659, abs=1e-7)
    solved = power_two_proportions(p_control=0.5, p_treatment=0.75, power=0.9)
    assert round(solved.sample_size["n_control"], 1) == 76.7
    assert solved.sample_size_rounded_up["n_control"] == 77


def test_two_proportions_detectable_proportion_both_directions() -> None:
    up = power_two_proportions(p_control=0.3, n_control=200, power=0.8)
    down = power_two_proportions(p_control=0.3, n_control=200, power=0.8, direction="decrease")
    assert up.effect > 0 > down.effect
    for r in (up, down):
        check = power_two_proportions(
            p_control=0.3, p_treatment=0.3 + r.effect, n_control=200
        ).power
        assert check == pytest.approx(0.8, abs=1e-8)


def test_bad_arguments_raise() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        power_two_means(effect=1.0, n_control=10, power=0.8)
    with pytest.raises(ValueError, match="alpha"):
        power_two_means(effect=1.0, n_control=10, alpha=1.5)
    with pytest.raises(TypeError):
        power_two_means(effect=1.0, n_control="ten")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="exactly two"):
        power_cluster_means(effect=1, n_clusters_per_arm=5, cluster_size=10, icc=0.1)
