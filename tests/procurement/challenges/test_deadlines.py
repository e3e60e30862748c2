"""Moving a published phase's deadline: only later and only before bids close; the timetable
keeps its order, the change is open contracting data (a valid tender amendment), audited, and
everyone in the phase hears of it with the reason, in their language."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from infuse.core.errors import Conflict, InvalidInput, PermissionDenied
from infuse.core.models import AuditEvent, Notification
from infuse.procurement.bids import services as bidding
from infuse.procurement.bids.schemas import BidIn
from infuse.procurement.challenges.deadlines import change_deadline
from infuse.procurement.challenges.schemas import DeadlineChangeIn
from infuse.procurement.models import Phase
from infuse.procurement.questions import services as questions
from infuse.procurement.questions.schemas import QuestionIn
from tests.clients import date_boxes, signed_in_as
from tests.procurement.ocds.test_releases import _errors, _validator

pytestmark = pytest.mark.django_db


def test_a_later_deadline_moves_the_timetable_is_published_and_told(
    make_challenge, make_supplier, buyer
):
    challenge = make_challenge()
    phase = challenge.phases.get()
    asker, bidder, elsewhere = make_supplier(), make_supplier(), make_supplier()
    asker.preferred_language = "cy"
    asker.save()
    questions.ask_question(actor=asker, phase=phase, question_in=QuestionIn(question="Leases?"))
    bidding.save_bid(actor=bidder, phase=phase, bid_in=BidIn(answers={}, price_pence=None))
    before = (phase.submission_deadline, phase.evaluation_ends_on, phase.award_expected_on)
    later = phase.submission_deadline + dt.timedelta(days=6, hours=2)

    moved = change_deadline(
        actor=buyer,
        phase=phase,
        change_in=DeadlineChangeIn(
            submission_deadline=later,
            reason_en="Suppliers asked for time to test with depots.",
            reason_cy="Gofynnodd cyflenwyr am amser i brofi gyda depos.",
        ),
    )
    assert moved.submission_deadline == later
    days = timezone.localdate(later) - timezone.localdate(before[0])  # calendar days in Wales
    assert moved.evaluation_ends_on == before[1] + days
    assert moved.award_expected_on == before[2] + days
    [change] = moved.amendments
    assert change["before"]["submission_deadline"] == before[0].isoformat()
    assert AuditEvent.objects.filter(action="phase.deadline_changed").count() == 1

    releases = Client().get("/api/v1/procurement/ocds/releases").json()
    assert _errors(_validator("release-package-schema.json"), releases) == []
    [amended] = [r for r in releases["releases"] if "tenderAmendment" in r["tag"]]
    assert amended["tender"]["tenderPeriod"]["endDate"].startswith(later.date().isoformat())
    [amendment] = amended["tender"]["amendments"]
    assert amendment["rationale"] == "Suppliers asked for time to test with depots."

    for person in (asker, bidder):
        [news] = Notification.objects.filter(
            person=person, topic=Notification.Topic.DEADLINE_CHANGED
        )
        assert "test with depots" in news.body_en and "brofi gyda depos" in news.body_cy
    assert not Notification.objects.filter(person=elsewhere).exists()


def test_an_earlier_or_muddled_deadline_or_a_passed_one_is_refused(make_challenge, make_person):
    challenge = make_challenge()
    phase = challenge.phases.get()
    buyer = challenge.created_by
    with pytest.raises(InvalidInput) as refused:
        change_deadline(
            actor=buyer,
            phase=phase,
            change_in=DeadlineChangeIn(
                submission_deadline=phase.submission_deadline - dt.timedelta(days=1),
                clarification_deadline=phase.submission_deadline + dt.timedelta(days=9),
                reason_en=" ",
            ),
        )
    fields = {problem.field for problem in refused.value.problems}
    assert fields == {"submission_on", "clarification_on", "reason_en"}
    with pytest.raises(PermissionDenied):
        change_deadline(
            actor=make_person("officer"),
            phase=phase,
            change_in=DeadlineChangeIn(
                submission_deadline=phase.submission_deadline + dt.timedelta(days=1), reason_en="r"
            ),
        )
    with (
        time_machine.travel(phase.submission_deadline + dt.timedelta(minutes=1)),
        pytest.raises(Conflict, match="can no longer move"),
    ):
        change_deadline(
            actor=buyer,
            phase=phase,
            change_in=DeadlineChangeIn(
                submission_deadline=phase.submission_deadline + dt.timedelta(days=1), reason_en="r"
            ),
        )


def test_the_buyer_moves_it_from_the_challenge_page_and_the_public_reads_why(make_challenge, buyer):
    challenge = make_challenge()
    phase = challenge.phases.get()
    web = signed_in_as(buyer)
    page = f"/procurement/challenges/{challenge.slug}/"
    assert "Move the deadline for bids" in web.get(page).text
    form = web.get(f"{page}phases/1/deadline/")
    assert form.status_code == 200 and 'name="submission_on-day"' in form.text
    new_day = timezone.localdate(phase.submission_deadline) + dt.timedelta(days=14)
    answer = web.post(
        f"{page}phases/1/deadline/",
        {
            **date_boxes("submission_on", new_day),
            "submission_time": "15:00",
            "reason_en": "More time for small firms.",
            "reason_cy": "Mwy o amser i gwmnïau bach.",
        },
    )
    assert answer.status_code == 302 and answer["Location"] == f"{page}#phase-1"
    assert "Everyone who asked a question or holds a bid" in web.get(answer["Location"]).text
    phase.refresh_from_db()
    assert timezone.localtime(phase.submission_deadline).hour == 15
    public = Client()
    assert "Why: More time for small firms." in public.get(page).text
    assert "Mwy o amser i gwmnïau bach." in public.get(f"/cy{page}").text
    assert "Move the deadline" not in public.get(page).text
    with time_machine.travel(phase.submission_deadline + dt.timedelta(minutes=1)):
        late = signed_in_as(buyer).get(f"{page}phases/1/deadline/", follow=True)  # a new session
        assert "can no longer move" in late.text


def test_a_second_change_is_checked_against_the_first_and_days_follow_the_calendar(
    make_challenge, buyer
):
    challenge = make_challenge()
    stale = challenge.phases.get()  # loaded once, as two officers' pages would be
    # At ten in the morning, UK time: the half hour added below stays on the same calendar
    # day whatever the hour the test runs at (near midnight it used to cross into the next).
    later = (stale.submission_deadline + dt.timedelta(days=20)).astimezone(
        ZoneInfo("Europe/London")
    )
    first = later.replace(hour=10, minute=0, second=0, microsecond=0)
    change_deadline(
        actor=buyer,
        phase=stale,
        change_in=DeadlineChangeIn(submission_deadline=first, reason_en="More time."),
    )
    with pytest.raises(InvalidInput):  # earlier than the deadline now stored
        change_deadline(
            actor=buyer,
            phase=stale,
            change_in=DeadlineChangeIn(
                submission_deadline=first - dt.timedelta(days=10), reason_en="Less time."
            ),
        )
    phase = challenge.phases.get()
    evaluation_ends = phase.evaluation_ends_on
    # Half an hour later on the same day moves the deadline, not the evaluation's date.
    change_deadline(
        actor=buyer,
        phase=phase,
        change_in=DeadlineChangeIn(
            submission_deadline=phase.submission_deadline + dt.timedelta(minutes=30),
            reason_en="A little more time.",
        ),
    )
    phase.refresh_from_db()
    assert phase.evaluation_ends_on == evaluation_ends


def test_days_are_counted_across_the_clock_change_as_wales_reads_them(make_challenge, buyer):
    challenge = make_challenge()
    phase = challenge.phases.get()
    london = ZoneInfo("Europe/London")
    summer = dt.datetime(2027, 10, 20, 12, 0, tzinfo=london)  # BST
    Phase.objects.filter(pk=phase.pk).update(
        opens_at=summer - dt.timedelta(days=9),
        clarification_deadline=summer - dt.timedelta(days=2),
        submission_deadline=summer,
        evaluation_ends_on=dt.date(2027, 11, 1),
        award_expected_on=dt.date(2027, 12, 15),
    )
    phase.refresh_from_db()
    with time_machine.travel(summer - dt.timedelta(days=1)):
        change_deadline(
            actor=buyer,
            phase=phase,
            change_in=DeadlineChangeIn(
                submission_deadline=dt.datetime(2027, 11, 3, 12, 0, tzinfo=london),  # GMT
                reason_en="Two more weeks.",
            ),
        )
    phase.refresh_from_db()
    assert phase.evaluation_ends_on == dt.date(2027, 11, 15)  # 14 days, not 15
    assert phase.award_expected_on == dt.date(2027, 12, 29)
