"""The spend analysis tables as files (CSV or XLSX), written by the Data Lab's export so cells a
spreadsheet would run as formulas are neutralised the same way. Money in pence (whole numbers)
and in pounds (text with two decimals), never as floating point."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from infuse.core import lazy
from infuse.datalab.catalogue import exports
from infuse.procurement.models import Payment
from infuse.procurement.spend import analysis

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy.module("pandas")

#: File formats the tables come in.
FORMATS = ("csv", "xlsx")


def _pounds(pence: int) -> str:
    sign = "-" if pence < 0 else ""
    whole, part = divmod(abs(pence), 100)
    return f"{sign}{whole}.{part:02d}"


def _money(pence: int) -> dict[str, Any]:
    return {"paid_pence": pence, "paid_gbp": _pounds(pence)}


def _totals(rows: list[analysis.Total], name: str, count: str) -> list[dict[str, Any]]:
    return [
        {name: t.label or t.key, **_money(t.pence), "payments": t.payments, count: t.suppliers}
        for t in rows
    ]


def _buyers(payments: QuerySet[Payment]) -> list[dict[str, Any]]:
    # Buyers as the payments name them (a file is the same whichever page it came from).
    found = analysis.by_buyer(payments)
    rows = _totals(found, "buyer", "suppliers")
    return [{**row, "buyer": total.key} for total, row in zip(found, rows, strict=True)]


def _categories(payments: QuerySet[Payment]) -> list[dict[str, Any]]:
    found = analysis.by_category(payments)
    rows = _totals(found, "category", "suppliers")
    return [{"cpv_division": t.key, **row} for t, row in zip(found, rows, strict=True)]


def _suppliers(payments: QuerySet[Payment]) -> list[dict[str, Any]]:
    return _totals(analysis.by_supplier(payments, limit=100_000), "supplier", "buyers")


def _periods(payments: QuerySet[Payment]) -> list[dict[str, Any]]:
    return [
        {"starts_on": p.starts_on.isoformat(), "ends_on": p.ends_on.isoformat(), **_money(p.pence)}
        | {"payments": p.payments}
        for p in analysis.by_period(payments)
    ]


def _concentration(payments: QuerySet[Payment]) -> list[dict[str, Any]]:
    return [
        {
            "cpv_division": c.division,
            "category": c.label,
            "suppliers": c.measure.suppliers,
            "hhi": round(c.measure.hhi, 1),
            "top_five_share": round(c.measure.top_five_share, 4),
            **_money(c.measure.total_pence),
        }
        for c in analysis.concentration_by_category(payments)
    ]


def _opportunities(payments: QuerySet[Payment]) -> list[dict[str, Any]]:
    found = [("category", o) for o in analysis.category_opportunities(payments)]
    found += [("supplier", o) for o in analysis.supplier_opportunities(payments, limit=1_000)]
    return [
        {"kind": kind, "what": o.label, "buyer": b.key, **_money(b.pence), "payments": b.payments}
        for kind, o in found
        for b in o.buyers
    ]


TABLES: dict[str, Callable[[QuerySet[Payment]], list[dict[str, Any]]]] = {
    "buyers": _buyers,
    "categories": _categories,
    "suppliers": _suppliers,
    "periods": _periods,
    "concentration": _concentration,
    "opportunities": _opportunities,
}


# Each table's columns, so a table with no rows yet is still a file with its header.
_MONEY = ["paid_pence", "paid_gbp"]
COLUMNS = {
    "buyers": ["buyer", *_MONEY, "payments", "suppliers"],
    "categories": ["cpv_division", "category", *_MONEY, "payments", "suppliers"],
    "suppliers": ["supplier", *_MONEY, "payments", "buyers"],
    "periods": ["starts_on", "ends_on", *_MONEY, "payments"],
    "concentration": ["cpv_division", "category", "suppliers", "hhi", "top_five_share", *_MONEY],
    "opportunities": ["kind", "what", "buyer", *_MONEY, "payments"],
}


def table_file(payments: QuerySet[Payment], table: str, file_format: str) -> bytes:
    """One analysis table as CSV or XLSX; KeyError for a table or format there is not."""
    if file_format not in FORMATS:
        raise KeyError(file_format)
    rows = TABLES[table](payments)
    frame = pd.DataFrame(rows, columns=COLUMNS[table]).astype(
        {} if rows else dict.fromkeys(COLUMNS[table], "string")
    )
    return exports.export_frame(frame, file_format)


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def download(
    payments: QuerySet[Payment], table: str, file_format: str
) -> tuple[bytes, str, str] | None:
    """The file's bytes, content type and name, or ``None`` for a table or format there is
    not (the page and the API answer 404)."""
    if table not in TABLES or file_format not in FORMATS:
        return None
    name = f"spend-{table}.{file_format}"
    return table_file(payments, table, file_format), CONTENT_TYPES[file_format], name
