"""Spend analysis through the API: a shared file mapped and resolved with no editing, the same
refusals as the pages, and nothing for suppliers or the public."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from infuse.datalab.ingest.services import upload_file
from infuse.procurement.models import Challenge, SupplierMatch
from tests.clients import api_for
from tests.procurement.spend.conftest import FILES
from tests.reference_data import shared

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_file_is_mapped_resolved_and_drafted_through_the_api(make_dataset, spend_officer):
    api = api_for(spend_officer)
    dataset = make_dataset("Leeds payments", actor=spend_officer)
    path, mapping = FILES["leeds"]
    upload_file(
        actor=spend_officer,
        dataset=dataset,
        chunks=[shared(path).read_bytes()],
        original_name="l.csv",
    )
    call_command("worker", "--batch")

    refused = api.put(
        f"/api/v1/procurement/spend/datasets/{dataset.slug}/mapping",
        {**mapping, "amount": "Net amount"},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "amount"

    queued = api.put(
        f"/api/v1/procurement/spend/datasets/{dataset.slug}/mapping",
        mapping,
        content_type="application/json",
    )
    assert queued.status_code == 202
    call_command("worker", "--batch")
    read = api.get(f"/api/v1/procurement/spend/datasets/{dataset.slug}").json()
    assert read["summary"]["payments"] == 8837 and read["loaded_version"] == 1

    summary = api.get("/api/v1/procurement/spend").json()
    assert summary["payments"] == 8837
    assert {b["label"] for b in summary["buyers"]} >= {
        "Leeds City Council",
        "Aire Valley Homes Leeds",
    }
    assert summary["total_pence"] == sum(b["pence"] for b in summary["buyers"])

    match = api.get("/api/v1/procurement/spend/matches").json()[0]
    decided = api.post(
        f"/api/v1/procurement/spend/matches/{match['id']}",
        {"decision": "reject"},
        content_type="application/json",
    )
    assert decided.json()["status"] == "rejected"
    assert SupplierMatch.objects.get(pk=match["id"]).status == "rejected"

    agency = next(
        e
        for e in api.get("/api/v1/procurement/spend/expense-types").json()
        if e["name"] == "Agency Staff"
    )
    assert (agency["division"], agency["status"]) == ("79", "suggested")
    confirmed = api.put(
        f"/api/v1/procurement/spend/expense-types/{agency['id']}",
        {"division": "79"},
        content_type="application/json",
    ).json()
    assert confirmed["status"] == "confirmed" and confirmed["category"].startswith(
        "Business services"
    )

    opportunities = api.get("/api/v1/procurement/spend/opportunities").json()
    category = next(o for o in opportunities if o["kind"] == "category")
    drafted = api.post(
        "/api/v1/procurement/spend/opportunities/draft",
        {"kind": "category", "key": category["key"]},
        content_type="application/json",
    )
    assert drafted.status_code == 201
    assert Challenge.objects.get(slug=drafted.json()["status"]).evidence_datasets.get() == dataset


def test_suppliers_and_the_public_find_nothing(make_person):
    assert Client().get("/api/v1/procurement/spend").status_code == 401
    assert api_for(make_person("supplier")).get("/api/v1/procurement/spend").status_code == 404
    assert api_for(make_person("evaluator")).get("/api/v1/procurement/spend").status_code == 200
