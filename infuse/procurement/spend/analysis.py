"""What the region buys, read from the counted payments: totals by buyer, category, supplier
and period; the shares paid to SMEs, VCSEs and suppliers in the region; concentration per
category; and where two or more buyers buy the same thing separately.

Withheld payees (payments to people, redacted as the councils publish them) count in every
total, never as a supplier: shares and concentration are of the payments to named suppliers.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from infuse.core.models import Council
from infuse.procurement import cpv
from infuse.procurement.models import Payment, ResolvedSupplier, SpendDataset
from infuse.procurement.spend.concentration import Concentration, concentration


def counted(spend: QuerySet[SpendDataset]) -> QuerySet[Payment]:
    """The payments of each spend dataset's current reading."""
    return Payment.objects.filter(spend__in=spend, load=F("spend__load"))


@dataclass(frozen=True)
class Total:
    """Money paid to one group (a buyer, a category, a supplier, a period)."""

    key: str
    label: str
    pence: int
    payments: int
    suppliers: int = 0


def _totals(payments: QuerySet[Payment], key: str) -> list[dict[str, Any]]:
    return list(
        payments.values(key)
        .annotate(
            pence=Sum("amount_pence"),
            payments=Count("pk"),
            suppliers=Count("spelling__supplier", distinct=True),
        )
        .order_by("-pence")
    )


def by_buyer(payments: QuerySet[Payment]) -> list[Total]:
    names = buyer_names()
    return [
        Total(
            r["buyer"], names.get(r["buyer"], r["buyer"]), r["pence"], r["payments"], r["suppliers"]
        )
        for r in _totals(payments, "buyer")
    ]


def buyer_names() -> dict[str, str]:
    """Buyers as the page's language names them: a council of the region by its name in that
    language (payments keep the English name the files give); others are as given."""
    return {c.name_en: c.name for c in Council.objects.all()}


def category_label(digits: str) -> str:
    division = cpv.BY_DIGITS.get(digits or "")
    return str(division.name) if division else ""


def by_category(payments: QuerySet[Payment]) -> list[Total]:
    """Totals per CPV division; "" is the spending whose expense type is not mapped."""
    return [
        Total(
            r["expense_type__division"] or "",
            category_label(r["expense_type__division"]),
            r["pence"],
            r["payments"],
            r["suppliers"],
        )
        for r in _totals(payments, "expense_type__division")
    ]


def by_supplier(payments: QuerySet[Payment], limit: int = 20) -> list[Total]:
    rows = (
        payments.filter(redacted=False)
        .values("spelling__supplier", "spelling__supplier__name")
        .annotate(
            pence=Sum("amount_pence"), payments=Count("pk"), buyers=Count("buyer", distinct=True)
        )
        .order_by("-pence", "spelling__supplier__name")[:limit]
    )
    return [
        Total(
            str(r["spelling__supplier"]),
            r["spelling__supplier__name"],
            r["pence"],
            r["payments"],
            r["buyers"],
        )
        for r in rows
    ]


@dataclass(frozen=True)
class PeriodTotal:
    """Money paid in a month, or in a longer period where the file gives no day."""

    starts_on: dt.date
    ends_on: dt.date
    pence: int
    payments: int

    @property
    def is_month(self) -> bool:
        return (self.starts_on.year, self.starts_on.month) == (
            self.ends_on.year,
            self.ends_on.month,
        )


def by_period(payments: QuerySet[Payment]) -> list[PeriodTotal]:
    rows = (
        payments.annotate(first=TruncMonth("starts_on"), last=TruncMonth("ends_on"))
        .values("first", "last")
        .annotate(pence=Sum("amount_pence"), payments=Count("pk"))
        .order_by("first", "last")
    )
    return [PeriodTotal(_day(r["first"]), _day(r["last"]), r["pence"], r["payments"]) for r in rows]


