"""The spend pages as a procurement officer uses them: map a dataset's columns, follow the
reading, read what the region buys (in English and Welsh), decide a match, confirm a category,
and turn an opportunity into a draft challenge with its evidence."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from infuse.datalab.ingest.services import upload_file
from infuse.procurement.models import Challenge, ExpenseType, SupplierMatch
from tests.procurement.spend.conftest import FILES
from tests.reference_data import shared

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def client(spend_officer) -> Client:
    client = Client()
    client.force_login(spend_officer)
    return client


def test_a_dataset_is_mapped_on_its_page_and_read(client, make_dataset, spend_officer):
    dataset = make_dataset("Darlington payments", actor=spend_officer)
    path, mapping = FILES["darlington"]
    upload_file(
        actor=spend_officer,
        dataset=dataset,
        chunks=[shared(path).read_bytes()],
        original_name="d.csv",
    )
    call_command("worker", "--batch")
    page = client.get(f"/data/datasets/{dataset.slug}/").content.decode()
    assert f"/procurement/spend/datasets/{dataset.slug}/map/" in page  # the way from the Data Lab

    form = client.get(f"/procurement/spend/datasets/{dataset.slug}/map/")
    assert form.status_code == 200
    assert "Invoice Line Value (net of VAT)" in form.content.decode()
    refused = client.post(f"/procurement/spend/datasets/{dataset.slug}/map/", {"paid": "Date"})
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "<title>Error:" in body and "Choose the column that holds the amount" in body

    saved = client.post(f"/procurement/spend/datasets/{dataset.slug}/map/", mapping)
    assert saved.status_code == 302
    assert saved["Location"] == f"/procurement/spend/datasets/{dataset.slug}/"
    waiting = client.get(saved["Location"]).content.decode()
    assert 'role="status"' in waiting  # the reading's progress, until it is done
    call_command("worker", "--batch")
    done = client.get(saved["Location"]).content.decode()
    assert "4,104 of 4,104 rows" in done
    assert "Darlington Borough Council" in done

    overview = client.get("/procurement/spend/").content.decode()
    assert "Darlington Borough Council" in overview
    assert "Construction work" in overview or "Repair and maintenance services" in overview
    welsh = client.get("/cy/procurement/spend/").content.decode()
    assert "Beth mae&#x27;r rhanbarth yn ei brynu" in welsh or "Beth mae'r rhanbarth" in welsh
    assert "Gwaith adeiladu" in welsh or "Gwasanaethau atgyweirio" in welsh


def test_matches_and_categories_are_decided_on_their_pages(client, mapped):
    mapped("darlington")
    match = SupplierMatch.objects.filter(status="proposed").first()
    assert match is not None
    listing = client.get("/procurement/spend/suppliers/matches/").content.decode()
    assert match.supplier.name in listing
    joined = client.post(f"/procurement/spend/suppliers/matches/{match.pk}/", {"decision": "merge"})
    assert joined.status_code == 302
    assert not SupplierMatch.objects.filter(pk=match.pk).exists()

    expense = ExpenseType.objects.get(name="DIRECT CHARGES - CONTRACTORS")
    categories = client.get("/procurement/spend/categories/?status=suggested").content.decode()
    assert "DIRECT CHARGES - CONTRACTORS" in categories
    client.post(f"/procurement/spend/categories/{expense.pk}/", {f"e{expense.pk}-division": "45"})
    expense.refresh_from_db()
    assert (expense.division, expense.status) == ("45", "confirmed")


def test_an_opportunity_becomes_a_draft_challenge_with_its_evidence(client, mapped):
    manchester, salford = mapped("manchester"), mapped("salford")
    page = client.get("/procurement/spend/opportunities/").content.decode()
    assert "Manchester City Council" in page and "Salford City Council" in page
    supplier = page.split('name="kind" value="supplier"><input type="hidden" name="key" value="')[1]
    key = supplier.split('"')[0]
    drafted = client.post(
        "/procurement/spend/opportunities/draft/", {"kind": "supplier", "key": key}
    )
    assert drafted.status_code == 302
    challenge = Challenge.objects.get()
    assert drafted["Location"] == f"/procurement/challenges/{challenge.slug}/"
    assert not challenge.is_published
    assert challenge.title_en.startswith("Buying together from")
    assert challenge.title_cy.startswith("Prynu gyda'n gilydd gan")
    assert "Manchester City Council paid £" in challenge.problem_en
    assert {d.pk for d in challenge.evidence_datasets.all()} == {
        manchester.dataset_id,
        salford.dataset_id,
    }
    assert [c.gss_code for c in challenge.councils.all()] == ["W06000015"]  # the officer's own


def test_people_outside_procurement_read_but_do_not_change(signed_in, mapped):
    mapped("salford")
    officer = signed_in("officer")
    assert officer.get("/procurement/spend/").status_code == 200
    supplier_page = officer.get("/procurement/spend/suppliers/")
    assert supplier_page.status_code == 200
    assert "Separate" not in supplier_page.content.decode()
    assert signed_in("supplier").get("/procurement/spend/").status_code == 404


def test_every_table_downloads_as_csv_and_xlsx_with_formulas_neutralised(
    client, mapped, spend_officer
):
    import csv
    import io

    from openpyxl import load_workbook

    from infuse.procurement.models import ResolvedSupplier

    spend = mapped("salford")
    ResolvedSupplier.objects.filter(pk=ResolvedSupplier.objects.first().pk).update(
        name='=HYPERLINK("http://example.invalid")'
    )
    for table in ("buyers", "categories", "suppliers", "periods", "concentration", "opportunities"):
        for file_format in ("csv", "xlsx"):
            got = client.get(f"/procurement/spend/{table}.{file_format}")
            assert got.status_code == 200, (table, file_format)
            assert (
                got["Content-Disposition"] == f'attachment; filename="spend-{table}.{file_format}"'
            )
    rows = list(
        csv.DictReader(io.StringIO(client.get("/procurement/spend/suppliers.csv").content.decode()))
    )
    assert sum(int(r["paid_pence"]) for r in rows) == spend.summary["total_pence"] - sum(
        p.amount_pence for p in spend.payments.filter(redacted=True)
    )
    assert all(not r["supplier"].startswith("=") for r in rows)
    assert (
        rows[0]["paid_gbp"]
        == f"{int(rows[0]['paid_pence']) // 100}.{int(rows[0]['paid_pence']) % 100:02d}"
    )
    book = load_workbook(io.BytesIO(client.get("/procurement/spend/buyers.xlsx").content))
    sheet = book.active
    assert [c.value for c in next(sheet.iter_rows(max_row=1))][:3] == [
        "buyer",
        "paid_pence",
        "paid_gbp",
    ]
    assert client.get("/procurement/spend/nothing.csv").status_code == 404
    assert client.get("/procurement/spend/buyers.exe").status_code == 404


def test_another_councils_private_payments_stay_private(mapped, make_person, spend_officer):
    """Salford's file, private to Cardiff (its publisher here): Newport's procurement officer
    sees none of its suppliers, spellings, matches or expense types, on any page or in the
    API, and cannot change them."""
    from infuse.procurement.models import ResolvedSupplier
    from tests.clients import api_for

    mapped("darlington")  # private to Cardiff: the datasets are made private by default
    newport = make_person("procurement_officer")
    supplier = ResolvedSupplier.objects.first()
    client = Client()
    client.force_login(newport)
    assert client.get(f"/procurement/spend/suppliers/{supplier.pk}/").status_code == 404
    assert supplier.name not in client.get("/procurement/spend/suppliers/").content.decode()
    matches = client.get("/procurement/spend/suppliers/matches/").content.decode()
    assert "No possible matches wait for a decision." in matches
    assert "DIRECT CHARGES" not in client.get("/procurement/spend/categories/").content.decode()
    api = api_for(newport)
    assert api.get("/api/v1/procurement/spend/matches").json() == []
    assert api.get("/api/v1/procurement/spend/expense-types").json() == []
    assert api.get(f"/api/v1/procurement/spend/suppliers/{supplier.pk}").status_code == 404
    merged = api.post(
        "/api/v1/procurement/spend/suppliers/merge",
        {"into": supplier.pk, "others": [ResolvedSupplier.objects.last().pk]},
        content_type="application/json",
    )
    assert merged.status_code == 400
    assert ResolvedSupplier.objects.filter(pk=supplier.pk).exists()


def test_a_failed_reading_keeps_the_last_good_one(client, mapped, spend_officer):
    from infuse.procurement.spend import services
    from infuse.procurement.spend.schemas import SpendMappingIn

    spend = mapped("salford")
    counted = spend.payments.filter(load=spend.load).count()
    # The recipe renames the amount column away: the next reading cannot run.
    from infuse.datalab.recipes import services as recipes
    from infuse.datalab.recipes.schemas import StepIn

    recipes.add_step(
        actor=spend_officer,
        dataset=spend.dataset,
        step_in=StepIn(step={"step": "rename", "names": {"Amount": "Paid"}}),
    )
    call_command("worker", "--batch")
    spend.refresh_from_db()
    page = client.get(f"/procurement/spend/datasets/{spend.dataset.slug}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "The payments could not be read" in body and "Amount" in body
    assert "1,375 of 1,375 rows" in body  # the last good reading, still counted
    assert spend.payments.filter(load=spend.load).count() == counted
    services.map_spend(
        actor=spend_officer,
        dataset=spend.dataset,
        mapping_in=SpendMappingIn(paid="Payment Date", supplier="Beneficiary Name", amount="Paid"),
    )
    call_command("worker", "--batch")
    spend.refresh_from_db()
    assert "problems" not in spend.summary and spend.summary["payments"] == 1375


def test_only_the_newest_of_two_readings_is_counted(mapped, spend_officer):
    from infuse.procurement.spend import services

    spend = mapped("salford")
    services.queue_reading(spend, spend_officer)
    services.queue_reading(spend, spend_officer)  # asked again before the first ran
    call_command("worker", "--batch")
    spend.refresh_from_db()
    assert spend.payments.count() == spend.summary["payments"] == 1375
