"""Input and output of the evaluation use cases: the panel, declarations of interest,
independent scores, moderation, and the ranking with its sensitivity check."""

from __future__ import annotations

from typing import Any

from ninja import Schema

from infuse.core.bounds import Count, Whole
from infuse.procurement.evaluation.tables import EvaluationTable, Feedback


class PanelIn(Schema):
    evaluators: list[str]  # emails


class DeclarationIn(Schema):
    has_conflict: bool
    details: str = ""


class ScoreIn(Schema):
    """One evaluator's score (0–4) of one criterion, with why."""

    criterion: Whole
    score: Count
    comment: str = ""


class ModerationIn(Schema):
    """The panel's consensus score of one criterion, and why."""

    criterion: Whole
    score: Count
    rationale: str


class AwardIn(Schema):
    """The reasons for the award, published with the award notice and given to every bidder."""

    rationale: str


class AwardCancelIn(Schema):
    reason: str


class RankedBidOut(Schema):
    bid: int
    supplier: str
    rank: int
    total: float
    price_pence: int
    points: dict[str, float]
    winner: bool


class ScenarioOut(Schema):
    criterion: int
    change: float
    winners: list[int]
    changed: bool


class EvaluationOut(Schema):
    complete: bool
    ranking: list[RankedBidOut]
    sensitivity: list[ScenarioOut]

    @classmethod
    def of(cls, table: EvaluationTable) -> EvaluationOut:
        return cls(
            complete=table.complete,
            ranking=[
                RankedBidOut(
                    bid=row["bid"].pk,
                    supplier=row["supplier"].name,
                    rank=row["rank"],
                    total=row["total"],
                    price_pence=row["price_pence"],
                    points={str(k): v for k, v in row["points"].items()},
                    winner=row["winner"],
                )
                for row in table.rows
            ],
            sensitivity=[
                ScenarioOut(
                    criterion=s.criterion,
                    change=s.change,
                    winners=list(s.winners),
                    changed=s.changed,
                )
                for s in table.scenarios
            ],
        )


class CriterionFeedbackOut(Schema):
    criterion: str
    weight: int
    score: int | None
    points: float
    rationale: str


class BidderFeedbackOut(Schema):
    supplier: str
    rank: int | None
    total: float
    criteria: list[CriterionFeedbackOut]

    @classmethod
    def of(cls, part: dict[str, Any]) -> BidderFeedbackOut:
        return cls(
            supplier=part["supplier"],
            rank=part["rank"],
            total=part["total"],
            criteria=[
                CriterionFeedbackOut(
                    criterion=row["criterion"].title_en,
                    weight=row["criterion"].weight,
                    score=row["score"],
                    points=row["points"],
                    rationale=row["rationale"],
                )
                for row in part["criteria"]
            ],
        )


class FeedbackOut(Schema):
    successful: bool
    bidders: int
    reasons: str
    yours: BidderFeedbackOut
    winners: list[BidderFeedbackOut]

    @classmethod
    def of(cls, told: Feedback) -> FeedbackOut:
        return cls(
            successful=told.successful,
            bidders=told.bidders,
            reasons=told.award.rationale,
            yours=BidderFeedbackOut.of(told.mine),
            winners=[BidderFeedbackOut.of(w) for w in told.winners],
        )
