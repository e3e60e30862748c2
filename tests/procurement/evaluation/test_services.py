"""Evaluation use cases: evaluators learn nothing before the opening, those who run a
challenge cannot sit on its panel, and the panel read with a bid answers every check of it."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from infuse.core.errors import InvalidInput, NotFound, PermissionDenied
from infuse.procurement.bids import services as bidding
from infuse.procurement.bids.schemas import BidIn
from infuse.procurement.evaluation import services as evaluation
from infuse.procurement.evaluation.schemas import DeclarationIn, PanelIn
from tests.procurement.flows import POUND, bids_in, open_bids, phase_of

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


def test_a_bid_read_for_its_panel_brings_the_panel_with_it(
    make_challenge, make_supplier, manager, make_person, buyer, second_buyer
):
    """The evaluator's bid page checks the panel in several use cases: the panel read with
    the bid answers each of them, and a change to it through the same phase is seen."""
    phase, bids = bids_in(make_challenge, make_supplier, manager, [100 * POUND])
    judge = make_person("evaluator")
    evaluation.assign_evaluators(
        actor=buyer, phase=phase, panel_in=PanelIn(evaluators=[judge.email])
    )
    with time_machine.travel(phase.submission_deadline + dt.timedelta(hours=1)):
        open_bids(phase, buyer, second_buyer)
        found = evaluation.evaluated_bid(actor=judge, bid_id=bids[0].pk)
        with CaptureQueriesContext(connection) as queries:
            assert found.phase.has_evaluator(judge)
            assert not found.phase.has_evaluator(buyer)
            assert list(evaluation.visible_scores(actor=judge, bid=found)) == []
        assert not [q for q in queries.captured_queries if "phase_evaluators" in q["sql"]]
        found.phase.evaluators.remove(judge)
        assert not found.phase.has_evaluator(judge)
        with pytest.raises(PermissionDenied):
            evaluation.visible_scores(actor=judge, bid=found)
