"""A power calculation's answer in a sentence, whichever way round it was solved. The sizes
are the textbook's: a difference of 0.2 SD at 80% power and 5% needs 394 per arm (Cohen
1988, table 2.4.1: n = 393 for d = 0.20, the t-based answer one higher)."""

from __future__ import annotations

import pytest
from django.utils import translation

from infuse import stats
from infuse.adaption.design.answer_words import design_sentence


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_solved_for_size_says_what_the_experiment_needs():
    answer = stats.power_two_means(effect=0.2, sd=1.0, power=0.8)
    said = design_sentence(answer)
    assert said == (
        "To find an effect of 0.2, if there is one, 80% of the time (testing at the 5% "
        "significance level), the experiment needs 394 units in the control group and 394 "
        "units in the intervention group."
    )


def test_solved_for_power_and_for_effect_read_the_other_way_round():
    power = design_sentence(stats.power_two_means(effect=0.2, sd=1.0, n_control=394))
    assert power.startswith("With 394 units in the control group and 394 units in the")
    assert "would find an effect of 0.2, if there is one, 80% of the time" in power
    effect = design_sentence(stats.power_two_means(sd=1.0, n_control=394, power=0.8))
    assert "the smallest effect the experiment would find 80% of the time is 0.2" in effect


def test_a_cluster_design_counts_clusters_and_their_units():
    answer = stats.power_cluster_means(
        effect=0.3, icc=0.05, total_variance=1.0, cluster_size=20, power=0.8
    )
    said = design_sentence(answer)
    assert "clusters in each arm and 20 units in each cluster" in said


def test_one_of_a_size_is_singular_and_welsh_has_its_own_words():
    with translation.override("cy"):
        said = design_sentence(stats.power_two_means(effect=0.2, sd=1.0, power=0.8))
    assert "394" in said and "units in the control group" not in said
