"""Contracts: an award the phase's allocation cannot pay for makes no contract at all."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from infuse.core.errors import Conflict
from infuse.procurement.contracts import services as contracting
from infuse.procurement.contracts.schemas import ContractTermsIn
from infuse.procurement.evaluation import services as evaluation
from infuse.procurement.evaluation.schemas import (
    AwardCancelIn,
    AwardIn,
    ModerationIn,
    PanelIn,
)
from infuse.procurement.models import Award, Contract, Phase
from tests.procurement.flows import POUND, bids_in, open_bids, score_all

pytestmark = pytest.mark.django_db


def test_an_award_the_allocation_cannot_pay_for_makes_no_contract(
    make_challenge, make_supplier, make_person, buyer, second_buyer, manager
):
    phase, bids = bids_in(
        make_challenge, make_supplier, manager, [150_000 * POUND], allocation=100_000 * POUND
    )
    evaluator = make_person("evaluator", email="solo@bridgend.example")
    evaluation.assign_evaluators(
        actor=buyer, phase=phase, panel_in=PanelIn(evaluators=[p.email for p in [evaluator]])
    )
    with time_machine.travel(phase.submission_deadline + dt.timedelta(hours=1)):
        open_bids(phase, buyer, second_buyer)
        score_all(evaluator, bids, phase, [(3, 3)])
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
