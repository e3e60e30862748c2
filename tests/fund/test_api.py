"""The Challenge Fund's own API: its totals and portfolio, and allocations by fund managers."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.clients import api_for

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def manager(make_person):
    return make_person("fund_manager", email="money@ccr.example")


def test_a_fund_manager_allocates_by_challenge_and_phase_and_the_region_reads(
    make_challenge, manager, make_person
):
    challenge = make_challenge(title="Gully sensors")
    api = api_for(manager)
    made = api.post(
        "/api/v1/fund/allocations",
        {"purpose": f"{challenge.slug}/1", "amount_pence": 2_500_000},
        content_type=JSON,
    )
    assert made.status_code == 200, made.content
    assert made.json()["purpose"] == f"{challenge.slug}/1"
    assert made.json()["label"].startswith("Gully sensors")
    assert made.json()["amount_pence"] == 2_500_000
    officer = api_for(make_person("officer"))
    listed = officer.get("/api/v1/fund/allocations").json()
    assert [(a["purpose"], a["amount_pence"]) for a in listed] == [
        (f"{challenge.slug}/1", 2_500_000)
    ]
    report = officer.get("/api/v1/fund").json()
    assert report["allocated_pence"] == 2_500_000
    theme = report["portfolio"]["theme"][0]
    assert (theme["key"], theme["allocated_pence"]) == ("decarbonisation", 2_500_000)
    assert report["portfolio"]["challenge"][0]["label_en"] == "Gully sensors"


def test_refusals_name_the_field_and_change_nothing(make_challenge, manager, buyer):
    challenge = make_challenge()
    unknown = api_for(manager).post(
        "/api/v1/fund/allocations",
        {"purpose": "no-such-challenge/1", "amount_pence": 0},
        content_type=JSON,
        HTTP_ACCEPT_LANGUAGE="cy",
    )
    assert unknown.status_code == 400
    fields = {p["field"] for p in unknown.json()["errors"]}
    assert fields == {"purpose", "amount"}
    too_much = api_for(manager).post(
        "/api/v1/fund/allocations",
        {"purpose": f"{challenge.slug}/1", "amount_pence": 10_000_000_01},
        content_type=JSON,
    )
    assert too_much.status_code == 409
    assert "more than the fund holds" in too_much.json()["detail"]
    refused = api_for(buyer).post(
        "/api/v1/fund/allocations",
        {"purpose": f"{challenge.slug}/1", "amount_pence": 100},
        content_type=JSON,
    )
    assert refused.status_code == 403
    assert api_for(manager).get("/api/v1/fund").json()["allocated_pence"] == 0
    assert Client().get("/api/v1/fund").status_code == 401
