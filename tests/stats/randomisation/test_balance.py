"""Tests for infuse.stats.randomisation.balance against hand computation."""

from __future__ import annotations

import json
import math
import statistics

import pytest

from infuse.stats.randomisation.balance import balance_table


def test_balance_table_matches_hand_computation() -> None:
    """Austin (2009) SMDs written out with the standard library ``statistics`` module."""
    age = [30.0, 41.0, 52.0, 38.0, 60.0, 45.0, 33.0, 49.0]
    female = [1, 0, 1, 1, 0, 0, 1, 0]
    arms = ["treatment", "control"] * 4
    table = balance_table({"age": age, "female": female}, arms)
    t_age = [a for a, g in zip(age, arms, strict=True) if g == "treatment"]
    c_age = [a for a, g in zip(age, arms, strict=True) if g == "control"]
    smd_age = (statistics.mean(t_age) - statistics.mean(c_age)) / math.sqrt(
        (statistics.variance(t_age) + statistics.variance(c_age)) / 2
    )
    p_t = statistics.mean(f for f, g in zip(female, arms, strict=True) if g == "treatment")
    p_c = statistics.mean(f for f, g in zip(female, arms, strict=True) if g == "control")
    smd_female = (p_t - p_c) / math.sqrt((p_t * (1 - p_t) + p_c * (1 - p_c)) / 2)
    rows = {r.covariate: r for r in table.rows}
    assert rows["age"].kind == "continuous" and rows["female"].kind == "binary"
    assert rows["age"].smd == pytest.approx(smd_age, rel=1e-12)
    assert rows["age"].variance_ratio == pytest.approx(
        statistics.variance(t_age) / statistics.variance(c_age), rel=1e-12
    )
    assert rows["female"].smd == pytest.approx(smd_female, rel=1e-12)
    assert table.max_abs_smd == pytest.approx(max(abs(smd_age), abs(smd_female)))
    json.dumps(table.to_dict())
