"""The design pages name every power method and every size the engine can return: no code
(``two_proportions_z``, ``n_control``) reaches a page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import translation

import infuse
from infuse import stats
from infuse.adaption.models import Design
from infuse.adaption.templatetags.adaption_design import SIZES, power_method, size_name

POWER = Path(infuse.__file__).parent / "stats" / "power"


def test_every_power_method_the_engine_names_has_words() -> None:
    made = set()
    for source in POWER.glob("*.py"):
        made |= set(re.findall(r'method="([a-z_]+)"', source.read_text()))
    assert made, "no power method found in the engine?"
    for code in made:
        assert "_" not in power_method(code) and power_method(code) != code, code
    for code in ("did", "its", "synthetic_control"):
        assert power_method(code) == Design(code).label


def test_every_size_the_engine_solves_for_has_words() -> None:
    """Each calculation, solving for a size and given one, as the design page runs it."""
    results = [
        stats.power_two_means(effect=0.3, power=0.8),
        stats.power_two_proportions(p_control=0.3, p_treatment=0.4, power=0.8),
        stats.power_cluster_means(
            effect=1.0, power=0.8, cluster_size=10, icc=0.1, total_variance=5
        ),
        stats.power_cluster_means(
            effect=1.0, power=0.8, n_clusters_per_arm=20, icc=0.1, total_variance=5
        ),
        stats.power_cluster_proportions(
            p_control=0.3, p_treatment=0.4, power=0.8, cluster_size=20, icc=0.05
        ),
        stats.power_stepped_wedge(
            n_clusters=10, n_steps=5, effect=0.5, power=0.8, within_cluster_variance=1, icc=0.05
        ),
    ]
    keys = {key for r in results for key in (*r.sample_size, *r.sample_size_rounded_up)}
    assert {"n_control", "n_clusters_per_arm", "cluster_size", "cluster_period_size"} <= keys
    assert keys <= set(SIZES), keys - set(SIZES)
    for result in results:
        assert "_" not in power_method(result.method), result.method


@pytest.mark.parametrize("code", sorted(SIZES))
def test_sizes_read_in_welsh_too(code: str) -> None:
    english = size_name(code)
    with translation.override("cy"):
        assert size_name(code) != english
