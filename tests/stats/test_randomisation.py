"""Tests for infuse.stats.randomisation: exact counts, reproducibility, digests, uniformity,
balance (against hand computation) and re-randomisation."""

from __future__ import annotations

import hashlib
import json
import math
import os
import statistics
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from infuse.stats.randomisation import (
    AllocationResult,
    RerandomisationCriterion,
    allocation_digest,
    assignment_for_units,
    balance_table,
    inputs_digest,
    randomise_blocked,
    randomise_clusters,
    randomise_complete,
    randomise_simple,
    randomise_stepped_wedge,
    randomise_stratified,
    randomise_stratified_clusters,
    verify_allocation,
)

IDS = [f"u{i:02d}" for i in range(24)]


def _covariates(n: int = 24, seed: int = 7) -> dict[str, list[Any]]:
    rng = np.random.default_rng(seed)
    return {
        "age": [float(v) for v in rng.normal(45, 12, n).round(1)],
        "female": [int(v) for v in rng.integers(0, 2, n)],
        "council": [["Cardiff", "Newport", "Torfaen"][i % 3] for i in range(n)],
    }


# ---------------------------------------------------------------------------
# exact counts
# ---------------------------------------------------------------------------


def test_complete_exact_counts_and_ratio() -> None:
    r = randomise_complete(IDS, seed=1, ratio=[2, 1])
    assert r.counts == {"control": 16, "treatment": 8}
    odd = randomise_complete(IDS[:11], seed=3)
    assert sorted(odd.counts.values()) == [5, 6]
    three = randomise_complete(IDS, seed=2, arms=["a", "b", "c"])
    assert three.counts == {"a": 8, "b": 8, "c": 8}


def test_blocked_every_full_block_is_balanced() -> None:
    r = randomise_blocked(IDS, seed=11, block_sizes=[4])
    assert r.blocks is not None
    for block in set(r.blocks):
        arms = [a for a, b in zip(r.assignment, r.blocks, strict=True) if b == block]
        assert Counter(arms) == {"control": 2, "treatment": 2}
    assert not r.warnings


def test_blocked_random_sizes_and_incomplete_last_block() -> None:
    r = randomise_blocked(IDS[:23], seed=5, ratio=[1, 2], block_sizes=[3, 6])
    assert r.blocks is not None
    sizes = Counter(r.blocks)
    blocks = sorted(sizes)
    for block in blocks[:-1]:
        assert sizes[block] in (3, 6)
        arms = Counter(a for a, b in zip(r.assignment, r.blocks, strict=True) if b == block)
        assert arms["treatment"] == 2 * arms["control"]
    assert len(set(sizes[b] for b in blocks[:-1])) >= 1
    if sum(sizes.values()) % 3:
        assert [w.code for w in r.warnings] == ["incomplete_final_block"]
    with pytest.raises(ValueError, match="multiple"):
        randomise_blocked(IDS, seed=1, ratio=[1, 2], block_sizes=[4])


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


def test_stepped_wedge_order() -> None:
    councils = [f"W0600001{i}" for i in range(10)]
    r = randomise_stepped_wedge(councils, n_steps=5, seed=2026)
    assert r.steps is not None and r.schedule is not None
    assert Counter(r.steps) == {s: 2 for s in range(1, 6)}
    for step, row in zip(r.steps, r.schedule, strict=True):
        assert len(row) == 6
        assert row.index(1) == step  # one baseline period, so step s switches at period s
    uneven = randomise_stepped_wedge(councils, n_steps=3, clusters_per_step=[4, 3, 3], seed=1)
    assert Counter(uneven.assignment) == {"step_1": 4, "step_2": 3, "step_3": 3}


def test_simple_randomisation_probabilities() -> None:
    ids = list(range(20_000))
    r = randomise_simple(ids, seed=8, probabilities=[0.3, 0.7])
    share = r.counts["treatment"] / len(ids)
    assert abs(share - 0.7) < 4 * math.sqrt(0.21 / len(ids))


