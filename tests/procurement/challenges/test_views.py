"""A buyer builds and publishes a challenge on the pages."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from infuse.procurement.challenges import services as challenges
from infuse.procurement.challenges.schemas import PhaseIn
from infuse.procurement.models import Challenge, Phase
from tests.clients import date_boxes, signed_in_as
from tests.core.test_query_budget import shape
from tests.procurement.conftest import criteria_fields
from tests.procurement.flows import open_bids

pytestmark = pytest.mark.django_db


def test_a_buyer_builds_and_publishes_a_challenge(buyer):
    web = signed_in_as(buyer)
    form = web.get("/procurement/challenges/new/")
    assert form.status_code == 200 and "Run by" in form.content.decode()
    refused = web.post("/procurement/challenges/new/", {"owner": "newport"})
    assert refused.status_code == 400 and "Enter the title in English" in refused.content.decode()
    made = web.post(
        "/procurement/challenges/new/",
        {
            "title_en": "Smart street lights",
            "title_cy": "Goleuadau stryd clyfar",
            "summary_en": "Lights that dim when nobody is there.",
            "summary_cy": "Goleuadau sy'n pylu pan nad oes neb yno.",
            "problem_en": "Street lighting is a council's largest electricity bill.",
            "owner": "newport",
            "councils": ["W06000022"],
            "themes": ["decarbonisation"],
            "goals": ["globally-responsible"],
            "cpv_codes": "34993000",
        },
    )
    assert made.status_code == 302
    challenge = Challenge.objects.get(slug="smart-street-lights")
    base = f"/procurement/challenges/{challenge.slug}/"
    soon = timezone.localdate() + dt.timedelta(days=2)
    phase = {
        "budget": "£50,000",
        "contracts_planned": "2",
        **date_boxes("opens_on", soon),
        "opens_time": "09:00",
        **date_boxes("clarification_on", soon + dt.timedelta(days=7)),
        "clarification_time": "12:00",
        **date_boxes("submission_on", soon + dt.timedelta(days=3)),
        "submission_time": "12:00",
        **date_boxes("evaluation_ends_on", soon + dt.timedelta(days=30)),
        **date_boxes("award_expected_on", soon + dt.timedelta(days=40)),
        "price_formula": "lowest_over_bid",
    }
    wrong = web.post(f"{base}phases/1/edit/", phase)
    assert wrong.status_code == 400 and "must run in order" in wrong.content.decode()
    # A date with a part missing or impossible says which, and links to its first box.
    missing = web.post(f"{base}phases/1/edit/", {**phase, "submission_on-month": ""}).text
    assert "‘Bids close on’ must include a month" in missing
    assert 'href="#id_submission_on-day"' in missing
    impossible = web.post(
        f"{base}phases/1/edit/", {**phase, "submission_on-day": "31", "submission_on-month": "Feb"}
    ).text
    assert "‘Bids close on’ must be a real date" in impossible
    phase.update(date_boxes("submission_on", soon + dt.timedelta(days=14)))
    assert web.post(f"{base}phases/1/edit/", {**phase, "budget": "lots"}).status_code == 400
    assert web.post(f"{base}phases/1/edit/", phase).status_code == 302
    saved = Phase.objects.get(challenge=challenge)
    assert saved.budget_pence == 5_000_000
    again = web.get(f"{base}phases/1/edit/").content.decode()  # the saved dates in their boxes
    assert f'name="opens_on-day" type="text" inputmode="numeric" value="{soon.day}"' in again
    assert f'name="opens_on-year" type="text" inputmode="numeric" value="{soon.year}"' in again
    assert 'value="09:00"' in again
    assert timezone.localtime(saved.opens_at).hour == 9  # 09:00 in Wales
    rows = {
        "criterion-TOTAL_FORMS": "3",
        "criterion-INITIAL_FORMS": "0",
        "criterion-0-kind": "quality",
        "criterion-0-title_en": "Energy saved",
        "criterion-0-weight": "60",
        "criterion-1-kind": "social_value",
        "criterion-1-title_en": "Local apprenticeships",
        "criterion-1-weight": "10",
        "criterion-1-goal": "prosperous",
        "criterion-2-kind": "price",
        "criterion-2-title_en": "Price",
        "criterion-2-weight": "20",
    }
    bad = web.post(f"{base}phases/1/criteria/", rows)
    assert bad.status_code == 400 and "add up to 90%" in bad.content.decode()
    rows["criterion-2-weight"] = "30"
    assert web.post(f"{base}phases/1/criteria/", rows).status_code == 302
    from django.core.files.uploadedfile import SimpleUploadedFile

    web.post(
        f"{base}documents/new/",
        {
            "title_en": "Specification",
            "file": SimpleUploadedFile("spec.pdf", b"%PDF-1.4 spec", "application/pdf"),
        },
    )
    assert Client().get(base).status_code == 404  # a draft is not public
    published = web.post(f"{base}publish/", follow=True)
    assert "Give the title and summary in Welsh" not in published.content.decode()
    page = Client().get(base).content.decode()
    assert "Smart street lights" in page and "Energy saved" in page and "£50,000" in page
    assert "Specification" in page
    welsh = Client().get(f"/cy{base}").content.decode()
    assert "Goleuadau stryd clyfar" in welsh and "Sut y caiff cynigion eu sgorio" in welsh
    document = challenge.documents.get()
    download = Client().get(f"/procurement/documents/{document.pk}/")
    assert b"".join(download.streaming_content) == b"%PDF-1.4 spec"


def test_the_challenge_page_asks_each_question_at_most_once_for_each_phase(
    buyer, second_buyer, make_challenge
):
    """Who can act on the steps is looked up once for the page and what has happened in a
    phase once for that phase: three phases past their deadlines, their bids opened, ask no
    question more than three times (the task lists used to ask who can act for each one)."""
    challenge = make_challenge(publish=False)
    first = challenge.phases.get()
    for number in (2, 3):
        phase = challenges.save_phase(
            actor=buyer,
            challenge=challenge,
            phase_in=PhaseIn(
                number=number,
                budget_pence=first.budget_pence,
                contracts_planned=1,
                opens_at=first.opens_at,
                clarification_deadline=first.clarification_deadline,
                submission_deadline=first.submission_deadline,
                evaluation_ends_on=first.evaluation_ends_on,
                award_expected_on=first.award_expected_on,
            ),
        )
        challenges.set_criteria(actor=buyer, phase=phase, criteria=criteria_fields())
    challenges.publish_challenge(actor=buyer, challenge=challenge)
    with time_machine.travel(first.submission_deadline + dt.timedelta(hours=1)):
        for phase in challenge.phases.all():
            open_bids(phase, buyer, second_buyer)
        web = signed_in_as(buyer)
        with CaptureQueriesContext(connection) as queries:
            page = web.get(f"/procurement/challenges/{challenge.slug}/")
    assert page.status_code == 200
    assert page.text.count(">In evaluation</strong>") == 3
    assert page.text.count("Bids opened on") == 3
    shapes = Counter(shape(query["sql"]) for query in queries.captured_queries)
    statement, times = shapes.most_common(1)[0]
    assert times <= 3, statement
