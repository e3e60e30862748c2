"""Publish → clarify → bid → deadline → two-person opening → declare → score → moderate → award
→ contract → pay, through the API alone (personal tokens), with the refusals a client sees."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from tests.clients import api_for
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
API = "/api/v1/procurement"
JSON = "application/json"


def test_the_whole_procurement_through_the_api(buyer, second_buyer, make_person):
    from infuse.core.models import Person

    officer = api_for(buyer)
    made = officer.post(
        f"{API}/challenges",
        {
            "title_en": "Flood sensors",
            "title_cy": "Synwyryddion llifogydd",
            "owner": "newport",
            "councils": ["W06000022"],
            "summary_en": "Know before the river rises.",
            "summary_cy": "Gwybod cyn i'r afon godi.",
            "problem_en": "Gullies block.",
            "themes": ["transforming-communities"],
            "goals": ["resilient"],
            "cpv_codes": ["34144900"],
        },
        content_type=JSON,
    )
    assert made.status_code == 201, made.content
    slug = made.json()["slug"]
    now = timezone.now()
    phase = {
        "number": 1,
        "budget_pence": 5_000_000,
        "contracts_planned": 1,
        "opens_at": (now - dt.timedelta(hours=1)).isoformat(),
        "clarification_deadline": (now + dt.timedelta(days=2)).isoformat(),
        "submission_deadline": (now + dt.timedelta(days=5)).isoformat(),
        "evaluation_ends_on": (now + dt.timedelta(days=10)).date().isoformat(),
        "award_expected_on": (now + dt.timedelta(days=12)).date().isoformat(),
    }
    assert (
        officer.put(f"{API}/challenges/{slug}/phases/1", phase, content_type=JSON).status_code
        == 200
    )
    criteria = [
        {"kind": "quality", "title_en": "Accuracy", "weight": 60},
        {"kind": "social_value", "title_en": "Local jobs", "weight": 10, "goal": "prosperous"},
        {"kind": "price", "title_en": "Price", "weight": 20},
    ]
    wrong = officer.put(f"{API}/challenges/{slug}/phases/1/criteria", criteria, content_type=JSON)
    assert wrong.status_code == 400 and wrong["Content-Type"].startswith("application/problem+json")
    assert "add up to 90%" in wrong.content.decode()
    criteria[2]["weight"] = 30
    body = officer.put(f"{API}/challenges/{slug}/phases/1/criteria", criteria, content_type=JSON)
    ids = {c["kind"]: c["id"] for c in body.json()["phases"][0]["criteria"]}
    assert Client().get(f"{API}/challenges/{slug}").status_code == 404  # draft
    assert officer.post(f"{API}/challenges/{slug}/publish").json()["published_at"]
    public = Client().get(f"{API}/challenges/{slug}").json()
    assert public["phases"][0]["state"] == "open"

    suppliers = []
    for n, price in enumerate((30_000_00, 45_000_00), start=1):
        registered = Client().post(
            f"{API}/suppliers",
            {
                "email": f"bid{n}@sensors{n}.example",
                "full_name": f"Bidder {n}",
                "password": PASSWORD,
                "name": f"Sensors {n} Ltd",
                "address": "1 Quay",
                "postcode": "CF10 5AL",
                "companies_house_number": f"0000000{n}",
            },
            content_type=JSON,
        )
        assert registered.status_code == 201
        token = mail.outbox[-1].body.split("/confirm-email/")[1].split("/")[0]
        confirmed = Client().post(
            "/api/v1/account/email-confirmation", {"token": token}, content_type=JSON
        )
        assert confirmed.status_code == 200
        person = Person.objects.get(email=f"bid{n}@sensors{n}.example")
        client = api_for(person)
        sealed = client.put(
            f"{API}/challenges/{slug}/phases/1/bid",
            {
                "answers": {str(ids["quality"]): "LoRa sensors", str(ids["social_value"]): "Jobs"},
                "price_pence": price,
            },
            content_type=JSON,
        )
        assert sealed.status_code == 200 and sealed.json()["price_pence"] == price
        assert client.post(f"{API}/challenges/{slug}/phases/1/bid/submit").json()["submitted_at"]
        suppliers.append((person, client, sealed.json()["id"]))
    asked = suppliers[0][1].post(
        f"{API}/challenges/{slug}/phases/1/questions",
        {"question": "Battery life?"},
        content_type=JSON,
    )
    officer.post(
        f"{API}/questions/{asked.json()['id']}/answer",
        {"published_question_en": "What battery life is needed?", "answer_en": "Five years."},
        content_type=JSON,
    )
    assert (
        Client().get(f"{API}/challenges/{slug}").json()["phases"][0]["clarifications"][0]["answer"]
        == "Five years."
    )
    first_bid = suppliers[0][2]
    assert (
        suppliers[1][1].get(f"{API}/bids/{first_bid}").status_code == 404
    )  # not theirs: not even that it exists
    assert officer.get(f"{API}/bids/{first_bid}").status_code == 403  # sealed
    manager = make_person("fund_manager", email="money@ccr.example")
    assert (
        api_for(manager)
        .post(
            "/api/v1/fund/allocations",
            {"purpose": f"{slug}/1", "amount_pence": 5_000_000},
            content_type=JSON,
        )
        .status_code
        == 200
    )

    evaluator = make_person("evaluator", email="judge@bridgend.example")
    officer.put(
        f"{API}/challenges/{slug}/phases/1/panel",
        {"evaluators": ["judge@bridgend.example"]},
        content_type=JSON,
    )
    second = api_for(second_buyer)
    deadline = timezone.datetime.fromisoformat(phase["submission_deadline"])
    with time_machine.travel(deadline + dt.timedelta(hours=1)):
        late = suppliers[0][1].put(
            f"{API}/challenges/{slug}/phases/1/bid", {"price_pence": 1}, content_type=JSON
        )
        assert late.status_code == 409 and "can no longer" in late.content.decode()
        assert (
            officer.post(f"{API}/challenges/{slug}/phases/1/opening").json()["confirmed_by"] is None
        )
        assert officer.post(f"{API}/challenges/{slug}/phases/1/opening").status_code == 409
        opened = second.post(f"{API}/challenges/{slug}/phases/1/opening").json()
        assert opened["confirmed_by"] == "second@ccr.example"
        judge = api_for(evaluator)
        for _person, _client, bid in suppliers:
            assert judge.get(f"{API}/bids/{bid}").status_code == 403  # declare first
            judge.post(f"{API}/bids/{bid}/declaration", {"has_conflict": False}, content_type=JSON)
            assert judge.get(f"{API}/bids/{bid}").json()["answers"]
            judge.put(
                f"{API}/bids/{bid}/scores",
                [
                    {"criterion": ids["quality"], "score": 3},
                    {"criterion": ids["social_value"], "score": 2},
                ],
                content_type=JSON,
            )
            judge.post(f"{API}/bids/{bid}/scores/submit")
            for kind, score in (("quality", 3), ("social_value", 2)):
                officer.post(
                    f"{API}/bids/{bid}/moderation",
                    {"criterion": ids[kind], "score": score, "rationale": "Agreed"},
                    content_type=JSON,
                )
        table = officer.get(f"{API}/challenges/{slug}/phases/1/evaluation").json()
        assert table["complete"] and table["ranking"][0]["supplier"] == "Sensors 1 Ltd"  # cheaper
        assert len(table["sensitivity"]) == 6
        awarded = officer.post(
            f"{API}/challenges/{slug}/phases/1/award",
            {"rationale": "Same quality, lower price"},
            content_type=JSON,
        )
        assert awarded.status_code == 201 and awarded.json()["status"] == "standstill"
        told = suppliers[1][1].get(f"{API}/bids/{suppliers[1][2]}/feedback").json()
        assert told["successful"] is False and told["winners"][0]["supplier"] == "Sensors 1 Ltd"
    award_id = awarded.json()["id"]
    from infuse.procurement.models import Award

    ends = Award.objects.get(pk=award_id).standstill_ends_at
    with time_machine.travel(ends + dt.timedelta(hours=1)):
        contracts = officer.post(
            f"{API}/awards/{award_id}/confirm",
            [{"bid": first_bid, "starts_on": "2027-02-01", "ends_on": "2027-07-31"}],
            content_type=JSON,
        )
        assert contracts.status_code == 200, contracts.content
        contract = contracts.json()[0]["id"]
        milestone = officer.post(
            f"{API}/contracts/{contract}/milestones",
            {"title_en": "Sensors installed", "due_on": "2027-04-01", "amount_pence": 10_000_00},
            content_type=JSON,
        ).json()["id"]
        assert api_for(manager).post(f"{API}/milestones/{milestone}/payment").status_code == 409
        officer.post(f"{API}/milestones/{milestone}/accept")
        assert api_for(buyer).post(f"{API}/milestones/{milestone}/payment").status_code == 403
        assert api_for(manager).post(f"{API}/milestones/{milestone}/payment").status_code == 201
        money = api_for(manager).get("/api/v1/fund").json()
        assert money["paid_pence"] == 10_000_00 and money["committed_pence"] == 30_000_00