def _day(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


@dataclass(frozen=True)
class Share:
    """Payments to named suppliers that are (``yes``), are not (``no``), or are not known to be
    (``unknown``) SMEs, VCSEs or in the region, in pence."""

    yes: int
    no: int
    unknown: int

    @property
    def known_fraction(self) -> float | None:
        known = self.yes + self.no
        return self.yes / known if known > 0 else None

    @property
    def fraction(self) -> float | None:
        whole = self.yes + self.no + self.unknown
        return self.yes / whole if whole > 0 else None


def shares(payments: QuerySet[Payment]) -> dict[str, Share]:
    """SME, VCSE and local shares of the money paid to named suppliers."""
    named = payments.filter(redacted=False)
    out = {}
    for fact in ("is_sme", "is_vcse", "is_local"):
        path = f"spelling__supplier__{fact}"
        sums = named.aggregate(
            yes=Sum("amount_pence", filter=Q(**{path: True})),
            no=Sum("amount_pence", filter=Q(**{path: False})),
            unknown=Sum("amount_pence", filter=Q(**{f"{path}__isnull": True})),
        )
        out[fact.removeprefix("is_")] = Share(
            *(int(sums[k] or 0) for k in ("yes", "no", "unknown"))
        )
    return out


@dataclass(frozen=True)
class CategoryConcentration:
    division: str
    label: str
    measure: Concentration


def concentration_by_category(payments: QuerySet[Payment]) -> list[CategoryConcentration]:
    """HHI and top-five share per category, of payments to named suppliers (credits net off
    within a supplier; a supplier owed money on balance is left out)."""
    per: dict[str, dict[int, int]] = defaultdict(dict)
    rows = (
        payments.filter(redacted=False)
        .values("expense_type__division", "spelling__supplier")
        .annotate(pence=Sum("amount_pence"))
    )
    for r in rows:
        per[r["expense_type__division"] or ""][r["spelling__supplier"]] = r["pence"]
    found = [
        CategoryConcentration(digits, category_label(digits), concentration(list(amounts.values())))
        for digits, amounts in per.items()
    ]
    return sorted(found, key=lambda c: -c.measure.total_pence)


@dataclass
class Opportunity:
    """A category, or a supplier, that two or more buyers pay separately: the evidence for
    buying it together."""

    key: str
    label: str
    pence: int
    buyers: list[Total] = field(default_factory=list)
    suppliers: int = 0


def category_opportunities(payments: QuerySet[Payment]) -> list[Opportunity]:
    """Mapped categories two or more buyers spend on, each buyer's total and how many separate
    suppliers they use between them, the largest first."""
    mapped = payments.exclude(expense_type__division="").filter(expense_type__isnull=False)
    rows = mapped.values("expense_type__division", "buyer").annotate(
        pence=Sum("amount_pence"),
        payments=Count("pk"),
        suppliers=Count("spelling__supplier", distinct=True),
    )
    grouped: dict[str, list[Total]] = defaultdict(list)
    names = buyer_names()
    for r in rows:
        grouped[r["expense_type__division"]].append(
            Total(
                r["buyer"],
                names.get(r["buyer"], r["buyer"]),
                r["pence"],
                r["payments"],
                r["suppliers"],
            )
        )
    suppliers = dict(
        mapped.values("expense_type__division")
        .annotate(n=Count("spelling__supplier", distinct=True))
        .values_list("expense_type__division", "n")
    )
    found = [
        Opportunity(
            digits,
            category_label(digits),
            sum(b.pence for b in buyers),
            sorted(buyers, key=lambda b: -b.pence),
            suppliers.get(digits, 0),
        )
        for digits, buyers in grouped.items()
        if len(buyers) >= 2
    ]
    return sorted(found, key=lambda o: -o.pence)


def supplier_opportunities(payments: QuerySet[Payment], limit: int = 50) -> list[Opportunity]:
    """Suppliers two or more buyers pay separately (each on its own terms), the largest first."""
    named = payments.filter(redacted=False)
    shared = (
        named.values("spelling__supplier")
        .annotate(buyers=Count("buyer", distinct=True), pence=Sum("amount_pence"))
        .filter(buyers__gte=2)
        .order_by("-pence")[:limit]
    )
    ids = [r["spelling__supplier"] for r in shared]
    per_buyer = (
        named.filter(spelling__supplier__in=ids)
        .values("spelling__supplier", "spelling__supplier__name", "buyer")
        .annotate(pence=Sum("amount_pence"), payments=Count("pk"))
    )
    grouped: dict[int, list[Total]] = defaultdict(list)
    names: dict[int, str] = {}
    buyers = buyer_names()
    for r in per_buyer:
        grouped[r["spelling__supplier"]].append(
            Total(r["buyer"], buyers.get(r["buyer"], r["buyer"]), r["pence"], r["payments"])
        )
        names[r["spelling__supplier"]] = r["spelling__supplier__name"]
    return [
        Opportunity(
            str(i),
            names[i],
            sum(b.pence for b in grouped[i]),
            sorted(grouped[i], key=lambda b: -b.pence),
            1,
        )
        for i in ids
    ]


def supplier_list(payments: QuerySet[Payment], query: str = "") -> QuerySet[ResolvedSupplier]:
    """Suppliers paid in ``payments``, the most paid first, each with ``pence``, ``payments``
    and ``buyers``; ``query`` finds a name (any spelling) or a Companies House number."""
    counted_here = Q(spellings__payments__in=payments)
    found = ResolvedSupplier.objects.filter(
        pk__in=payments.filter(redacted=False).values("spelling__supplier")
    )
    if query:
        # Searched in a subquery: a filter through the spellings here would narrow the sums
        # below to the spellings that matched.
        matching = ResolvedSupplier.objects.filter(
            Q(name__icontains=query)
            | Q(spellings__name__icontains=query)
            | Q(company_number=query.upper())
        )
        found = found.filter(pk__in=matching.values("pk"))
    return found.annotate(
        pence=Sum("spellings__payments__amount_pence", filter=counted_here),
        payment_count=Count("spellings__payments", filter=counted_here),
        buyers=Count("spellings__payments__buyer", filter=counted_here, distinct=True),
    ).order_by("-pence", "name")


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


@dataclass(frozen=True)
class SupplierChanges:
    """A buyer's suppliers paid in its latest quarter for the first time (``new``: name,
    pence in the quarter) and those paid in the quarter before but not in the latest
    (``lost``: name, pence in the quarter before), the most paid first."""

    buyer: str
    quarter: dt.date  # the latest quarter's first day
    new: list[tuple[str, int]]
    lost: list[tuple[str, int]]


def supplier_changes(payments: QuerySet[Payment]) -> list[SupplierChanges]:
    """New and lost suppliers per buyer, for buyers with payments in two quarters or more
    (a payment counts in the quarter its day, or its period, begins)."""
    named = payments.filter(redacted=False)
    found = []
    for buyer, latest in named.values_list("buyer").annotate(last=Max("starts_on")):
        quarter = quarter_start(latest)
        before = quarter_start(quarter - dt.timedelta(days=1))
        mine = named.filter(buyer=buyer)
        if not mine.filter(starts_on__lt=quarter).exists():
            continue
        spans = mine.values("spelling__supplier", "spelling__supplier__name").annotate(
            first=Min("starts_on"),
            last=Max("starts_on"),
            now=Sum("amount_pence", filter=Q(starts_on__gte=quarter)),
            then=Sum("amount_pence", filter=Q(starts_on__gte=before, starts_on__lt=quarter)),
        )
        new = [(s["spelling__supplier__name"], s["now"]) for s in spans if s["first"] >= quarter]
        lost = [
            (s["spelling__supplier__name"], s["then"])
            for s in spans
            if before <= s["last"] < quarter
        ]
        found.append(
            SupplierChanges(
                buyer,
                quarter,
                sorted(new, key=lambda n: -n[1]),
                sorted(lost, key=lambda n: -n[1]),
            )
        )
    return sorted(found, key=lambda c: c.buyer)
