"""Tests for infuse.stats.randomisation.rerandomisation: uniformity over the acceptable set
(Morgan & Rubin 2012), both criteria and an unreachable criterion."""

from __future__ import annotations

import math
import statistics
from collections import Counter

import numpy as np
import pytest

from infuse.stats.randomisation.balance import balance_table
from infuse.stats.randomisation.individual import randomise_complete
from infuse.stats.randomisation.records import RerandomisationCriterion
from tests.stats.randomisation._data import IDS, _chi_square_uniform, _covariates


def test_rerandomisation_is_uniform_over_acceptable_allocations() -> None:
    """Morgan & Rubin (2012): re-randomisation draws uniformly from the acceptable set. With 6
    units and one covariate, enumerate the acceptable 3:3 splits and check each is hit equally."""
    x = [1.0, 2.0, 3.0, 4.0, 5.0, 9.0]
    crit = RerandomisationCriterion("max_abs_smd", 0.5, batch_size=8)
    seen = Counter(
        randomise_complete(
            list("abcdef"), seed=s, covariates={"x": x}, rerandomisation=crit
        ).assignment
        for s in range(4000)
    )
    acceptable = 0
    for mask in range(64):
        treated = [(mask >> i) & 1 for i in range(6)]
        if sum(treated) != 3:
            continue
        t = [v for v, z in zip(x, treated, strict=True) if z]
        c = [v for v, z in zip(x, treated, strict=True) if not z]
        pooled = math.sqrt((statistics.variance(t) + statistics.variance(c)) / 2)
        acceptable += abs(statistics.mean(t) - statistics.mean(c)) / pooled <= 0.5
    assert len(seen) == acceptable
    assert _chi_square_uniform(seen, acceptable) > 0.001


def test_rerandomisation_max_smd_meets_criterion() -> None:
    cov = {k: v for k, v in _covariates(40, seed=3).items() if k != "council"}
    ids = [f"p{i}" for i in range(40)]
    r = randomise_complete(
        ids, seed=31, covariates=cov, rerandomisation=RerandomisationCriterion("max_abs_smd", 0.15)
    )
    assert not r.warnings
    assert r.rerandomisation is not None
    assert r.rerandomisation["n_draws"] >= 1
    independent = balance_table(cov, r.assignment)
    assert independent.max_abs_smd <= 0.15
    assert r.rerandomisation["statistic"] == pytest.approx(independent.max_abs_smd, rel=1e-9)


def test_rerandomisation_mahalanobis_matches_morgan_rubin_formula() -> None:
    """M = n_t n_c / n (xbar_t - xbar_c)' S^-1 (xbar_t - xbar_c), S the sample covariance."""
    cov = {k: v for k, v in _covariates(30, seed=4).items() if k != "council"}
    ids = list(range(30))
    r = randomise_complete(
        ids, seed=2, covariates=cov, rerandomisation={"kind": "mahalanobis", "threshold": 0.2}
    )
    x = np.column_stack([cov["age"], cov["female"]]).astype(float)
    z = np.array([a == "treatment" for a in r.assignment])
    d = x[z].mean(axis=0) - x[~z].mean(axis=0)
    m = z.sum() * (~z).sum() / len(z) * d @ np.linalg.inv(np.cov(x, rowvar=False)) @ d
    assert r.rerandomisation is not None
    assert r.rerandomisation["statistic"] == pytest.approx(m, rel=1e-9)
    assert m <= 0.2


def test_unreachable_criterion_warns_and_keeps_best() -> None:
    cov = {"x": [0.0, 1.0, 10.0, 30.0]}
    r = randomise_complete(
        ["a", "b", "c", "d"],
        seed=1,
        covariates=cov,
        rerandomisation=RerandomisationCriterion("max_abs_smd", 1e-9, max_draws=50, batch_size=10),
    )
    assert [w.code for w in r.warnings] == ["rerandomisation_criterion_not_met"]
    assert r.rerandomisation is not None and r.rerandomisation["met"] is False
    assert r.rerandomisation["n_draws"] == 50
    with pytest.raises(ValueError, match="two arms"):
        randomise_complete(
            IDS,
            seed=1,
            arms=["a", "b", "c"],
            covariates={"x": list(range(24))},
            rerandomisation=RerandomisationCriterion("max_abs_smd", 0.1),
        )
