"""The Challenge Fund's pages: the public summary, the portfolio and its CSV, allocations."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from infuse.fund.models import Allocation

pytestmark = pytest.mark.django_db


def signed_in(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def test_the_fund_manager_allocates_and_the_region_reads_the_portfolio(make_challenge, make_person):
    manager = make_person("fund_manager", email="money@ccr.example")
    phase = make_challenge().phases.get()
    public = Client().get("/fund/").content.decode()
    assert "£10,000,000" in public and "Not yet allocated" not in public
    web = signed_in(manager)
    over = web.post(
        "/fund/allocations/new/", {"purpose": f"{phase.challenge.slug}/1", "amount": "10,000,001"}
    )
    assert over.status_code == 400 and "more than the fund holds" in over.content.decode()
    bad = web.post(
        "/fund/allocations/new/", {"purpose": f"{phase.challenge.slug}/1", "amount": "a lot"}
    )
    assert bad.status_code == 400 and "Enter an amount in pounds" in bad.content.decode()
    assert (
        web.post(
            "/fund/allocations/new/", {"purpose": f"{phase.challenge.slug}/1", "amount": "£250,000"}
        ).status_code
        == 302
    )
    assert Allocation.objects.get(phase=phase).amount_pence == 25_000_000
    officer = signed_in(make_person("officer"))
    page = officer.get("/fund/").content.decode()
    assert "£9,750,000" in page and "Decarbonisation" in page and "Allocate to a phase" not in page
    welsh = officer.get("/cy/fund/").content.decode()
    assert "Datgarboneiddio" in welsh and "Portffolio" in welsh
    rows = list(csv.DictReader(io.StringIO(officer.get("/fund/?format=csv").content.decode())))
    theme = next(r for r in rows if r["group"] == "theme")
    assert theme["key"] == "decarbonisation" and theme["allocated_pence"] == "25000000"
    assert Client().get("/fund/?format=csv")["Content-Type"].startswith("text/html")
