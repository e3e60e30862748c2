"""The design's calculations against the engine."""

from __future__ import annotations

import pytest

from infuse import stats as engine
from infuse.adaption.design import power
from infuse.adaption.design.schemas import DesignIn
from infuse.core.errors import InvalidInput


def test_individual_trial_size_matches_the_engine_and_a_textbook_value():
    calc = power.calculate("individual_rct", DesignIn(effect=0.5, sd=1.0, power=0.8), n_councils=0)
    # Two-sample t test, d = 0.5, 80% power, 5% two-sided: 64 per group (Cohen 1988, table 2.4.1).
    assert calc.result["sample_size_rounded_up"]["n_control"] == 64
    assert calc.curve and all(0 < p < 1 for _size, p in calc.curve)
    powers = [p for _size, p in calc.curve]
    assert powers == sorted(powers)  # more people, more power


def test_cluster_and_stepped_wedge_use_the_engine_with_the_councils():
    cluster = power.calculate(
        "cluster_rct",
        DesignIn(solve_for="power", effect=0.3, sd=1.0, size=5, cluster_size=200, icc=0.02),
        n_councils=10,
    )
    expected = engine.power_cluster_means(
        effect=0.3, n_clusters_per_arm=5, cluster_size=200, icc=0.02, total_variance=1.0
    )
    assert cluster.result["power"] == pytest.approx(expected.power)
    wedge = power.calculate(
        "stepped_wedge",
        DesignIn(solve_for="effect", sd=1.0, size=100, icc=0.05, n_steps=2, power=0.8),
        n_councils=4,
    )
    expected = engine.power_stepped_wedge(
        n_clusters=4,
        n_steps=2,
        cluster_period_size=100,
        power=0.8,
        icc=0.05,
        within_cluster_variance=1.0,
    )
    assert wedge.result["effect"] == pytest.approx(expected.effect)
    assert wedge.schedule == [[0, 1, 1], [0, 1, 1], [0, 0, 1], [0, 0, 1]]


def test_missing_or_impossible_inputs_name_the_box_to_fix():
    with pytest.raises(InvalidInput) as raised:
        power.calculate("cluster_rct", DesignIn(effect=0.3, sd=-1), n_councils=4)
    fields = {p.field for p in raised.value.problems}
    assert {"sd", "icc", "cluster_size"} <= fields
    with pytest.raises(InvalidInput) as raised:
        power.calculate("its", DesignIn(), n_councils=4)
    assert raised.value.problems[0].field == "design"
