"""The demo's spending data read as payments: Cardiff's and Newport's files, each in its own
shape, mapped as their publishers would, so the region's buying, its suppliers (one misspelt
for a person to decide) and what both councils buy separately are there to walk through."""

from __future__ import annotations

from collections.abc import Callable

from infuse.core.models import Person
from infuse.datalab.models import Dataset
from infuse.procurement.models import SpendDataset
from infuse.procurement.spend import services
from infuse.procurement.spend.schemas import SpendMappingIn

# (publisher, title) → (who maps it, how)
MAPPINGS = {
    ("cardiff", "Cardiff spending over £500"): (
        "officer@infuse.example",
        SpendMappingIn(
            paid="date_paid", supplier="supplier", amount="amount_gbp", expense_type="service_area"
        ),
    ),
    ("newport", "Newport payments over £500"): (
        "analyst@infuse.example",
        SpendMappingIn(
            paid="Payment Date",
            supplier="Beneficiary",
            amount="Amount",
            expense_type="Expense Type",
        ),
    ),
}


def load_demo_spend(run_tasks: Callable[[], None], report: Callable[[str], None]) -> None:
    """Map each demo spending dataset not mapped yet, then read its payments."""
    for (publisher, title), (email, mapping) in MAPPINGS.items():
        dataset = Dataset.objects.get(publisher__slug=publisher, title_en=title)
        if SpendDataset.objects.filter(dataset=dataset).exists():
            continue
        report(f"{title}: read as payments")
        services.map_spend(
            actor=Person.objects.get(email=email), dataset=dataset, mapping_in=mapping
        )
    run_tasks()