# ---------------------------------------------------------------------------
# reproducibility, digests, verification
# ---------------------------------------------------------------------------


def test_reproducible_from_seed_and_differs_across_seeds() -> None:
    a = randomise_complete(IDS, seed=123)
    b = randomise_complete(IDS, seed=123)
    c = randomise_complete(IDS, seed=124)
    assert a == b
    assert a.allocation_digest == b.allocation_digest
    assert a.assignment != c.assignment
    assert a.inputs_digest == c.inputs_digest


def test_inputs_digest_is_sha256_of_hand_written_canonical_json() -> None:
    """The canonical form written out by hand (sorted keys, no spaces, NaN as null)."""
    cov = {"x": [1.5, float("nan")], "flag": [True, False]}
    expected = hashlib.sha256(
        b'{"covariates":{"flag":[true,false],"x":[1.5,null]},"unit_ids":["a","b"]}'
    ).hexdigest()
    assert inputs_digest(["a", "b"], cov) == expected
    assert inputs_digest(["a", "b"], pd.DataFrame(cov)) == expected
    assert (
        allocation_digest(["a", "b"], ["control", "treatment"])
        == hashlib.sha256(
            b'{"assignment":["control","treatment"],"unit_ids":["a","b"]}'
        ).hexdigest()
    )


def test_digests_stable_across_processes(tmp_path: Path) -> None:
    """A fresh interpreter (different hash seed) reproduces the allocation and its digests."""
    cov = _covariates()
    here = randomise_stratified(IDS, covariates=cov, strata_by=["council"], seed=77)
    script = (
        "import json, sys\n"
        "from infuse.stats.randomisation import randomise_stratified\n"
        "ids, cov = json.load(sys.stdin)\n"
        "r = randomise_stratified(ids, covariates=cov, strata_by=['council'], seed=77)\n"
        "print(json.dumps([r.inputs_digest, r.allocation_digest]))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", script],
        input=json.dumps([IDS, cov]),
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert json.loads(out.stdout) == [here.inputs_digest, here.allocation_digest]


@pytest.mark.parametrize(
    "run",
    [
        lambda ids, cov: randomise_simple(ids, seed=1, covariates=cov),
        lambda ids, cov: randomise_complete(ids, seed=2, ratio=[1, 2], covariates=cov),
        lambda ids, cov: randomise_blocked(ids, seed=3, block_sizes=[2, 4], covariates=cov),
        lambda ids, cov: randomise_stratified(
            ids, covariates=cov, strata_by=["council", "age"], bins={"age": [40.0]}, seed=4
        ),
        lambda ids, cov: randomise_clusters(ids, seed=5, covariates=cov),
        lambda ids, cov: randomise_stratified_clusters(
            ids, covariates=cov, strata_by=["female"], seed=6
        ),
        lambda ids, cov: randomise_stepped_wedge(ids, n_steps=4, seed=7, covariates=cov),
        lambda ids, cov: randomise_complete(
            ids,
            seed=8,
            covariates={k: v for k, v in cov.items() if k != "council"},
            rerandomisation=RerandomisationCriterion("max_abs_smd", 0.1),
        ),
    ],
)
def test_verify_allocation_round_trip_and_tampering(run: object) -> None:
    cov = _covariates()
    result: AllocationResult = run(IDS, cov)  # type: ignore[operator]
    used_cov = (
        cov
        if result.method != "complete" or result.rerandomisation is None
        else {k: v for k, v in cov.items() if k != "council"}
    )
    inputs = {"unit_ids": IDS, "covariates": used_cov}
    assert verify_allocation(result, inputs)
    # JSON round trip of the record still verifies.
    record = json.loads(json.dumps(result.to_dict()))
    assert record["allocation_digest"] == result.allocation_digest
    # Changed inputs, or a changed assignment, fail.
    altered = {**used_cov, "female": [1 - int(v) for v in used_cov["female"]]}
    assert not verify_allocation(result, {"unit_ids": IDS, "covariates": altered})
    flipped = list(result.assignment)
    flipped[0], flipped[-1] = flipped[-1], flipped[0]
    if flipped != list(result.assignment):
        forged = AllocationResult(
            **{
                **{f: getattr(result, f) for f in result.__dataclass_fields__},
                "assignment": tuple(flipped),
            }
        )
        assert not verify_allocation(forged, inputs)


