"""A dataset version read as payments through its spend mapping: each row's cells read as
published (``values``), its payee resolved (``resolution``), its expense type found or added
with a suggested category; rows that cannot be read are counted with the first of them shown,
never guessed at and never silently dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from infuse.core.councils import council_lookup, resolve_council
from infuse.core.models import Council
from infuse.procurement.models import ExpenseType, Payment, SpendDataset
from infuse.procurement.spend import categories, names, values
from infuse.procurement.spend.resolution import Payee, Resolver


def council_named(buyer: str, councils: Iterable[Council]) -> Council | None:
    """The council of the region a buyer's name is, in English or Welsh ("City of Cardiff
    Council", "Cyngor Caerdydd"), or ``None``."""
    listed = list(councils)
    gss = resolve_council(
        buyer, council_lookup((c.gss_code, c.name_en, c.name_cy or "") for c in listed)
    )
    return next((c for c in listed if c.gss_code == gss), None)


@dataclass
class Unreadable:
    """Rows whose cell for one field could not be read: how many, and the first of them."""

    count: int = 0
    first_row: int = 0
    example: str = ""

    def add(self, row: int, cell: Any) -> None:
        if not self.count:
            self.first_row, self.example = row, values.text(cell)[:80]
        self.count += 1


@dataclass
class Reading:
    """What reading a version found, kept on the spend dataset for its pages."""

    rows: int = 0
    payments: int = 0
    redacted: int = 0
    total_pence: int = 0
    unreadable: dict[str, Unreadable] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "payments": self.payments,
            "redacted": self.redacted,
            "total_pence": self.total_pence,
            "unreadable": {
                name: {"count": u.count, "first_row": u.first_row, "example": u.example}
                for name, u in self.unreadable.items()
            },
        }


class ExpenseTypes:
    """Expense types by key, added on first sight with the category their words suggest."""

    def __init__(self) -> None:
        self.known = {e.key: e for e in ExpenseType.objects.all()}

    def of(self, written: str) -> ExpenseType | None:
        name = values.text(written)
        if not name:
            return None
        key = name.casefold()[:300]
        if key not in self.known:
            division = categories.suggested_division(name)
            self.known[key] = ExpenseType.objects.create(
                key=key,
                name=name[:300],
                division=division.digits if division else "",
                status=ExpenseType.Status.SUGGESTED if division else ExpenseType.Status.UNMAPPED,
            )
        return self.known[key]


def mapped_columns(mapping: dict[str, Any]) -> list[str]:
    """The dataset's columns a mapping reads, each once."""
    wanted = [
        mapping.get(name, "")
        for name in (
            "paid",
            "supplier",
            "amount",
            "company_number",
            "charity_number",
            "service",
            "expense_type",
        )
    ]
    wanted.append(mapping.get("buyer", {}).get("column", ""))
    return list(dict.fromkeys(column for column in wanted if column))


class PaymentReader:
    """Turns a mapping's rows into unsaved payments of one spend dataset."""

    def __init__(
        self, spend: SpendDataset, load: int, default_buyer: str, council: Council | None
    ) -> None:
        self.spend, self.load, self.mapping = spend, load, spend.mapping
        self.buyer_column = self.mapping.get("buyer", {}).get("column", "")
        self.councils = list(Council.objects.all())
        self.buyers: dict[str, tuple[str, Council | None]] = {}
        named = self.mapping.get("buyer", {}).get("value", "")
        # A buyer named in the mapping is that buyer (its council if it is one), not the
        # publisher's: a Cardiff officer may load Bradford's file.
        self.default = self._canonical(named) if named else (default_buyer, council)
        if self.default[1] is not None:
            self.default = (self.default[1].name_en, self.default[1])
        self.resolver = Resolver()
        self.expense_types = ExpenseTypes()
        self.reading = Reading()

    def _cell(self, row: dict[str, Any], field_name: str) -> Any:
        column = self.mapping.get(field_name, "")
        return row.get(column) if column else None

    def _canonical(self, buyer: str) -> tuple[str, Council | None]:
        """A buyer as counted: a council of the region by its own name, however written
        ("City of Cardiff Council" and "Cardiff Council" are one buyer); others as written."""
        if buyer not in self.buyers:
            council = council_named(buyer, self.councils)
            self.buyers[buyer] = (council.name_en if council else buyer, council)
        return self.buyers[buyer]

    def _buyer(self, row: dict[str, Any]) -> tuple[str, Council | None]:
        if not self.buyer_column:
            return self.default
        written = values.text(row.get(self.buyer_column))
        return self._canonical(written) if written else self.default

    def _unreadable(self, name: str, number: int, cell: Any) -> None:
        self.reading.unreadable.setdefault(name, Unreadable()).add(number, cell)

    def payment(self, number: int, row: dict[str, Any]) -> Payment | None:
        self.reading.rows += 1
        amount = values.pence(self._cell(row, "amount"))
        period = values.period(self._cell(row, "paid"))
        payee = values.text(self._cell(row, "supplier"))
        if amount is None:
            self._unreadable("amount", number, self._cell(row, "amount"))
        if period is None:
            self._unreadable("paid", number, self._cell(row, "paid"))
        if not payee:
            self._unreadable("supplier", number, "")
        if amount is None or period is None or not payee:
            return None
        redacted = names.is_redacted(payee)
        spelling = None
        if not redacted:
            spelling = self.resolver.spelling_of(
                Payee(
                    payee,
                    values.text(self._cell(row, "company_number")),
                    values.text(self._cell(row, "charity_number")),
                )
            )
        buyer, council = self._buyer(row)
        self.reading.payments += 1
        self.reading.redacted += redacted
        self.reading.total_pence += amount
        return Payment(
            spend=self.spend,
            load=self.load,
            row=number,
            buyer=buyer[:200],
            council=council,
            starts_on=period.start,
            ends_on=period.end,
            supplier_name="" if redacted else payee[:300],
            spelling=spelling,
            redacted=redacted,
            amount_pence=amount,
            service=values.text(self._cell(row, "service"))[:300],
            expense_type=self.expense_types.of(self._cell(row, "expense_type") or ""),
        )


def read_payments(
    reader: PaymentReader,
    batches: Iterable[list[dict[str, Any]]],
    *,
    save: Callable[[list[Payment]], None],
    advance: Callable[[int], None] = lambda done: None,
) -> Reading:
    """Read every batch of rows into payments, ``save`` each batch's payments, and say how far
    it has got; returns what the reading found."""
    number = 0
    for batch in batches:
        payments = []
        for row in batch:
            number += 1
            payment = reader.payment(number, row)
            if payment is not None:
                payments.append(payment)
        save(payments)
        advance(number)
    return reader.reading
