"""Evaluation use cases: evaluators learn nothing before the opening, and those who run a
challenge cannot sit on its panel."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from infuse.core.errors import InvalidInput, NotFound
from infuse.procurement.bids import services as bidding
from infuse.procurement.bids.schemas import BidIn
from infuse.procurement.evaluation import services as evaluation
from infuse.procurement.evaluation.schemas import DeclarationIn, PanelIn
from tests.procurement.flows import phase_of

pytestmark = pytest.mark.django_db


def test_evaluators_learn_nothing_of_bids_before_the_opening(
    make_challenge, make_supplier, make_person, buyer, second_buyer
):
    phase = phase_of(make_challenge())
    evaluator = make_person("evaluator")
    evaluation.assign_evaluators(
        actor=buyer, phase=phase, panel_in=PanelIn(evaluators=[p.email for p in [evaluator]])
    )
    supplier = make_supplier()
    draft = bidding.save_bid(
        actor=supplier, phase=phase, bid_in=BidIn(answers={}, price_pence=None)
    )
    from django.test import Client

    web = Client()
    web.force_login(evaluator)
    assert web.get(f"/procurement/bids/{draft.pk}/evaluate/").status_code == 404
    with time_machine.travel(phase.submission_deadline + dt.timedelta(hours=1)):
        bidding.request_opening(actor=buyer, phase=phase)
        bidding.confirm_opening(actor=second_buyer, phase=phase)
        # Opened, but this draft was never submitted: it is not in the competition.
        assert web.get(f"/procurement/bids/{draft.pk}/evaluate/").status_code in (302, 404)
        with pytest.raises(NotFound):
            evaluation.declare_interest(
                actor=evaluator, bid=draft, declaration_in=DeclarationIn(has_conflict=False)
            )


def test_those_who_run_a_challenge_cannot_sit_on_its_panel(make_challenge, buyer, second_buyer):
    from infuse.core import services as core
    from infuse.core.models import Organisation

    phase = phase_of(make_challenge())
    core.grant_membership(
        actor=None,
        person=second_buyer,
        organisation=Organisation.objects.get(slug="bridgend"),
        role="evaluator",
    )
    with pytest.raises(InvalidInput) as refused:
        evaluation.assign_evaluators(
            actor=buyer, phase=phase, panel_in=PanelIn(evaluators=[p.email for p in [second_buyer]])
        )
    assert "cannot score it" in str(refused.value.problems[0].message)
