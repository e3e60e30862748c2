"""Tests for infuse.stats.randomisation.stratified: counts within strata, of units and clusters."""

from __future__ import annotations

from collections import Counter

import pytest

from infuse.stats.randomisation.clusters import assignment_for_units, randomise_clusters
from infuse.stats.randomisation.stratified import (
    randomise_stratified,
    randomise_stratified_clusters,
)
from tests.stats.randomisation._data import IDS, _covariates


def test_stratified_counts_within_each_stratum() -> None:
    cov = _covariates()
    r = randomise_stratified(IDS, covariates=cov, strata_by=["council"], seed=9, within="complete")
    assert r.strata is not None
    for stratum in set(r.strata):
        arms = Counter(a for a, s in zip(r.assignment, r.strata, strict=True) if s == stratum)
        assert arms == {"control": 4, "treatment": 4}
    blocked = randomise_stratified(
        IDS, covariates=cov, strata_by=["council", "age"], bins={"age": 2}, seed=9, block_sizes=[2]
    )
    assert blocked.strata is not None and len(set(blocked.strata)) == 6
    for stratum in set(blocked.strata):
        arms = Counter(
            a for a, s in zip(blocked.assignment, blocked.strata, strict=True) if s == stratum
        )
        assert abs(arms["control"] - arms["treatment"]) <= 1


def test_stratified_clusters_and_unit_expansion() -> None:
    clusters = ["W06000015", "W06000018", "W06000019", "W06000020", "W06000021", "W06000022"]
    cov = {"urban": [1, 0, 0, 0, 1, 1]}
    r = randomise_stratified_clusters(clusters, covariates=cov, strata_by=["urban"], seed=4)
    assert r.method == "stratified_cluster"
    assert r.strata is not None
    for stratum in set(r.strata):
        arms = Counter(a for a, s in zip(r.assignment, r.strata, strict=True) if s == stratum)
        assert sorted(arms.values()) == [1, 2]
    people = ["W06000015", "W06000015", "W06000022"]
    mapped = assignment_for_units(r, people)
    assert mapped[0] == mapped[1] == r.assignment[0]
    with pytest.raises(ValueError, match="not in the allocation"):
        assignment_for_units(r, ["W06000099"])
    plain = randomise_clusters(clusters, seed=4)
    assert plain.counts == {"control": 3, "treatment": 3}
