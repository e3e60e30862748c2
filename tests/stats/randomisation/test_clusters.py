"""Tests for infuse.stats.randomisation.clusters: the stepped-wedge order and its uniformity."""

from __future__ import annotations

from collections import Counter

from infuse.stats.randomisation.clusters import randomise_stepped_wedge
from tests.stats.randomisation._data import _chi_square_uniform


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


def test_stepped_wedge_order_is_uniform() -> None:
    """4 councils, 2 steps of 2: C(4,2) = 6 equally likely orders."""
    seen = Counter(
        randomise_stepped_wedge(["a", "b", "c", "d"], n_steps=2, seed=s).assignment
        for s in range(3000)
    )
    assert _chi_square_uniform(seen, 6) > 0.001
