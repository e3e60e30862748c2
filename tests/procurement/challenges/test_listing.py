"""The list of challenges says where each stands and can keep one status; open ones first."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from infuse.procurement.challenges.listing import ChallengeStatus, listed, status_of
from infuse.procurement.models import Challenge

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
