"""The evaluation on the pages, from the panel to the award, the contract and its payment."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from pypdf import PdfReader

from infuse.fund import services as fund
from infuse.procurement.models import Contract
from tests.clients import confirm, date_boxes, signed_in_as
from tests.pdf_pages import page_problems
from tests.procurement.flows import POUND, bids_in, open_bids

pytestmark = pytest.mark.django_db


def test_from_the_panel_to_payment_on_the_pages(
    make_challenge, make_supplier, make_person, buyer, second_buyer
):
    manager = make_person("fund_manager", email="money@ccr.example")
    phase, bids = bids_in(make_challenge, make_supplier, manager, [60_000 * POUND, 80_000 * POUND])
    challenge = phase.challenge
    base = f"/procurement/challenges/{challenge.slug}/phases/1/"
    first = make_person("evaluator", email="eval1@bridgend.example", full_name="Eira Evans")
    second = make_person("evaluator", email="eval2@bridgend.example", full_name="Owain Rees")
    officer = signed_in_as(buyer)
    panel = officer.get(f"{base}evaluators/").content.decode()
    assert "Eira Evans" in panel
    officer.post(f"{base}evaluators/", {"evaluators": [str(first.pk), str(second.pk)]})
    assert set(phase.evaluators.all()) == {first, second}
    quality = phase.criteria.get(kind="quality")
    social = phase.criteria.get(kind="social_value")
    with time_machine.travel(phase.submission_deadline + dt.timedelta(hours=1)):
        open_bids(phase, buyer, second_buyer)
        for person, marks in ((first, [(2, 2), (4, 3)]), (second, [(2, 1), (4, 4)])):
            web = signed_in_as(person)
            listing = web.get(f"{base}evaluation/").content.decode()
            assert "Declare interests" in listing
            for bid, (q, s) in zip(bids, marks, strict=True):
                page = web.get(f"/procurement/bids/{bid.pk}/evaluate/").content.decode()
                assert "Our plan" not in page  # not before the declaration
                missing = web.post(
                    f"/procurement/bids/{bid.pk}/declaration/", {"has_conflict": "yes"}
                )
                assert (
                    missing.status_code == 400
                    and "Say what the conflict" in missing.content.decode()
                )
                web.post(f"/procurement/bids/{bid.pk}/declaration/", {"has_conflict": "no"})
                page = web.get(f"/procurement/bids/{bid.pk}/evaluate/").content.decode()
                assert "Our plan" in page
                incomplete = web.post(
                    f"/procurement/bids/{bid.pk}/evaluate/",
                    {"action": "submit", f"score_{quality.pk}": str(q)},
                )
                assert incomplete.status_code == 400
                web.post(
                    f"/procurement/bids/{bid.pk}/evaluate/",
                    {
                        "action": "submit",
                        f"score_{quality.pk}": str(q),
                        f"comment_{quality.pk}": "Clear plan",
                        f"score_{social.pk}": str(s),
                    },
                )
            assert "Scores submitted" in web.get(f"{base}evaluation/").content.decode()
        table = officer.get(f"{base}evaluation/").content.decode()
        assert "Provisional" in table and "Sensitivity" in table
        for bid, (q, s) in zip(bids, [(2, 2), (4, 4)], strict=True):
            page = officer.get(f"/procurement/bids/{bid.pk}/moderate/").content.decode()
            assert "Eira Evans" in page and "Owain Rees" in page
            for criterion, score in ((quality, q), (social, s)):
                officer.post(
                    f"/procurement/bids/{bid.pk}/moderate/",
                    {
                        "criterion": str(criterion.pk),
                        f"c{criterion.pk}-score": str(score),
                        f"c{criterion.pk}-rationale": "Panel agreed",
                    },
                )
        table = officer.get(f"{base}evaluation/").content.decode()
        assert "Provisional" not in table and "Decide the award" in table
        decided = officer.post(f"{base}award/", {"rationale": "Best value"})
        assert decided.status_code == 302
        page = officer.get(f"{base}award/").content.decode()
        assert "Standstill ends" in page and "Contracts can be made when" in page
        loser = bids[0].person
        feedback = signed_in_as(loser).get(f"/procurement/bids/{bids[0].pk}/feedback/")
        text = feedback.content.decode()
        assert "was not successful" in text and "The winning bid" in text
        pdf = signed_in_as(loser).get(f"/procurement/bids/{bids[0].pk}/feedback.pdf")
        reader = PdfReader(io.BytesIO(pdf.content))
        assert "not successful" in " ".join(p.extract_text() for p in reader.pages)
        assert "/StructTreeRoot" in reader.trailer["/Root"]
        assert page_problems(pdf.content) == []  # legible on paper, nothing drawn as a block
        welsh = (
            signed_in_as(loser).get(f"/cy/procurement/bids/{bids[0].pk}/feedback/").content.decode()
        )
        assert "Adborth" in welsh
        other = make_supplier()
        assert (
            signed_in_as(other).get(f"/procurement/bids/{bids[0].pk}/feedback/").status_code == 404
        )
    award = phase.awards.get()
    with time_machine.travel(award.standstill_ends_at + dt.timedelta(hours=1)):
        officer = signed_in_as(buyer)  # weeks later: a new session
        made = officer.post(
            f"{base}award/confirm/",
            {
                **date_boxes(f"b{bids[1].pk}-starts_on", "2027-01-04"),
                **date_boxes(f"b{bids[1].pk}-ends_on", "2027-06-30"),
            },
        )
    contract = Contract.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/procurement/contracts/{contract.pk}/"
    page = officer.post(
        f"/procurement/contracts/{contract.pk}/milestones/",
        {"title_en": "Prototype", **date_boxes("due_on", "2027-03-01"), "amount": "100,000"},
    )
    assert page.status_code == 400 and "more than the contract" in page.content.decode()
    officer.post(
        f"/procurement/contracts/{contract.pk}/milestones/",
        {"title_en": "Prototype", **date_boxes("due_on", "2027-03-01"), "amount": "30,000"},
    )
    milestone = contract.milestones.get()
    money = signed_in_as(manager)
    pay = f"/procurement/milestones/{milestone.pk}/pay/"
    early = money.post(pay, follow=True)
    assert "Accept the milestone before paying it." in early.content.decode()
    assert f'href="{pay}"' not in early.content.decode()  # no way to pay before acceptance
    confirm(officer, f"/procurement/milestones/{milestone.pk}/accept/")
    assert f'href="{pay}"' in money.get(f"/procurement/contracts/{contract.pk}/").content.decode()
    assert "Record the payment" in money.get(pay).content.decode()  # it asks first
    money.post(pay)
    page = money.get(f"/procurement/contracts/{contract.pk}/").content.decode()
    assert "Paid" in page and "£30,000 paid" in page
    assert fund.get_fund(actor=manager).paid_pence == 30_000 * POUND
    assert phase.received_bids().count() == 2
