"""Evaluation to payment through the services: conflicts, independent scoring, moderation,
ranking, award with standstill, contracts and commitments, milestones, payments, feedback."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from infuse.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from infuse.fund.models import Commitment, Fund
from infuse.procurement.bids import services as bidding
from infuse.procurement.bids.schemas import BidIn
from infuse.procurement.contracts import services as contracting
from infuse.procurement.contracts.schemas import ContractTermsIn, MilestoneIn
from infuse.procurement.evaluation import services as evaluation
from infuse.procurement.evaluation.schemas import (
    AwardIn,
    DeclarationIn,
    ModerationIn,
    PanelIn,
    ScoreIn,
)
from infuse.procurement.models import Phase
from tests.procurement.flows import POUND, bids_in, open_bids, score_all

pytestmark = pytest.mark.django_db


def test_from_opening_to_payment(
    make_challenge, make_supplier, make_person, buyer, second_buyer, manager
):
    phase, bids = bids_in(
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
        open_bids(phase, buyer, second_buyer)
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
        score_all(first, bids[:1], phase, [(2, 2)])
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
        score_all(first, bids[1:], phase, [(4, 3), (3, 3)])
        score_all(second, bids[1:2], phase, [(4, 4)])

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
