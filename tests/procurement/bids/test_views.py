"""Bids on the pages until the deadline: a supplier registers and asks; two officers open them."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.utils.html import escape

from infuse.procurement.bids import services as bidding
from infuse.procurement.models import Bid
from tests.clients import signed_in_as
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_supplier_registers_asks_and_bids_until_the_deadline(make_challenge, buyer, mailoutbox):
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
    assert "Start a bid" not in web.get(base).content.decode()  # until the email is confirmed
    link = re.search(r"http://testserver(/\S+)", mailoutbox[-1].body).group(1)
    assert web.post(link).status_code == 302
    assert "Start a bid" in web.get(base).content.decode()
    web.post(f"{base}phases/1/ask/", {"question": "Hydro Vans asks: are hydrogen vans in scope?"})
    officer = signed_in_as(buyer)
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
    # Half a bid is kept, and its check page says what is missing, linked to the field.
    first = next(iter(answers))
    draft = web.post(f"{base}phases/1/bid/", {first: answers[first], "action": "check"})
    assert draft.status_code == 302 and draft["Location"] == f"{base}phases/1/bid/check/"
    check = web.get(draft["Location"]).text
    assert "Your bid cannot be submitted yet" in check and "Enter your price" in check
    assert f'href="{base}phases/1/bid/#id_price"' in check and "Submit the bid" not in check
    assert answers[first] in check  # what was typed is kept
    refused = web.post(draft["Location"], follow=True).text
    assert "Enter your price" in refused
    assert Bid.objects.get(phase=phase).submitted_at is None
    # Complete, checked, then submitted from the check page.
    web.post(f"{base}phases/1/bid/", {**answers, "price": "45,000", "action": "check"})
    check = web.get(f"{base}phases/1/bid/check/").text
    assert "£45,000" in check and "Submit the bid" in check and "cannot be submitted" not in check
    checked = re.search(r'name="checked" value="([^"]+)"', check).group(1)
    # A save after the check (a colleague's, say) must be checked before it is submitted.
    web.post(f"{base}phases/1/bid/", {**answers, "price": "46,000", "action": "save"})
    stale = web.post(f"{base}phases/1/bid/check/", {"checked": checked}, follow=True).text
    assert "saved again after you checked it" in stale and "£46,000" in stale
    assert Bid.objects.get(phase=phase).submitted_at is None
    checked = re.search(r'name="checked" value="([^"]+)"', stale).group(1)
    sent = web.post(f"{base}phases/1/bid/check/", {"checked": checked})
    assert sent.status_code == 302 and sent["Location"] == f"{base}phases/1/bid/"
    assert "hear the outcome in your messages" in web.get(sent["Location"]).text
    bid = Bid.objects.get(phase=phase)
    assert bid.submitted_at is not None
    assert "About Technical approach" in web.get(f"{base}phases/1/bid/").content.decode()
    assert "Hydro Vans Cymru" in web.get("/procurement/bids/").content.decode()
    with time_machine.travel(phase.submission_deadline + dt.timedelta(minutes=1)):
        late = web.post(f"{base}phases/1/bid/", {**answers, "price": "1", "action": "save"})
        assert late.status_code == 400
        assert "can no longer be made or changed" in late.content.decode()
        closed = web.get(f"{base}phases/1/bid/").content.decode()
        assert "not open for bids" in closed and "46,000" in closed
    assert bidding.read_bid(actor=bid.supplier.memberships.get().person, bid=bid).price_pence == (
        4_600_000
    )


def test_two_officers_open_the_bids_on_the_page(make_challenge, buyer, second_buyer):
    challenge = make_challenge()
    phase = challenge.phases.get()
    base = f"/procurement/challenges/{challenge.slug}/"
    first, second = signed_in_as(buyer), signed_in_as(second_buyer)
    early = first.post(f"{base}phases/1/opening/", follow=True)
    assert "after the deadline" in early.content.decode()
    with time_machine.travel(phase.submission_deadline + dt.timedelta(hours=1)):
        assert f'href="{base}phases/1/opening/"' in first.get(base).content.decode()
        assert "Ask to open the bids?" in first.get(f"{base}phases/1/opening/").content.decode()
        first.post(f"{base}phases/1/opening/")
        alone = first.post(f"{base}phases/1/opening/", follow=True).content.decode()
        assert "two-person rule" in alone
        second.post(f"{base}phases/1/opening/")
        page = second.get(base).content.decode()
        assert "Bids opened on" in page and escape(buyer.full_name) in page
        assert escape(second_buyer.full_name) in page  # names like O'Brien are escaped
