"""What an evaluation produces, as the pages, the API and the CLI show it: the ranking table of
a phase and a bidder's feedback. Plain records built by the evaluation use cases."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from infuse.procurement.evaluation import scoring
from infuse.procurement.models import Award, Bid, Criterion


@dataclass(frozen=True)
class EvaluationTable:
    """The phase's evaluation as the officers see it: bids ranked, points per criterion,
    whether moderation is complete, and the ±10-point sensitivity check."""

    criteria: list[Criterion]
    rows: list[dict[str, Any]]  # bid, supplier, price_pence, scores, points, total, rank, winner
    complete: bool  # every bid moderated on every scored criterion
    scenarios: list[scoring.Scenario]


@dataclass(frozen=True)
class Feedback:
    """What a bidder is told: their scores and the winner's, criterion by criterion, with the
    moderators' reasons, their total and rank, and the winners' totals."""

    bid: Bid
    award: Award
    criteria: list[Criterion]
    mine: dict[str, Any]
    winners: list[dict[str, Any]]
    successful: bool
    bidders: int
