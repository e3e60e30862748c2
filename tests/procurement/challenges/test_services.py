"""Challenge use cases: drafts hidden until published, criteria that weigh 100, a timetable
in order, and who may run a challenge."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from infuse.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from infuse.procurement.challenges import services as challenges
from infuse.procurement.challenges.schemas import PhaseIn
from infuse.procurement.models import Phase
from tests.procurement.conftest import criteria_fields
from tests.procurement.flows import phase_of

pytestmark = pytest.mark.django_db


def test_criteria_must_weigh_100_with_price_and_social_value(make_challenge, buyer):
    challenge = make_challenge(publish=False)
    phase = phase_of(challenge)
    wrong = criteria_fields()
    wrong[0].weight = 45
    with pytest.raises(InvalidInput) as refused:
        challenges.set_criteria(actor=buyer, phase=phase, criteria=wrong)
    assert "add up to 95%" in str(refused.value.problems[0].message)
    no_goal = criteria_fields()
    no_goal[1].goal = ""
    no_price = [c for c in criteria_fields() if c.kind != "price"]
    no_price[0].weight = 90
    for fields, text in ((no_goal, "well-being goal"), (no_price, "price")):
        with pytest.raises(InvalidInput) as refused:
            challenges.set_criteria(actor=buyer, phase=phase, criteria=fields)
        assert any(text in str(p.message) for p in refused.value.problems)


def test_a_draft_is_hidden_until_published_and_then_fixed(make_challenge, buyer, make_person):
    challenge = make_challenge(publish=False)
    public = AnonymousUser()
    with pytest.raises(NotFound):
        challenges.get_challenge(actor=public, slug=challenge.slug)
    assert challenges.get_challenge(actor=make_person("officer"), slug=challenge.slug)
    assert challenge.phases.get().state == Phase.State.DRAFT
    challenges.publish_challenge(actor=buyer, challenge=challenge)
    assert challenges.get_challenge(actor=public, slug=challenge.slug) == challenge
    assert challenge.phases.get().state == Phase.State.OPEN
    with pytest.raises(Conflict):
        challenges.set_criteria(actor=buyer, phase=phase_of(challenge), criteria=criteria_fields())


def test_publishing_needs_welsh_and_a_future_deadline(make_challenge, buyer):
    challenge = make_challenge(publish=False)
    challenge.summary_cy = ""
    challenge.save()
    with pytest.raises(InvalidInput) as refused:
        challenges.publish_challenge(actor=buyer, challenge=challenge)
    assert "in Welsh" in str(refused.value.problems[0].message)


def test_a_timetable_out_of_order_is_refused(make_challenge, buyer):
    challenge = make_challenge(publish=False)
    now = timezone.now()
    with pytest.raises(InvalidInput) as refused:
        challenges.save_phase(
            actor=buyer,
            challenge=challenge,
            phase_in=PhaseIn(
                number=2,
                budget_pence=100,
                contracts_planned=1,
                opens_at=now,
                clarification_deadline=now + dt.timedelta(days=9),
                submission_deadline=now + dt.timedelta(days=3),
                evaluation_ends_on=now.date(),
                award_expected_on=now.date(),
            ),
        )
    assert {p.field for p in refused.value.problems} >= {"submission_deadline"}


def test_only_procurement_officers_of_the_owner_or_programme_run_a_challenge(
    make_challenge, make_person, second_buyer
):
    challenge = make_challenge(publish=False)
    cardiff_officer = make_person("officer")
    with pytest.raises(PermissionDenied):
        challenges.publish_challenge(actor=cardiff_officer, challenge=challenge)
    challenges.publish_challenge(actor=second_buyer, challenge=challenge)  # the programme team
