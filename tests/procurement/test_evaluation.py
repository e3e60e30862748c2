"""Evaluation to payment through the services: conflicts, independent scoring, moderation,
ranking, award with standstill, contracts and commitments, milestones, payments, feedback."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from infuse.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from infuse.fund import services as fund
from infuse.fund.models import Commitment, Fund
from infuse.fund.schemas import AllocationIn
from infuse.procurement.bids import services as bidding
from infuse.procurement.bids.schemas import BidIn
from infuse.procurement.contracts import services as contracting
from infuse.procurement.contracts.schemas import ContractTermsIn, MilestoneIn
from infuse.procurement.evaluation import services as evaluation
from infuse.procurement.evaluation.schemas import (
    AwardCancelIn,
    AwardIn,
    DeclarationIn,
    ModerationIn,
    PanelIn,
    ScoreIn,
)
from infuse.procurement.models import Award, Contract, Phase

pytestmark = pytest.mark.django_db
POUND = 100


@pytest.fixture
def manager(make_person):
    return make_person("fund_manager", email="money@ccr.example")


def _bidding(make_challenge, make_supplier, manager, prices, allocation=100_000 * POUND):
    """A published phase with an allocation and one submitted bid per price."""
    challenge = make_challenge(contracts_planned=1)
    phase = challenge.phases.get()
    fund.allocate(
        actor=manager,
        allocation_in=AllocationIn(purpose=f"{challenge.slug}/1", amount_pence=allocation),
    )
    bids = []
    for price in prices:
        person = make_supplier()
        answers = {str(c.pk): "Our plan" for c in phase.criteria.exclude(kind="price")}
        bid = bidding.save_bid(
            actor=person, phase=phase, bid_in=BidIn(answers=answers, price_pence=price)
        )
        bidding.submit_bid(actor=person, bid=bid)
        bid.person = person
        bids.append(bid)
    return phase, bids


def _open(phase, buyer, second_buyer):
    bidding.request_opening(actor=buyer, phase=phase)
    bidding.confirm_opening(actor=second_buyer, phase=phase)
    phase.refresh_from_db()


def _score_all(evaluator, bids, phase, marks):
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
                ScoreIn(criterion=k, score=s, comment=c)
                for k, (s, c) in (
                    {quality_c.pk: (quality, "ok"), social_c.pk: (social, "ok")}
                ).items()
            ],
        )
        evaluation.submit_scores(actor=evaluator, bid=bid)


def test_from_opening_to_payment(
    make_challenge, make_supplier, make_person, buyer, second_buyer, manager
):
    phase, bids = _bidding(
        make_challenge, make_supplier, manager, [60_000 * POUND, 80_000 * POUND, 90_000 * POUND]
    )
    idle = make_supplier()
    draft = bidding.save_bid(actor=idle, phase=phase, bid_in=BidIn(answers={}, price_pence=None))
    first = make_person("evaluator", email="eval1@bridgend.example")
    second = make_person("evaluator", email="eval2@bridgend.example")
    outsider = make_person("evaluator", email="eval3@bridgend.example")
    evaluation.assign_evaluators(
        actor=buyer, phase=phase, panel_in=PanelIn(evaluators=[p.email for p in [first, second]])
    )
    with pytest.raises(InvalidInput):
        evaluation.assign_evaluators(
            actor=buyer,
            phase=phase,
            panel_in=PanelIn(evaluators=[p.email for p in [make_person("officer")]]),
        )
    quality = phase.criteria.get(kind="quality")
    social = phase.criteria.get(kind="social_value")
    after_deadline = phase.submission_deadline + dt.timedelta(hours=1)
    with time_machine.travel(after_deadline):
        with pytest.raises(Conflict):  # not opened yet
            evaluation.declare_interest(
                actor=first, bid=bids[0], declaration_in=DeclarationIn(has_conflict=False)
            )
        _open(phase, buyer, second_buyer)
        assert phase.state == Phase.State.EVALUATION
        with pytest.raises(PermissionDenied):
            evaluation.declare_interest(
                actor=outsider, bid=bids[0], declaration_in=DeclarationIn(has_conflict=False)
            )
        with pytest.raises(Conflict):  # scores before declaring
            evaluation.save_scores(
                actor=first,
                bid=bids[0],
                scores=[
                    ScoreIn(criterion=k, score=s, comment=c)
                    for k, (s, c) in ({quality.pk: (3, "")}).items()
                ],
            )
        with pytest.raises(PermissionDenied):  # cannot read the bid before declaring
            bidding.read_bid(actor=first, bid=bids[0])
        with pytest.raises(InvalidInput):
            evaluation.declare_interest(
                actor=second, bid=bids[2], declaration_in=DeclarationIn(has_conflict=True)
            )
        evaluation.declare_interest(
            actor=second,
            bid=bids[2],
            declaration_in=DeclarationIn(has_conflict=True, details="My brother runs it"),
        )
        with pytest.raises(PermissionDenied):  # conflicted: excluded from that bid
            bidding.read_bid(actor=second, bid=bids[2])
        with pytest.raises(PermissionDenied):
            evaluation.save_scores(
                actor=second,
                bid=bids[2],
                scores=[
                    ScoreIn(criterion=k, score=s, comment=c)
                    for k, (s, c) in ({quality.pk: (4, "")}).items()
                ],
            )

        # Independent scoring: the first evaluator scores bid 0 and submits.
        _score_all(first, bids[:1], phase, [(2, 2)])
        evaluation.declare_interest(
            actor=second, bid=bids[0], declaration_in=DeclarationIn(has_conflict=False)
        )
        evaluation.save_scores(
            actor=second,
            bid=bids[0],
            scores=[
                ScoreIn(criterion=k, score=s, comment=c)
                for k, (s, c) in ({quality.pk: (3, "good")}).items()
            ],
        )
        seen = evaluation.visible_scores(actor=second, bid=bids[0])
        assert {s.evaluator_id for s in seen} == {second.pk}  # not yet the others'
        with pytest.raises(InvalidInput):  # social value not scored
            evaluation.submit_scores(actor=second, bid=bids[0])
        evaluation.save_scores(
            actor=second,
            bid=bids[0],
            scores=[
                ScoreIn(criterion=k, score=s, comment=c)
                for k, (s, c) in ({social.pk: (2, "fine")}).items()
            ],
        )
        with pytest.raises(Conflict):  # moderation waits for the whole panel
            evaluation.moderate(
                actor=buyer,
                bid=bids[0],
                moderation_in=ModerationIn(criterion=quality.pk, score=2, rationale="x"),
            )
        evaluation.submit_scores(actor=second, bid=bids[0])
        assert {s.evaluator_id for s in evaluation.visible_scores(actor=second, bid=bids[0])} == {
            first.pk,
            second.pk,
        }
        with pytest.raises(Conflict):  # submitted scores are locked
            evaluation.save_scores(
                actor=second,
                bid=bids[0],
                scores=[
                    ScoreIn(criterion=k, score=s, comment=c)
                    for k, (s, c) in ({quality.pk: (4, "")}).items()
                ],
            )
        _score_all(first, bids[1:], phase, [(4, 3), (3, 3)])
        _score_all(second, bids[1:2], phase, [(4, 4)])

        # Moderation: the consensus per bid and criterion.
        consensus = {0: (2, 2), 1: (4, 3), 2: (3, 3)}
        for i, (q, s) in consensus.items():
            evaluation.moderate(
                actor=buyer,
                bid=bids[i],
                moderation_in=ModerationIn(criterion=quality.pk, score=q, rationale="Agreed"),
            )
            evaluation.moderate(
                actor=buyer,
                bid=bids[i],
                moderation_in=ModerationIn(criterion=social.pk, score=s, rationale="Agreed"),
            )
        table = evaluation.evaluation_table(actor=buyer, phase=phase)
        assert table.complete
        # Hand-worked: weights quality 50, social 10, price 40; lowest 60k.
        # bid0: 25 + 5 + 40 = 70; bid1: 50 + 7.5 + 30 = 87.5; bid2: 37.5 + 7.5 + 26.667 = 71.667
        assert [(row["bid"].pk, round(row["total"], 3)) for row in table.rows] == [
            (bids[1].pk, 87.5),
            (bids[2].pk, 71.667),
            (bids[0].pk, 70.0),
        ]
        assert len(table.scenarios) == 6 and not any(s.changed for s in table.scenarios)
        with pytest.raises(PermissionDenied):
            evaluation.evaluation_table(actor=first, phase=phase)

        award = evaluation.award_phase(
            actor=buyer, phase=phase, award_in=AwardIn(rationale="Best value for money")
        )
        assert list(award.winners.all()) == [bids[1]]
        assert phase.state == Phase.State.STANDSTILL
        with pytest.raises(Conflict):
            contracting.confirm_award(
                actor=buyer,
                award=award,
                terms=[
                    ContractTermsIn(
                        bid=bids[1].pk, starts_on=dt.date(2027, 1, 4), ends_on=dt.date(2027, 6, 30)
                    )
                ],
            )
        # Feedback: the bidder sees their scores and the winner's; others see nothing of it.
        told = evaluation.feedback(actor=bids[0].person, bid=bids[0])
        assert not told.successful and told.mine["rank"] == 3
        assert told.winners[0]["total"] == pytest.approx(87.5)
        assert [c["score"] for c in told.winners[0]["criteria"] if c["score"] is not None] == [4, 3]
        with pytest.raises(NotFound):
            evaluation.feedback(actor=bids[2].person, bid=bids[0])
        with pytest.raises(NotFound):  # never submitted: never in the competition
            evaluation.feedback(actor=idle, bid=draft)

    with time_machine.travel(award.standstill_ends_at + dt.timedelta(minutes=1)):
        contracts = contracting.confirm_award(
            actor=buyer,
            award=award,
            terms=[
                ContractTermsIn(
                    bid=bids[1].pk, starts_on=dt.date(2027, 1, 4), ends_on=dt.date(2027, 6, 30)
                )
            ],
        )
        phase.refresh_from_db()
        assert phase.state == Phase.State.AWARDED
    contract = contracts[0]
    assert contract.value_pence == 80_000 * POUND
    assert Commitment.objects.get(contract=contract).amount_pence == 80_000 * POUND
    with pytest.raises(Conflict):
        contracting.add_milestone(
            actor=buyer,
            contract=contract,
            milestone_in=MilestoneIn(
                title_en="All", due_on=dt.date(2027, 2, 1), amount_pence=80_001 * POUND
            ),
        )
    prototype = contracting.add_milestone(
        actor=buyer,
        contract=contract,
        milestone_in=MilestoneIn(
            title_en="Prototype van",
            title_cy="Fan brototeip",
            due_on=dt.date(2027, 3, 1),
            amount_pence=30_000 * POUND,
        ),
    )
    contracting.add_milestone(
        actor=buyer,
        contract=contract,
        milestone_in=MilestoneIn(
            title_en="Trial report", due_on=dt.date(2027, 6, 1), amount_pence=50_000 * POUND
        ),
    )
    with pytest.raises(Conflict):
        contracting.pay_milestone(actor=manager, milestone=prototype)
    contracting.accept_milestone(actor=buyer, milestone=prototype)
    prototype.refresh_from_db()
    contracting.pay_milestone(actor=manager, milestone=prototype, paid_on=dt.date(2027, 3, 10))
    money = Fund.objects.get(slug="challenge-fund")
    assert (money.committed_pence, money.paid_pence) == (80_000 * POUND, 30_000 * POUND)


def test_an_award_the_allocation_cannot_pay_for_makes_no_contract(
    make_challenge, make_supplier, make_person, buyer, second_buyer, manager
):
    phase, bids = _bidding(
        make_challenge, make_supplier, manager, [150_000 * POUND], allocation=100_000 * POUND
    )
    evaluator = make_person("evaluator", email="solo@bridgend.example")
    evaluation.assign_evaluators(
        actor=buyer, phase=phase, panel_in=PanelIn(evaluators=[p.email for p in [evaluator]])
    )
    with time_machine.travel(phase.submission_deadline + dt.timedelta(hours=1)):
        _open(phase, buyer, second_buyer)
        _score_all(evaluator, bids, phase, [(3, 3)])
        for criterion in phase.criteria.exclude(kind="price"):
            evaluation.moderate(
                actor=buyer,
                bid=bids[0],
                moderation_in=ModerationIn(criterion=criterion.pk, score=3, rationale="r"),
            )
        award = evaluation.award_phase(
            actor=buyer, phase=phase, award_in=AwardIn(rationale="Only bid")
        )
    terms = [
        ContractTermsIn(bid=bids[0].pk, starts_on=dt.date(2027, 1, 4), ends_on=dt.date(2027, 6, 30))
    ]
    with (
        time_machine.travel(award.standstill_ends_at + dt.timedelta(hours=1)),
        pytest.raises(Conflict) as refused,
    ):
        contracting.confirm_award(actor=buyer, award=award, terms=terms)
    assert "£100,000 is left" in str(refused.value.message)
    assert not Contract.objects.exists()
    award.refresh_from_db()
    assert award.status == Award.Status.STANDSTILL  # nothing half-done
    # The award can be cancelled in standstill and the evaluation reopens.
    evaluation.cancel_award(actor=buyer, award=award, cancel_in=AwardCancelIn(reason="Over budget"))
    assert phase.state_at(award.standstill_ends_at) == Phase.State.EVALUATION
