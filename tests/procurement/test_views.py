"""The Procurement Lab's pages with a real client: a buyer builds and publishes a challenge,
a supplier registers, asks and bids, the buyer answers and two officers open the bids."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from infuse.procurement.bids import services as bidding
from infuse.procurement.models import Bid, Challenge, Phase
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def signed_in(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def test_a_buyer_builds_and_publishes_a_challenge(buyer):
    web = signed_in(buyer)
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
        },
    )
    assert made.status_code == 302
    challenge = Challenge.objects.get(slug="smart-street-lights")
    base = f"/procurement/challenges/{challenge.slug}/"
    soon = timezone.localdate() + dt.timedelta(days=2)
    phase = {
        "budget": "£50,000",
        "contracts_planned": "2",
        "opens_on": soon.isoformat(),
        "opens_time": "09:00",
        "clarification_on": (soon + dt.timedelta(days=7)).isoformat(),
        "clarification_time": "12:00",
        "submission_on": (soon + dt.timedelta(days=3)).isoformat(),
        "submission_time": "12:00",
        "evaluation_ends_on": (soon + dt.timedelta(days=30)).isoformat(),
        "award_expected_on": (soon + dt.timedelta(days=40)).isoformat(),
        "price_formula": "lowest_over_bid",
    }
    wrong = web.post(f"{base}phases/1/edit/", phase)
    assert wrong.status_code == 400 and "must run in order" in wrong.content.decode()
    phase["submission_on"] = (soon + dt.timedelta(days=14)).isoformat()
    assert web.post(f"{base}phases/1/edit/", {**phase, "budget": "lots"}).status_code == 400
    assert web.post(f"{base}phases/1/edit/", phase).status_code == 302
    saved = Phase.objects.get(challenge=challenge)
    assert saved.budget_pence == 5_000_000
    again = web.get(f"{base}phases/1/edit/").content.decode()  # what a browser's inputs can read
    assert f'value="{soon.isoformat()}"' in again and 'value="09:00"' in again
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


def test_a_supplier_registers_asks_and_bids_until_the_deadline(make_challenge, buyer):
    challenge = make_challenge()
    phase = challenge.phases.get()
    web = Client()
    form = web.get("/procurement/suppliers/register/")
    assert form.status_code == 200
    bad = web.post("/procurement/suppliers/register/", {"postcode": "nowhere"})
    assert bad.status_code == 400 and "Enter a UK postcode" in bad.content.decode()
    registered = web.post(
        "/procurement/suppliers/register/",
        {
            "full_name": "Nia Jones",
            "email": "nia@hydrovans.example",
            "password": PASSWORD,
            "name": "Hydro Vans Cymru Ltd",
            "companies_house_number": "12345678",
            "address": "Unit 4, Port Talbot",
            "postcode": "SA13 1AB",
            "is_sme": "on",
        },
    )
    assert registered.status_code == 302  # and signed in
    base = f"/procurement/challenges/{challenge.slug}/"
    assert "Start a bid" in web.get(base).content.decode()
    web.post(f"{base}phases/1/ask/", {"question": "Hydro Vans asks: are hydrogen vans in scope?"})
    officer = signed_in(buyer)
    waiting = officer.get(f"{base}phases/1/questions/").content.decode()
    assert "Hydro Vans Cymru Ltd" in waiting  # the buyer sees who asked
    question = phase.clarifications.get()
    officer.post(
        f"/procurement/questions/{question.pk}/answer/",
        {"published_question_en": "Are hydrogen vans in scope?", "answer_en": "Yes."},
    )
    public = Client().get(base).content.decode()
    assert "Are hydrogen vans in scope?" in public and "Hydro Vans" not in public

    criteria = list(phase.criteria.exclude(kind="price"))
    answers = {f"answer_{c.pk}": f"About {c.title_en}" for c in criteria}
    incomplete = web.post(f"{base}phases/1/bid/", {"action": "submit", "price": ""})
    assert incomplete.status_code == 400 and "Enter your price" in incomplete.content.decode()
    sent = web.post(f"{base}phases/1/bid/", {**answers, "price": "45,000", "action": "submit"})
    assert sent.status_code == 302
    bid = Bid.objects.get(phase=phase)
    assert bid.submitted_at is not None
    assert "About Technical approach" in web.get(f"{base}phases/1/bid/").content.decode()
    assert "Hydro Vans Cymru" in web.get("/procurement/bids/").content.decode()
    with time_machine.travel(phase.submission_deadline + dt.timedelta(minutes=1)):
        late = web.post(f"{base}phases/1/bid/", {**answers, "price": "1", "action": "save"})
        assert late.status_code == 400
        assert "can no longer be made or changed" in late.content.decode()
        closed = web.get(f"{base}phases/1/bid/").content.decode()
        assert "not open for bids" in closed and "45,000" in closed
    assert bidding.read_bid(actor=bid.supplier.memberships.get().person, bid=bid).price_pence == (
        4_500_000
    )


def test_two_officers_open_the_bids_on_the_page(make_challenge, buyer, second_buyer):
    challenge = make_challenge()
    phase = challenge.phases.get()
    base = f"/procurement/challenges/{challenge.slug}/"
    first, second = signed_in(buyer), signed_in(second_buyer)
    early = first.post(f"{base}phases/1/opening/", follow=True)
    assert "after the deadline" in early.content.decode()
    with time_machine.travel(phase.submission_deadline + dt.timedelta(hours=1)):
        assert "Ask to open the bids" in first.get(base).content.decode()
        first.post(f"{base}phases/1/opening/")
        alone = first.post(f"{base}phases/1/opening/", follow=True).content.decode()
        assert "two-person rule" in alone
        second.post(f"{base}phases/1/opening/")
        page = second.get(base).content.decode()
        assert "Bids opened on" in page and escape(buyer.full_name) in page
        assert escape(second_buyer.full_name) in page  # names like O'Brien are escaped
