"""Tests for infuse.stats.randomisation.individual: exact counts, block balance, probabilities,
argument checks, uniformity over allocations and properties (hypothesis)."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infuse.stats.randomisation.individual import (
    randomise_blocked,
    randomise_complete,
    randomise_simple,
)
from infuse.stats.randomisation.stratified import randomise_stratified
from infuse.stats.randomisation.verify import verify_allocation
from tests.stats.randomisation._data import IDS, _chi_square_uniform, _covariates


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


def test_simple_randomisation_probabilities() -> None:
    ids = list(range(20_000))
    r = randomise_simple(ids, seed=8, probabilities=[0.3, 0.7])
    share = r.counts["treatment"] / len(ids)
    assert abs(share - 0.7) < 4 * math.sqrt(0.21 / len(ids))


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
