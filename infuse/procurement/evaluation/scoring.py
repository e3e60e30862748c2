"""Scoring bids: price formulas, weighted totals, the ranking and its tie-break, and whether the
winners would change if any weight moved by ten points. Pure functions over plain values, so
the rules are in one readable place and tested by hand-worked examples.

Scores: every criterion but price is scored 0–4 on the published scale (0 unacceptable,
1 poor, 2 satisfactory, 3 good, 4 excellent) and earns ``weight × score / 4`` points. Price
earns ``weight × fraction``, the fraction from the phase's formula. Totals are out of 100.

Tie-break (stated to bidders): a higher total wins; if equal, the higher quality and social
value points (the non-price part); if still equal, the lower price; if still equal, the bid
submitted earlier.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

SCALE_MAX = 4
LOWEST_OVER_BID = "lowest_over_bid"
LINEAR_FROM_LOWEST = "linear_from_lowest"


@dataclass(frozen=True)
class CriterionWeight:
    id: int
    kind: str  # quality, social_value, price
    weight: float


@dataclass(frozen=True)
class BidFigures:
    id: int
    price_pence: int
    submitted_at: dt.datetime
    scores: Mapping[int, float]  # criterion id → 0..4 (moderated, or a provisional mean)


@dataclass(frozen=True)
class Ranked:
    """A bid's place and points: worked out in Decimal, given as floats for display."""

    bid: int
    rank: int
    total: float
    non_price: float
    price_fraction: float
    points: Mapping[int, float]  # criterion id → points earned


def _decimal(number: float) -> Decimal:
    """A weight or a score as Decimal, by its shortest decimal form (0.1 is 0.1, not the
    binary float nearest to it)."""
    return number if isinstance(number, Decimal) else Decimal(str(number))


def _tie(number: Decimal) -> Decimal:
    return number.quantize(Decimal("1e-12"))


def price_fractions(prices: Mapping[int, int], formula: str) -> dict[int, Decimal]:
    """Each bid's share of the price points (0 to 1); the lowest price always gets 1.

    ``lowest_over_bid``: lowest ÷ price. ``linear_from_lowest``: 1 − (price − lowest) ÷ lowest,
    not below 0 (a bid at twice the lowest price gets nothing). In Decimal, not float: prices
    are money, and two bids' points must tie exactly when their figures do."""
    if not prices:
        return {}
    if any(p <= 0 for p in prices.values()):
        raise ValueError("prices must be positive")
    lowest = Decimal(min(prices.values()))
    if formula == LOWEST_OVER_BID:
        return {bid: lowest / Decimal(price) for bid, price in prices.items()}
    if formula == LINEAR_FROM_LOWEST:
        return {
            bid: max(Decimal(0), 1 - (Decimal(price) - lowest) / lowest)
            for bid, price in prices.items()
        }
    raise ValueError(f"unknown price formula {formula!r}")


def rank(
    criteria: Sequence[CriterionWeight], bids: Sequence[BidFigures], formula: str
) -> list[Ranked]:
    """Bids in order, best first, with their points; equal places only if everything ties
    (which the submission time makes impossible in practice)."""
    fractions = price_fractions({b.id: b.price_pence for b in bids}, formula)
    rows = []
    for bid in bids:
        points: dict[int, Decimal] = {}
        for criterion in criteria:
            weight = _decimal(criterion.weight)
            if criterion.kind == "price":
                points[criterion.id] = weight * fractions[bid.id]
            else:
                score = _decimal(bid.scores.get(criterion.id, 0))
                points[criterion.id] = weight * score / SCALE_MAX
        non_price = sum((points[c.id] for c in criteria if c.kind != "price"), start=Decimal(0))
        rows.append((bid, points, sum(points.values(), start=Decimal(0)), non_price))
    # Compared at 12 places: points made different ways (0.1 + 0.2 and 0.3) must tie.
    rows.sort(key=lambda r: (-_tie(r[2]), -_tie(r[3]), r[0].price_pence, r[0].submitted_at))
    return [
        Ranked(
            bid=bid.id,
            rank=place,
            total=float(total),
            non_price=float(non_price),
            price_fraction=float(fractions[bid.id]),
            points={criterion: float(p) for criterion, p in points.items()},
        )
        for place, (bid, points, total, non_price) in enumerate(rows, start=1)
    ]


def moved_weights(
    criteria: Sequence[CriterionWeight], criterion_id: int, change: float
) -> list[CriterionWeight]:
    """Weights with one criterion moved by ``change`` points (kept within 0–100) and the
    difference shared among the others in proportion to their weights, so they total 100."""
    target = next(c for c in criteria if c.id == criterion_id)
    new_weight = min(100.0, max(0.0, target.weight + change))
    moved = new_weight - target.weight
    others = [c for c in criteria if c.id != criterion_id]
    rest = sum(c.weight for c in others)
    result = []
    for c in criteria:
        if c.id == criterion_id:
            result.append(CriterionWeight(c.id, c.kind, new_weight))
        else:
            share = c.weight / rest if rest else 1 / len(others)
            result.append(CriterionWeight(c.id, c.kind, c.weight - moved * share))
    return result


@dataclass(frozen=True)
class Scenario:
    criterion: int
    change: float
    weights: Mapping[int, float]
    winners: tuple[int, ...]
    changed: bool


def sensitivity(
    criteria: Sequence[CriterionWeight],
    bids: Sequence[BidFigures],
    formula: str,
    *,
    winners: int = 1,
    step: float = 10.0,
) -> list[Scenario]:
    """For each criterion moved by −step and +step points: who would win (the top
    ``winners``), and whether that differs from the ranking with the published weights."""
    base = tuple(sorted(r.bid for r in rank(criteria, bids, formula)[:winners]))
    scenarios = []
    for criterion in criteria:
        for change in (-step, step):
            weights = moved_weights(criteria, criterion.id, change)
            top = tuple(sorted(r.bid for r in rank(weights, bids, formula)[:winners]))
            scenarios.append(
                Scenario(
                    criterion=criterion.id,
                    change=change,
                    weights={w.id: w.weight for w in weights},
                    winners=top,
                    changed=top != base,
                )
            )
    return scenarios
