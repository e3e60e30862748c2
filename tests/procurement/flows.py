"""Steps the procurement tests share: a phase with bids in, the two-person opening, a panel's
scores. Made through the services, as people make them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import time_machine

from infuse.fund import services as fund
from infuse.fund.schemas import AllocationIn
from infuse.procurement.bids import services as bidding
from infuse.procurement.bids.schemas import BidIn
from infuse.procurement.contracts import services as contracting
from infuse.procurement.contracts.schemas import ContractTermsIn
from infuse.procurement.evaluation import services as evaluation
from infuse.procurement.evaluation.schemas import (
    AwardIn,
    DeclarationIn,
    ModerationIn,
    PanelIn,
    ScoreIn,
)
from infuse.procurement.models import Award, Challenge, Contract, Phase

POUND = 100
# What the losing and the winning bid of ``promised`` (tests/procurement/conftest.py) promise.
LOSER = {"local-jobs": Decimal(9)}
WINNER = {
    "local-jobs": Decimal("2.5"),
    "apprenticeship-weeks": Decimal(52),
    "local-supply-chain": Decimal(12_000),
}


def phase_of(challenge: Challenge) -> Phase:
    return challenge.phases.get(number=1)


def answers_for(phase: Phase, text: str = "We convert vans to hydrogen") -> dict[str, str]:
    """An answer to each scored criterion of the phase."""
    return {str(c.pk): f"{text} ({c.title_en})" for c in phase.criteria.exclude(kind="price")}


def bids_in(
    make_challenge: Any,
    make_supplier: Any,
    manager: Any,
    prices: list[int],
    allocation: int = 100_000 * POUND,
    promises: list[dict[str, Any]] | None = None,
) -> tuple[Phase, list[Any]]:
    """A published phase with an allocation and one submitted bid per price (each promising
    the social value in ``promises``, in turn, when given)."""
    challenge = make_challenge(contracts_planned=1)
    phase = challenge.phases.get()
    fund.allocate(
        actor=manager,
        allocation_in=AllocationIn(purpose=f"{challenge.slug}/1", amount_pence=allocation),
    )
    bids = []
    for number, price in enumerate(prices):
        person = make_supplier()
        answers = {str(c.pk): "Our plan" for c in phase.criteria.exclude(kind="price")}
        promised = promises[number] if promises else {}
        bid = bidding.save_bid(
            actor=person,
            phase=phase,
            bid_in=BidIn(answers=answers, price_pence=price, commitments=promised),
        )
        bidding.submit_bid(actor=person, bid=bid)
        bid.person = person  # type: ignore[attr-defined]
        bids.append(bid)
    return phase, bids


def open_bids(phase: Phase, buyer: Any, second_buyer: Any) -> None:
    """The two-person opening."""
    bidding.request_opening(actor=buyer, phase=phase)
    bidding.confirm_opening(actor=second_buyer, phase=phase)
    phase.refresh_from_db()


def score_all(evaluator: Any, bids: list[Any], phase: Phase, marks: list[tuple[int, int]]) -> None:
    """An evaluator declares no conflict and submits (quality, social value) marks per bid."""
    for bid, (quality, social) in zip(bids, marks, strict=True):
        if bid.declarations.filter(evaluator=evaluator).exists():
            continue
        evaluation.declare_interest(
            actor=evaluator, bid=bid, declaration_in=DeclarationIn(has_conflict=False)
        )
        quality_c = phase.criteria.get(kind="quality")
        social_c = phase.criteria.get(kind="social_value")
        evaluation.save_scores(
            actor=evaluator,
            bid=bid,
            scores=[
                ScoreIn(criterion=quality_c.pk, score=quality, comment="ok"),
                ScoreIn(criterion=social_c.pk, score=social, comment="ok"),
            ],
            submit=True,
        )


def signed_contract(
    phase: Phase, bid: Any, buyer: Any, *, value_pence: int, starts_on: dt.date, ends_on: dt.date
) -> Contract:
    """An award of ``bid`` (standstill over) and its contract, made directly: for tests of
    what comes after the award, not of the award itself."""
    award = Award.objects.create(
        phase=phase, rationale="r", decided_by=buyer, standstill_ends_at=phase.opens_at
    )
    return Contract.objects.create(
        award=award,
        bid=bid,
        supplier=bid.supplier,
        value_pence=value_pence,
        starts_on=starts_on,
        ends_on=ends_on,
    )


def the_second_bid_wins(
    phase: Phase, bids: list[Any], buyer: Any, second_buyer: Any, evaluator: Any
) -> Award:
    """The panel (``evaluator``) chosen, the bids opened by two officers after the deadline,
    scored and moderated so that the second bid wins, and the award decided."""
    evaluation.assign_evaluators(
        actor=buyer, phase=phase, panel_in=PanelIn(evaluators=[evaluator.email])
    )
    with time_machine.travel(phase.submission_deadline + dt.timedelta(hours=1)):
        open_bids(phase, buyer, second_buyer)
        score_all(evaluator, bids, phase, [(2, 2), (4, 4)])
        for bid, mark in zip(bids, (2, 4), strict=True):
            for criterion in phase.criteria.exclude(kind="price"):
                evaluation.moderate(
                    actor=buyer,
                    bid=bid,
                    moderation_in=ModerationIn(
                        criterion=criterion.pk, score=mark, rationale="Agreed"
                    ),
                )
        return evaluation.award_phase(
            actor=buyer, phase=phase, award_in=AwardIn(rationale="Best value")
        )


def confirmed(award: Award, buyer: Any, bid: Any) -> Contract:
    """After the standstill, the contract with ``bid``'s supplier, from January to September
    2027."""
    (contract,) = contracting.confirm_award(
        actor=buyer,
        award=award,
        terms=[
            ContractTermsIn(bid=bid.pk, starts_on=dt.date(2027, 1, 4), ends_on=dt.date(2027, 9, 30))
        ],
    )
    return contract