def test_bad_arguments_raise() -> None:
    with pytest.raises(TypeError, match="seed"):
        randomise_complete(IDS, seed=-1)
    with pytest.raises(ValueError, match="unique"):
        randomise_complete(["a", "a"], seed=1)
    with pytest.raises(ValueError, match="values for"):
        randomise_complete(IDS, seed=1, covariates={"x": [1, 2]})
    with pytest.raises(ValueError, match="ratio"):
        randomise_complete(IDS, seed=1, ratio=[1, 0])
    with pytest.raises(ValueError, match="unknown"):
        randomise_stratified(IDS, covariates=_covariates(), strata_by=["nope"], seed=1)


# ---------------------------------------------------------------------------
# uniformity
# ---------------------------------------------------------------------------


def _chi_square_uniform(counts: Counter[tuple[str, ...]], categories: int) -> float:
    observed = np.array(list(counts.values()), dtype=float)
    assert len(observed) == categories
    return float(stats.chisquare(observed).pvalue)


def test_complete_randomisation_is_uniform_over_allocations() -> None:
    """All C(4,2) = 6 allocations equally likely across seeds (chi-square, 5 df)."""
    seen = Counter(randomise_complete(["a", "b", "c", "d"], seed=s).assignment for s in range(3000))
    assert _chi_square_uniform(seen, 6) > 0.001


def test_blocked_randomisation_is_uniform_within_blocks() -> None:
    """Each of the 6 orderings of a 2:2 block equally likely across seeds."""
    seen = Counter(
        randomise_blocked(["a", "b", "c", "d"], seed=s, block_sizes=[4]).assignment
        for s in range(3000)
    )
    assert _chi_square_uniform(seen, 6) > 0.001


def test_stepped_wedge_order_is_uniform() -> None:
    """4 councils, 2 steps of 2: C(4,2) = 6 equally likely orders."""
    seen = Counter(
        randomise_stepped_wedge(["a", "b", "c", "d"], n_steps=2, seed=s).assignment
        for s in range(3000)
    )
    assert _chi_square_uniform(seen, 6) > 0.001


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


# ---------------------------------------------------------------------------
# balance and re-randomisation
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# properties (hypothesis)
# ---------------------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=80),
    ratio=st.lists(st.integers(min_value=1, max_value=3), min_size=2, max_size=4),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_property_complete_counts_within_one_of_target(n: int, ratio: list[int], seed: int) -> None:
    arms = [f"arm{i}" for i in range(len(ratio))]
    r = randomise_complete(list(range(n)), seed=seed, arms=arms, ratio=ratio)
    for arm, weight in zip(arms, ratio, strict=True):
        assert abs(r.counts[arm] - n * weight / sum(ratio)) < 1
    assert verify_allocation(r, {"unit_ids": list(range(n)), "covariates": None})


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=80),
    multiples=st.lists(st.integers(min_value=1, max_value=3), min_size=1, max_size=3),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_property_blocked_full_blocks_balanced(n: int, multiples: list[int], seed: int) -> None:
    sizes = sorted({2 * m for m in multiples})
    r = randomise_blocked(list(range(n)), seed=seed, block_sizes=sizes)
    assert r.blocks is not None
    blocks = np.asarray(r.blocks)
    treated = np.asarray([a == "treatment" for a in r.assignment])
    last = blocks.max()
    for b in np.unique(blocks[blocks != last]):
        members = treated[blocks == b]
        assert members.size in sizes and 2 * members.sum() == members.size
    # Overall imbalance is at most half of the (possibly cut) last block.
    assert abs(2 * int(treated.sum()) - n) <= max(sizes)
