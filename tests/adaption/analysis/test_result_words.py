"""Every result in a sentence: which way, how much, how sure — and the numbers as people read
them. The effects are written out by hand, so the sentence is checked against known values."""

from __future__ import annotations

import math

import pytest
from django.utils import translation

from infuse.adaption.analysis.result_words import (
    councils_sentence,
    outcome_sentence,
    secondary_sentence,
)
from infuse.adaption.analysis.results import NamedEffect
from infuse.stats import EstimateResult


def effect(estimate, low, high, p):
    return EstimateResult(
        estimate=estimate,
        std_error=1.0,
        ci_low=low,
        ci_high=high,
        p_value=p,
        method="welch_difference_in_means",
        effect_measure="difference_in_means",
        n_units=100,
    )


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_a_clear_rise_says_which_way_how_much_and_how_sure():
    said = outcome_sentence("GP visits per 1,000", effect(10240.0, 10042.6, 10440.3, 0.00002))
    assert said == (
        "With the intervention, GP visits per 1,000 was higher by 10,240 on average (95% "
        "confidence interval 10,043 to 10,440; p < 0.001). Chance alone is an unlikely "
        "explanation."
    )


def test_a_clear_fall_gives_the_size_without_its_sign():
    said = outcome_sentence("Falls", effect(-2.56, -4.05, -1.06, 0.009))
    assert "was lower by 2.56 on average" in said
    assert "-4.05 to -1.06; p = 0.009" in said


def test_an_interval_across_no_effect_could_be_no_effect():
    said = outcome_sentence("Wellbeing", effect(0.052, -0.013, 0.117, 0.12))
    assert said.startswith("The data do not show a clear difference in Wellbeing")
    assert "from -0.01 to 0.12 (p = 0.120)" in said and "could be no effect" in said


def test_a_secondary_outcome_is_judged_by_its_adjusted_p_value():
    clear_alone = effect(1.2, 0.1, 2.3, 0.03)
    row = NamedEffect(name="Loneliness", effect=clear_alone, p_adjusted=0.09)
    said = secondary_sentence(row)
    # its own interval excludes zero, but after adjusting for several outcomes it is not clear
    assert said.startswith("The data do not show a clear difference in Loneliness")
    assert "adjusted p = 0.090" in said
    kept = secondary_sentence(NamedEffect(name="Loneliness", effect=clear_alone, p_adjusted=0.04))
    assert "was higher by 1.2" in kept and "adjusted p = 0.040" in kept


def test_a_synthetic_control_has_no_interval_to_quote():
    said = outcome_sentence("Rent arrears", effect(-3.4, math.nan, math.nan, 0.0625))
    assert "is -3.4 (placebo p-value 0.062)" in said and "no confidence interval" in said


def test_effects_by_council_are_questions_not_findings():
    rows = [
        NamedEffect(name="Cardiff", effect=effect(3.3, 1.2, 5.5, 0.01)),
        NamedEffect(name="Newport", effect=effect(1.0, -0.5, 2.5, 0.2)),
        NamedEffect(name="Torfaen", effect=effect(4.9, 2.3, 7.6, 0.001)),
    ]
    said = councils_sentence(rows)
    assert said.startswith("In 2 of 3 councils the 95% confidence interval lies wholly")
    assert "not as findings" in said


def test_the_sentences_are_in_welsh_on_a_welsh_page():
    with translation.override("cy"):
        said = outcome_sentence("Llesiant", effect(2.56, 1.06, 4.05, 0.009))
    assert "Llesiant" in said and "2.56" in said
    assert "With the intervention" not in said and "confidence interval" not in said
