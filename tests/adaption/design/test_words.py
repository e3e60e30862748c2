"""Every method code the engine can return — power, estimator, randomisation — and every size
it solves for has words: no code (``two_proportions_z``, ``n_control``) reaches a page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import translation

import infuse
from infuse import stats
from infuse.adaption.method_names import (
    ESTIMATORS,
    POWER_METHODS,
    RANDOMISATIONS,
    SIZES,
    UNNAMED,
    method_name,
    size_name,
)
from infuse.adaption.models import Design

POWER = Path(infuse.__file__).parent / "stats" / "power"


def test_every_power_method_the_engine_names_has_words() -> None:
    made = set()
    for source in POWER.glob("*.py"):
        made |= set(re.findall(r'method="([a-z_]+)"', source.read_text()))
    assert made, "no power method found in the engine?"
    for code in made:
        assert "_" not in method_name(code) and method_name(code) != code, code
    for code in ("did", "its"):
        assert method_name(code) == Design(code).label


# Codes the engine passes to numpy/scipy or uses as options, not the method of a result
# ("wilson" is a proportion's interval, which the Data Lab's pages name themselves).
NOT_RESULT_METHODS = {
    "bootstrap",
    "bounded",
    "inverted_cdf",
    "outcome_lags",
    "Nelder-Mead",
    "wilson",
}


def test_every_estimator_and_randomisation_the_engine_names_has_words() -> None:
    root = Path(infuse.__file__).parent / "stats"
    found = set()
    for source in root.rglob("*.py"):
        text = source.read_text()
        found |= set(re.findall(r'(?:method=|method = |"method": )"([A-Za-z0-9_-]+)"', text))
        found |= set(re.findall(r'"([a-z]+_difference_in_means)"', text))
        found |= set(re.findall(r'complete_like\(\s*"([a-z_]+)"', text))
    documented = {"simple", "complete", "blocked", "stratified", "cluster", "stratified_cluster"}
    codes = (found | documented) - NOT_RESULT_METHODS
    named = set(POWER_METHODS) | set(ESTIMATORS) | set(RANDOMISATIONS)
    assert codes <= named, codes - named
    assert method_name("no_such_method") == str(UNNAMED)
    for code in named:
        with translation.override("cy"):
            welsh = method_name(code)
        assert welsh != method_name(code), f"no Welsh for {code}"


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
        assert "_" not in method_name(result.method), result.method


@pytest.mark.parametrize("code", sorted(SIZES))
def test_sizes_read_in_welsh_too(code: str) -> None:
    english = size_name(code)
    with translation.override("cy"):
        assert size_name(code) != english
