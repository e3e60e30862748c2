"""Scoring rules, checked against examples worked by hand and a brute-force re-ranking."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infuse.procurement.evaluation.scoring import (
    BidFigures,
    CriterionWeight,
    moved_weights,
    price_fractions,
    rank,
    sensitivity,
)

T0 = dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)
CRITERIA = [
    CriterionWeight(1, "quality", 50),
    CriterionWeight(2, "social_value", 10),
    CriterionWeight(3, "price", 40),
]


def bid(i: int, price: int, quality: float, social: float, minutes: int = 0) -> BidFigures:
    return BidFigures(i, price, T0 + dt.timedelta(minutes=minutes), {1: quality, 2: social})


def test_price_formulas_worked_by_hand():
    prices = {1: 80_000, 2: 100_000, 3: 200_000}
    assert price_fractions(prices, "lowest_over_bid") == {
        1: Decimal(1),
        2: Decimal("0.8"),
        3: Decimal("0.4"),
    }
    assert price_fractions(prices, "linear_from_lowest") == {
        1: Decimal(1),
        2: Decimal("0.75"),
        3: Decimal(0),
    }
    with pytest.raises(ValueError):
        price_fractions({1: 0}, "lowest_over_bid")
    with pytest.raises(ValueError):
        price_fractions({1: 5}, "dearest_wins")


def test_totals_and_ranking_worked_by_hand():
    # Bid 1: quality 3/4 of 50 = 37.5, social 2/4 of 10 = 5, price 80k/100k of 40 = 32 → 74.5
    # Bid 2: quality 4/4 of 50 = 50, social 4/4 of 10 = 10, price 80k/80k of 40 = 40 → 100
    # Bid 3: quality 2/4 of 50 = 25, social 0 → 0, price 80k/160k of 40 = 20 → 45
    ranked = rank(
        CRITERIA,
        [bid(1, 100_000, 3, 2), bid(2, 80_000, 4, 4), bid(3, 160_000, 2, 0)],
        "lowest_over_bid",
    )
    assert [(r.bid, r.rank, round(r.total, 6)) for r in ranked] == [
        (2, 1, 100),
        (1, 2, 74.5),
        (3, 3, 45),
    ]
    assert ranked[1].points == {1: 37.5, 2: 5.0, 3: 32.0}


def test_the_stated_tie_break():
    # Higher total first.
    a = bid(1, 100_000, 2, 4)  # 25 + 10 + 40 = 75
    b = bid(2, 100_000, 3, 0)  # 37.5 + 0 + 40 = 77.5
    assert [r.bid for r in rank(CRITERIA, [a, b], "lowest_over_bid")] == [2, 1]
    # Same total, same non-price points and same price: the earlier submission wins.
    c = bid(3, 100_000, 3, 0, minutes=5)
    d = bid(4, 100_000, 3, 0, minutes=1)
    assert [r.bid for r in rank(CRITERIA, [c, d], "lowest_over_bid")] == [4, 3]
    # Same total, same non-price, different price: only possible with zero price weight.
    no_price_weight = [CriterionWeight(1, "quality", 100), CriterionWeight(3, "price", 0)]
    e = BidFigures(5, 90_000, T0 + dt.timedelta(minutes=9), {1: 3})
    f = BidFigures(6, 70_000, T0 + dt.timedelta(minutes=30), {1: 3})
    assert [r.bid for r in rank(no_price_weight, [e, f], "lowest_over_bid")] == [6, 5]


@given(
    st.lists(st.integers(min_value=1, max_value=60), min_size=2, max_size=5),
    st.integers(min_value=0, max_value=4),
    st.sampled_from([-10.0, 10.0]),
)
def test_moved_weights_still_total_100(raw, index, change):
    total = sum(raw)
    weights = [w * 100 / total for w in raw]
    criteria = [CriterionWeight(i, "quality", w) for i, w in enumerate(weights)]
    target = criteria[index % len(criteria)].id
    moved = moved_weights(criteria, target, change)
    assert sum(c.weight for c in moved) == pytest.approx(100)
    assert all(c.weight >= -1e-9 for c in moved)
    mine = next(c.weight for c in moved if c.id == target)
    before = next(c.weight for c in criteria if c.id == target)
    assert mine == pytest.approx(min(100, max(0, before + change)))


def test_sensitivity_names_the_weights_that_would_change_the_winner():
    # Bid 1: cheap and plain; bid 2: dear and excellent. Published weights: 2 wins narrowly.
    cheap = bid(1, 60_000, 2, 2)  # 25 + 5 + 40 = 70
    good = bid(2, 100_000, 4, 3)  # 50 + 7.5 + 24 = 81.5
    scenarios = sensitivity(CRITERIA, [cheap, good], "lowest_over_bid")
    assert len(scenarios) == 6
    assert not any(s.changed for s in scenarios)  # 11.5 points clear: robust to ±10
    closer = bid(2, 100_000, 3, 2)  # 37.5 + 5 + 24 = 66.5 → the cheap bid wins at first
    scenarios = sensitivity(CRITERIA, [cheap, closer], "lowest_over_bid")
    by = {(s.criterion, s.change): s for s in scenarios}
    assert by[(1, 10.0)].changed and by[(1, 10.0)].winners == (2,)
    assert not by[(3, 10.0)].changed  # more weight on price helps the cheap bid more
    # Brute force: re-rank with the moved weights by hand.
    for s in scenarios:
        moved = [CriterionWeight(c.id, c.kind, s.weights[c.id]) for c in CRITERIA]
        totals = {}
        for b in (cheap, closer):
            lowest = min(cheap.price_pence, closer.price_pence)
            totals[b.id] = sum(
                c.weight * (lowest / b.price_pence if c.kind == "price" else b.scores[c.id] / 4)
                for c in moved
            )
        assert s.winners == (max(totals, key=totals.get),)


def test_with_two_contracts_the_top_two_win():
    bids = [
        bid(i, 100_000 + i * 1000, q, 2) for i, q in zip(range(1, 5), [1, 4, 3, 2], strict=True)
    ]
    scenarios = sensitivity(CRITERIA, bids, "linear_from_lowest", winners=2)
    base = [r.bid for r in rank(CRITERIA, bids, "linear_from_lowest")[:2]]
    assert sorted(base) == [2, 3]
    assert all(len(s.winners) == 2 for s in scenarios)
