"""The contract register: every contract of a confirmed award, public on the page, in the API,
the CLI and as CSV/XLSX, filtered by council, CPV division, status and year; CPV codes typed as
people type them, required to publish, carried into the contract and its open data."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook

from infuse.core.errors import InvalidInput
from infuse.core.models import AuditEvent
from infuse.procurement import cpv
from infuse.procurement.challenges import services as challenges
from infuse.procurement.contracts import services as contracting
from infuse.procurement.models import Award, Contract
from infuse.procurement.register import queries

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("72212000", "72212000"), ("72212000-4", "72212000"), (" 72 21 20 00 ", "72212000")],
)
def test_a_cpv_code_is_read_as_people_type_it(typed, stored):
    assert cpv.code_of(typed) == stored


@pytest.mark.parametrize("typed", ["7221200", "72212000-45", "ABCDEFGH", "01000000", "72212000x"])
def test_what_is_not_a_cpv_code_is_refused_with_a_reason(typed):
    with pytest.raises(ValueError, match="CPV"):
        cpv.code_of(typed)


def test_codes_keep_the_main_one_first_each_once_and_at_most_twenty():
    assert cpv.checked_codes(["90511000", "34928480", "90511000-1", " "]) == [
        "90511000",
        "34928480",
    ]
    with pytest.raises(InvalidInput) as refused:
        cpv.checked_codes(["72212000", "banana"], field="codes")
    assert refused.value.problems[0].field == "codes"
    assert "banana" in refused.value.problems[0].message
    with pytest.raises(InvalidInput):
        cpv.checked_codes([f"72{n:06d}" for n in range(21)])
    assert cpv.described("72000000").startswith("72000000 (IT services")
    assert "in the division" in cpv.described("72212000")
    # Its own name is not held, so none is invented: the division it is in is said as such.
    assert cpv.english("72212000") == (
        "In CPV division 72: IT services: consulting, software development, Internet and support"
    )


def test_a_challenge_is_published_only_with_what_it_buys(make_challenge, buyer):
    draft = make_challenge(publish=False)
    draft.cpv_codes = []
    draft.save()
    with pytest.raises(InvalidInput) as refused:
        challenges.publish_challenge(actor=buyer, challenge=draft)
    assert "cpv_codes" in [p.field for p in refused.value.problems]


def test_the_register_holds_confirmed_contracts_only(promised):
    assert list(queries.entries()) == [promised.contract]
    Award.objects.filter(pk=promised.contract.award_id).update(status=Award.Status.STANDSTILL)
    assert list(queries.entries()) == []


def test_the_contract_carries_the_challenges_codes_and_a_change_is_published(promised):
    contract = promised.contract
    assert contract.cpv_codes == ["34144900"]
    contracting.set_cpv(actor=promised.buyer, contract=contract, codes=["34144900", "31158100-5"])
    contract.refresh_from_db()
    assert contract.cpv_codes == ["34144900", "31158100"]
    release = promised.phase.releases.latest("pk").data
    (item,) = release["contracts"][0]["items"]
    assert item["classification"]["id"] == "34144900"
    assert item["classification"]["description"].startswith("In CPV division 34: Transport")
    assert [c["id"] for c in item["additionalClassifications"]] == ["31158100"]
    event = AuditEvent.objects.filter(action="contract.cpv_changed").latest("pk")
    assert event.after == {"cpv_codes": ["34144900", "31158100"]}
    for codes in ([], ["nonsense"]):
        with pytest.raises(InvalidInput):
            contracting.set_cpv(actor=promised.buyer, contract=contract, codes=codes)
    with pytest.raises(Exception):  # noqa: B017 - the supplier may not: refused, whatever its kind
        contracting.set_cpv(actor=promised.winner, contract=contract, codes=["72000000"])


def _filtered(**given: object) -> list[Contract]:
    return list(queries.entries(queries.Filters(**given)))  # type: ignore[arg-type]


def test_filters_narrow_by_council_division_status_and_year(promised):
    contract = promised.contract
    year = contract.signed_at.year
    assert _filtered(council="newport") == [contract]
    assert _filtered(council="torfaen") == []
    Contract.objects.filter(pk=contract.pk).update(cpv_codes=["34144900", "90721200"])
    assert _filtered(division="34") == [contract]
    assert _filtered(division="90") == [contract]  # an additional code counts too
    assert _filtered(division="72") == []  # "72" inside 90721200 is not its division
    assert _filtered(status="active", year=year) == [contract]
    assert _filtered(year=year - 1) == []
    for wrong in ({"council": "atlantis"}, {"division": "7"}, {"status": "finished"}):
        with pytest.raises(InvalidInput):
            queries.checked(queries.Filters(**wrong))  # type: ignore[arg-type]


def test_the_page_api_cli_and_files_agree_and_are_public(promised):
    client = Client()
    contract = promised.contract
    page = client.get("/procurement/contracts/register/?council=newport").content.decode()
    assert promised.contract.supplier.name in page and "£80,000" in page
    listed = client.get("/api/v1/procurement/register?division=34").json()
    (row,) = listed
    assert row["value_pence"] == 8_000_000 and row["value_gbp"] == "80000.00"
    assert row["reference"] == f"{contract.award.phase.ocid}-contract-{contract.pk}"
    assert row["cpv_main"] == "34144900" and row["social_value_targets"] == 3
    assert client.get("/api/v1/procurement/register?council=atlantis").status_code == 400
    text = client.get("/procurement/contracts/register/download.csv").content.decode("utf-8")
    (from_csv,) = list(csv.DictReader(io.StringIO(text)))
    assert from_csv["reference"] == row["reference"] and from_csv["signed_on"] == row["signed_on"]
    book = load_workbook(
        io.BytesIO(client.get("/api/v1/procurement/register/download.xlsx").content)
    )
    values = list(book.active.iter_rows(values_only=True))
    assert values[0][0] == "reference" and values[1][0] == row["reference"]
    assert client.get("/procurement/contracts/register/download.pdf").status_code == 404
    out = io.StringIO()
    call_command("procurement", "register", "--council", "newport", stdout=out)
    assert json.loads(out.getvalue()) == listed
    entry = client.get(f"/api/v1/procurement/register/{contract.pk}").json()
    assert {line["measure"] for line in entry["social_value"]} == {
        "local-jobs",
        "apprenticeship-weeks",
        "local-supply-chain",
    }
    shown = client.get(f"/procurement/contracts/register/{contract.pk}/").content.decode()
    assert "Local people employed on the contract" in shown and "34144900" in shown
    assert client.get("/procurement/contracts/register/999999/").status_code == 404


def test_signed_years_and_used_divisions_are_the_filters_choices(promised):
    Contract.objects.filter(pk=promised.contract.pk).update(
        signed_at=dt.datetime(2025, 5, 1, tzinfo=dt.UTC)
    )
    assert queries.years() == [2025]
    assert [d.digits for d in queries.divisions()] == ["34"]


def test_a_filter_that_names_nothing_shows_why_and_no_contracts(promised):
    client = Client()
    page = client.get("/procurement/contracts/register/?council=atlantis")
    assert page.status_code == 400
    text = page.content.decode()
    assert "Choose one of the region" in text and promised.contract.supplier.name not in text
    assert client.get("/procurement/contracts/register/download.csv?status=x").status_code == 400
    assert client.get("/api/v1/procurement/register?division=72abc").status_code == 400
