"""What the spend pages, the API and the command line read, each narrowed to the spending
datasets the person may see: a supplier, a spelling, a match or an expense type that only a
council's private file holds is not shown to another council."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from infuse.core.errors import NotFound
from infuse.core.permissions import can
from infuse.datalab.catalogue import services as data
from infuse.procurement.models import (
    ExpenseType,
    Payment,
    ResolvedSupplier,
    SpendDataset,
    SupplierMatch,
    SupplierSpelling,
)
from infuse.procurement.spend import analysis

FIELD_NAMES = {
    "paid": _("the date or period paid"),
    "supplier": _("the supplier's name"),
    "amount": _("the amount"),
    "buyer_column": _("the buyer"),
    "company_number": _("the Companies House number"),
    "charity_number": _("the charity number"),
    "service": _("the service"),
    "expense_type": _("the expense type"),
}


def require_view(actor: Any) -> None:
    """Spend analysis is for people of the region: anyone else finds nothing here."""
    if not can(actor, "procurement.view_spend"):
        raise NotFound()


def visible_spend(actor: Any) -> QuerySet[SpendDataset]:
    """Spend datasets over datasets ``actor`` may see, for those who work in the region."""
    if not can(actor, "procurement.view_spend"):
        return SpendDataset.objects.none()
    return SpendDataset.objects.filter(dataset__in=data.visible_datasets(actor)).select_related(
        "dataset__publisher", "progress"
    )


def get_spend(*, actor: Any, slug: str) -> SpendDataset:
    spend = visible_spend(actor).filter(dataset__slug=slug).first()
    if spend is None:
        raise NotFound()
    return spend


def visible_payments(actor: Any) -> QuerySet[Payment]:
    return analysis.counted(visible_spend(actor))


def visible_suppliers(actor: Any) -> QuerySet[ResolvedSupplier]:
    """Suppliers paid in a spending dataset ``actor`` may see."""
    paid = visible_payments(actor).filter(redacted=False).values("spelling__supplier")
    return ResolvedSupplier.objects.filter(pk__in=paid)


def visible_expense_types(actor: Any) -> QuerySet[ExpenseType]:
    return ExpenseType.objects.filter(pk__in=visible_payments(actor).values("expense_type"))


def get_supplier(*, actor: Any, pk: int) -> ResolvedSupplier:
    require_view(actor)
    supplier = visible_suppliers(actor).filter(pk=pk).select_related("organisation").first()
    if supplier is None:
        raise NotFound()
    return supplier


def spellings_of(actor: Any, supplier: ResolvedSupplier) -> QuerySet[SupplierSpelling]:
    """The supplier's spellings in the payments ``actor`` may see, each with how many."""
    seen = visible_payments(actor)
    return (
        supplier.spellings.filter(payments__in=seen)
        .annotate(payment_count=Count("payments"))
        .order_by("name")
    )


def proposed_matches(
    actor: Any, *, supplier: ResolvedSupplier | None = None
) -> QuerySet[SupplierMatch]:
    """Pairs waiting for a decision, both of whose suppliers ``actor`` may see."""
    seen = visible_suppliers(actor).values("pk")
    found = SupplierMatch.objects.filter(
        status=SupplierMatch.Status.PROPOSED, supplier__in=seen, similar__in=seen
    ).select_related("supplier", "similar")
    if supplier is not None:
        found = found.filter(Q(supplier=supplier) | Q(similar=supplier))
    return found


def expense_types(actor: Any, status: str = "") -> QuerySet[ExpenseType]:
    """Expense types in the payments ``actor`` may see, each with what was paid under it."""
    seen = visible_payments(actor)
    found = visible_expense_types(actor).annotate(
        pence=Sum("payments__amount_pence", filter=Q(payments__in=seen))
    )
    if status in ExpenseType.Status.values:
        found = found.filter(status=status)
    return found.order_by("status", "-pence", "name")


def expense_type_counts(actor: Any) -> dict[str, int]:
    counts = dict(visible_expense_types(actor).values_list("status").annotate(n=Count("pk")))
    return {status: counts.get(status, 0) for status in ExpenseType.Status.values}


def waiting_counts(actor: Any) -> dict[str, int]:
    """How many matches and expense types wait for a person's decision."""
    types = visible_expense_types(actor).exclude(status=ExpenseType.Status.CONFIRMED)
    return {"matches": proposed_matches(actor).count(), "expense_types": types.count()}


def mapping_words(spend: SpendDataset) -> list[tuple[str, str]]:
    """The mapping as the page shows it: each part of a payment and the column it comes from
    (or the buyer's name)."""
    mapping = spend.mapping
    shown = [(str(FIELD_NAMES[name]), mapping[name]) for name in FIELD_NAMES if mapping.get(name)]
    buyer = mapping.get("buyer", {})
    if buyer.get("column"):
        shown.insert(0, (str(FIELD_NAMES["buyer_column"]), buyer["column"]))
    else:
        name = buyer.get("value") or spend.dataset.publisher.name
        shown.insert(
            0, (str(_("the buyer")), str(_("“%(name)s” for every payment") % {"name": name}))
        )
    return shown


def mapping_initial(dataset: Any) -> dict[str, str]:
    """A dataset's saved mapping as the form's fields, to change it."""
    spend = SpendDataset.objects.filter(dataset=dataset).first()
    if spend is None:
        return {}
    mapping = dict(spend.mapping)
    buyer = mapping.pop("buyer", {})
    return {**mapping, "buyer_column": buyer.get("column", ""), "buyer": buyer.get("value", "")}


def reading_problems(spend: SpendDataset) -> list[str]:
    """Why the last reading failed, in the page's language."""
    return [
        gettext(p["message"]) % p["params"] if p.get("params") else gettext(p["message"])
        for p in spend.summary.get("problems", [])
    ]


def unreadable_words(spend: SpendDataset) -> list[str]:
    """A sentence for each field some rows could not be read in (those rows are not counted)."""
    words = []
    for name, found in spend.summary.get("unreadable", {}).items():
        words.append(
            ngettext(
                "%(count)s row had no %(what)s that could be read and is not counted: row "
                "%(row)s (“%(example)s”).",
                "%(count)s rows had no %(what)s that could be read and are not counted; the "
                "first is row %(row)s (“%(example)s”).",
                found["count"],
            )
            % {
                "count": f"{found['count']:,}",
                "what": FIELD_NAMES[name],
                "row": f"{found['first_row']:,}",
                "example": found["example"],
            }
        )
    return words
