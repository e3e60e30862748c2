"""The five councils' spending files, mapped through the services, give the figures an
independent reading of the raw files gives: totals per buyer, payments withheld, suppliers,
concentration (HHI and top-five share), SME shares and suppliers shared between councils.

The independent reading uses the csv module, Decimal and numpy only, and groups payees by the
rule the platform documents (case, "&", dots and apostrophes, other marks, a leading "The" and
legal forms set aside), written here again without the platform's code.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from decimal import Decimal

import numpy as np
import pytest
from django.utils import translation

from infuse.procurement.models import ExpenseType, ResolvedSupplier, SpendDataset
from infuse.procurement.spend import analysis, services
from infuse.procurement.spend.schemas import CategoryIn, SupplierFactsIn
from tests.procurement.spend.conftest import FILES
from tests.reference_data import shared

pytestmark = pytest.mark.django_db(transaction=True)

LEGAL = {"ltd", "limited", "plc", "llp", "lp", "cic", "cio", "inc", "incorporated", "corp"}
LEGAL |= {"corporation", "co", "company", "cyf", "cyfyngedig", "ccc"}


def key(name: str) -> str:
    lowered = name.lower().replace("&", " and ").replace("+", " and ")
    joined = "".join(ch for ch in lowered if ch not in ".'’`")
    spaced = "".join(ch if ch.isalnum() or ch.isspace() or ch == "_" else " " for ch in joined)
    words = spaced.split()
    if words and words[0] == "the":
        words = words[1:]
    kept = [w for w in words if w not in LEGAL]
    return " ".join(kept or words)


def withheld(name: str) -> bool:
    lowered = name.lower()
    return "redacted" in lowered or "withheld" in lowered


def raw_rows(name: str) -> tuple[list[dict[str, str]], dict[str, str]]:
    path, mapping = FILES[name]
    raw = shared(path).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:  # Bradford's file is Windows-1252 (its dashes)
        text = raw.decode("cp1252")
    return list(csv.DictReader(io.StringIO(text, newline=""))), mapping


def pence(cell: str) -> int:
    return int(Decimal(cell) * 100)


def hhi(amounts: list[int]) -> tuple[float, float]:
    paid = np.array(sorted((a for a in amounts if a > 0), reverse=True), dtype=float)
    shares = paid / paid.sum()
    return float(np.sum((shares * 100) ** 2)), float(shares[:5].sum())


@pytest.mark.parametrize("name", list(FILES))
def test_every_file_maps_with_no_editing_and_totals_match_the_raw_file(mapped, name):
    spend = mapped(name)
    rows, mapping = raw_rows(name)
    assert spend.summary["unreadable"] == {}
    assert spend.summary["rows"] == spend.summary["payments"] == len(rows)

    # Leeds writes one body as "Aire Valley Homes Leeds", with one and with four spaces after.
    buyers: dict[str, int] = defaultdict(int)
    for row in rows:
        buyer = row[mapping["buyer_column"]] if "buyer_column" in mapping else mapping["buyer"]
        buyers[" ".join(buyer.split())] += pence(row[mapping["amount"]])
    payments = analysis.counted(SpendDataset.objects.filter(pk=spend.pk))
    found = {total.key: total.pence for total in analysis.by_buyer(payments)}
    assert found == dict(buyers)

    named = [row[mapping["supplier"]] for row in rows if not withheld(row[mapping["supplier"]])]
    assert spend.summary["redacted"] == len(rows) - len(named)
    assert ResolvedSupplier.objects.count() == len({key(n) for n in named})


def test_concentration_of_a_category_matches_the_raw_file(mapped, spend_officer):
    spend = mapped("darlington")
    contractors = ExpenseType.objects.get(name="DIRECT CHARGES - CONTRACTORS")
    for expense in ExpenseType.objects.exclude(pk=contractors.pk):
        services.set_category(
            actor=spend_officer, pk=expense.pk, category_in=CategoryIn(division="")
        )
    services.set_category(
        actor=spend_officer, pk=contractors.pk, category_in=CategoryIn(division="45")
    )
    rows, mapping = raw_rows("darlington")
    per_supplier: dict[str, int] = defaultdict(int)
    for row in rows:
        if row["Account"] == "DIRECT CHARGES - CONTRACTORS":
            per_supplier[key(row["Supplier"])] += pence(row[mapping["amount"]])
    expected_hhi, expected_top_five = hhi(list(per_supplier.values()))

    payments = analysis.counted(SpendDataset.objects.filter(pk=spend.pk))
    found = {c.division: c.measure for c in analysis.concentration_by_category(payments)}
    assert found["45"].hhi == pytest.approx(expected_hhi, rel=1e-9)
    assert found["45"].top_five_share == pytest.approx(expected_top_five, rel=1e-9)
    assert found["45"].suppliers == len([a for a in per_supplier.values() if a > 0])
    assert found["45"].total_pence == sum(a for a in per_supplier.values() if a > 0)


def test_sme_shares_match_the_raw_file(mapped, spend_officer):
    spend = mapped("manchester")
    rows, mapping = raw_rows("manchester")
    smes, large = {"water plus", "brake bros foodservice"}, {"experian"}
    for supplier in ResolvedSupplier.objects.all():
        if key(supplier.name) in smes | large:
            services.set_supplier_facts(
                actor=spend_officer,
                pk=supplier.pk,
                facts_in=SupplierFactsIn(is_sme=key(supplier.name) in smes),
            )
    yes = no = unknown = 0
    for row in rows:
        name = row[mapping["supplier"]]
        if withheld(name):
            continue
        amount = pence(row[mapping["amount"]])
        if key(name) in smes:
            yes += amount
        elif key(name) in large:
            no += amount
        else:
            unknown += amount
    payments = analysis.counted(SpendDataset.objects.filter(pk=spend.pk))
    share = analysis.shares(payments)["sme"]
    assert (share.yes, share.no, share.unknown) == (yes, no, unknown)
    assert share.known_fraction == pytest.approx(yes / (yes + no))


def test_suppliers_two_councils_pay_separately_are_opportunities(mapped):
    mapped("manchester")
    mapped("salford")
    per_file = {}
    for name in ("manchester", "salford"):
        rows, mapping = raw_rows(name)
        totals: dict[str, int] = defaultdict(int)
        for row in rows:
            if not withheld(row[mapping["supplier"]]):
                totals[key(row[mapping["supplier"]])] += pence(row[mapping["amount"]])
        per_file[mapping["buyer"]] = totals
    (first, a), (second, b) = per_file.items()
    both = set(a) & set(b)
    assert both  # the two neighbours do share suppliers

    payments = analysis.counted(SpendDataset.objects.all())
    found = analysis.supplier_opportunities(payments, limit=1_000)
    assert {key(o.label) for o in found} == both
    for opportunity in found:
        k = key(opportunity.label)
        assert {t.key: t.pence for t in opportunity.buyers} == {first: a[k], second: b[k]}


def test_new_and_lost_suppliers_by_quarter(make_dataset, spend_officer):
    """Hand-built payments: Acme paid before and in the latest quarter (neither new nor lost),
    Bryn only in the quarter before (lost), Cwm only in the latest (new), Dyfed only two
    quarters back (gone before: not lost now)."""
    import datetime as dt

    from infuse.procurement.models import Payment
    from infuse.procurement.spend.resolution import Payee, Resolver

    dataset = make_dataset("Hand-built payments", actor=spend_officer)
    spend = SpendDataset.objects.create(
        dataset=dataset, mapping={}, created_by=spend_officer, load=1
    )
    resolver = Resolver()
    rows = [
        ("Acme", dt.date(2024, 8, 1), 100_00),
        ("Acme", dt.date(2024, 11, 5), 200_00),
        ("Bryn", dt.date(2024, 9, 30), 300_00),
        ("Cwm", dt.date(2024, 10, 1), 400_00),
        ("Cwm", dt.date(2024, 12, 31), 50_00),
        ("Dyfed", dt.date(2024, 5, 1), 600_00),
    ]
    for number, (name, day, pence) in enumerate(rows, 1):
        Payment.objects.create(
            spend=spend,
            load=1,
            row=number,
            buyer="Cyngor",
            starts_on=day,
            ends_on=day,
            supplier_name=name,
            spelling=resolver.spelling_of(Payee(name)),
            amount_pence=pence,
        )
    (found,) = analysis.supplier_changes(analysis.counted(SpendDataset.objects.all()))
    assert found.quarter == dt.date(2024, 10, 1)
    assert found.new == [("Cwm", 450_00)]
    assert found.lost == [("Bryn", 300_00)]


def test_a_council_of_the_region_is_named_in_the_pages_language():
    with translation.override("cy"):
        names = analysis.buyer_names()
    assert names["Newport"] == "Casnewydd" and names["Vale of Glamorgan"] == "Bro Morgannwg"
    assert "Leeds City Council" not in names  # others keep the name their files give
