"""The list of challenges says where each stands and can keep one status; open ones first;
it asks the same questions however many challenges it holds."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from infuse.procurement.challenges.listing import (
    PHASE_TO_STATUS,
    ChallengeStatus,
    listed,
    status_of,
)
from infuse.procurement.challenges.services import visible_challenges
from infuse.procurement.models import Challenge, Phase
from tests.procurement.flows import POUND, bids_in, open_bids, signed_contract

pytestmark = pytest.mark.django_db


def test_each_challenge_stands_where_its_liveliest_phase_does(make_challenge) -> None:
    open_now = make_challenge(title="Open one")
    draft = make_challenge(title="Draft one", publish=False)
    assert status_of(open_now).status == ChallengeStatus.OPEN
    assert status_of(draft).status == ChallengeStatus.DRAFT
    phase = open_now.phases.get()
    with time_machine.travel(phase.submission_deadline + dt.timedelta(hours=1)):
        assert status_of(open_now).status == ChallengeStatus.CLOSED
    with time_machine.travel(phase.opens_at - dt.timedelta(hours=1)):
        assert status_of(open_now).status == ChallengeStatus.UPCOMING


def test_the_list_puts_open_first_counts_each_status_and_filters(make_challenge, buyer) -> None:
    closed = make_challenge(title="Closed one")
    closed.phases.update(
        opens_at=closed.phases.get().opens_at - dt.timedelta(days=30),
        clarification_deadline=closed.phases.get().opens_at - dt.timedelta(days=20),
        submission_deadline=closed.phases.get().opens_at - dt.timedelta(days=10),
    )
    make_challenge(title="Open one")
    shown, counts = listed(Challenge.objects.prefetch_related("phases"))
    assert [item.challenge.title_en for item in shown] == ["Open one", "Closed one"]
    assert counts["open"] == 1 and counts["closed"] == 1
    page = Client().get("/procurement/").content.decode()
    assert "Open for bids" in page and "bids closed on" in page
    assert page.index("Open one") < page.index("Closed one")
    only_closed = Client().get("/procurement/?status=closed").content.decode()
    assert "Closed one" in only_closed and "Open one" not in only_closed
    assert "Open one" in Client().get("/procurement/?status=nonsense").content.decode()
    welsh = Client().get("/cy/procurement/").content.decode()
    assert "Ar agor i gynigion" in welsh


def test_the_list_reads_every_phase_state_at_once_and_as_each_phase_says(
    make_challenge, make_supplier, manager, buyer, second_buyer
) -> None:
    """However many challenges are past their deadlines, the list asks the same questions;
    and each one stands where its phase, asked on its own, says it does."""
    phase, _bids = bids_in(make_challenge, make_supplier, manager, [100 * POUND])
    awarded, other_bids = bids_in(make_challenge, make_supplier, manager, [90 * POUND])
    later = phase.submission_deadline + dt.timedelta(hours=1)
    with time_machine.travel(later):
        open_bids(phase, buyer, second_buyer)
        signed_contract(
            awarded,
            other_bids[0],
            buyer,
            value_pence=90 * POUND,
            starts_on=later.date(),
            ends_on=later.date() + dt.timedelta(days=90),
        )
        with CaptureQueriesContext(connection) as few:
            shown, _counts = listed(visible_challenges(buyer))
        expected = {
            item.challenge.pk: PHASE_TO_STATUS[Phase.State(item.phase.state_at(timezone.now()))]
            for item in shown
            if item.phase is not None
        }
        assert {item.challenge.pk: item.status for item in shown} == expected
        assert sorted(item.status for item in shown) == sorted(
            [ChallengeStatus.EVALUATION, ChallengeStatus.AWARDED]
        )
        for _more in range(3):
            make_challenge(title="Another one")
    with (
        time_machine.travel(later + dt.timedelta(days=20)),
        CaptureQueriesContext(connection) as many,
    ):
        shown, _counts = listed(visible_challenges(buyer))
    assert len(shown) == 5
    assert len(many.captured_queries) == len(few.captured_queries)
