"""Spending files of five councils, ingested into the Data Lab and mapped to the spend shape
as a procurement officer would, through the services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command

from tests.reference_data import shared

# Each shared file's columns, as the person maps them; the buyer as the council names itself.
PROCESSED = {
    "paid": "Payment Date",
    "amount": "Amount",
    "supplier": "Beneficiary Name",
    "company_number": "Company Number",
    "charity_number": "Charity Number",
    "service": "Organisational Unit",
}
FILES: dict[str, tuple[str, dict[str, str]]] = {
    "bradford": (
        "spend/bradford_2019-01_processed.csv",
        {**PROCESSED, "buyer": "City of Bradford Metropolitan District Council"},
    ),
    "manchester": (
        "spend/manchester_processed_2019-01.csv",
        {**PROCESSED, "buyer": "Manchester City Council"},
    ),
    "salford": (
        "spend/salford_processed_2019-01.csv",
        {**PROCESSED, "buyer": "Salford City Council"},
    ),
    "darlington": (
        "spend/darlington_clean_2010-09.csv",
        {
            "buyer": "Darlington Borough Council",
            "paid": "Date",
            "service": "Service",
            "supplier": "Supplier",
            "amount": "Invoice Line Value (net of VAT)",
            "expense_type": "Account",
        },
    ),
    "leeds": (
        "spend/leeds_raw_2011-01.csv",
        {
            "buyer_column": "Body name",
            "service": "Service label",
            "expense_type": "Detailed expenditure type",
            "paid": "Date paid",
            "amount": "Net Amount",
            "supplier": "Supplier name",
        },
    ),
}


@pytest.fixture
def spend_officer(make_person: Callable[..., Any]) -> Any:
    """A procurement officer of Cardiff, who also publishes data there (an analyst)."""
    from infuse.core import services as core
    from infuse.core.models import Organisation

    person = make_person(email="prynu@cardiff.example")
    cardiff = Organisation.objects.get(slug="cardiff")
    for role in ("analyst", "procurement_officer"):
        core.grant_membership(actor=None, person=person, organisation=cardiff, role=role)
    return person


@pytest.fixture
def mapped(make_dataset: Callable[..., Any], spend_officer: Any) -> Callable[..., Any]:
    """Ingest one of FILES into a new dataset and map it; returns the spend dataset, read."""
    from infuse.datalab.ingest.services import upload_file
    from infuse.procurement.spend import services
    from infuse.procurement.spend.schemas import SpendMappingIn

    def make(name: str, **changes: str) -> Any:
        path, mapping = FILES[name]
        dataset = make_dataset(f"Payments over £500: {name}", actor=spend_officer)
        upload_file(
            actor=spend_officer,
            dataset=dataset,
            chunks=[shared(path).read_bytes()],
            original_name=path.split("/")[-1],
        )
        call_command("worker", "--batch")
        spend = services.map_spend(
            actor=spend_officer,
            dataset=dataset,
            mapping_in=SpendMappingIn(**{**mapping, **changes}),
        )
        call_command("worker", "--batch")
        spend.refresh_from_db()
        return spend

    return make
