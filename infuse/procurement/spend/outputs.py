"""The spend use cases' results as the API gives them (and the command line prints them)."""

from __future__ import annotations

from django.db.models import QuerySet

from infuse.procurement.models import ExpenseType, Payment, ResolvedSupplier, SupplierMatch
from infuse.procurement.spend import analysis
from infuse.procurement.spend.schemas import (
    ConcentrationOut,
    ExpenseTypeOut,
    MatchOut,
    OpportunityOut,
    ShareOut,
    SpendSummaryOut,
    SupplierOut,
    TotalOut,
)


def total(t: analysis.Total) -> TotalOut:
    return TotalOut(
        key=t.key, label=t.label, pence=t.pence, payments=t.payments, suppliers=t.suppliers
    )


def supplier(s: ResolvedSupplier) -> SupplierOut:
    return SupplierOut(
        id=s.pk,
        name=s.name,
        company_number=s.company_number,
        charity_number=s.charity_number,
        is_sme=s.is_sme,
        is_vcse=s.is_vcse,
        is_local=s.is_local,
        facts_from=s.facts_from,
        spellings=[spelling.name for spelling in s.spellings.all()],
    )


def match(m: SupplierMatch) -> MatchOut:
    return MatchOut(
        id=m.pk,
        supplier=m.supplier_id,
        supplier_name=m.supplier.name,
        similar=m.similar_id,
        similar_name=m.similar.name,
        score=m.score,
        status=m.status,
    )


def expense(e: ExpenseType) -> ExpenseTypeOut:
    return ExpenseTypeOut(
        id=e.pk,
        name=e.name,
        division=e.division,
        category=analysis.category_label(e.division),
        status=e.status,
    )


def summary(payments: QuerySet[Payment]) -> SpendSummaryOut:
    buyers = analysis.by_buyer(payments)
    return SpendSummaryOut(
        total_pence=sum(b.pence for b in buyers),
        payments=sum(b.payments for b in buyers),
        buyers=[total(b) for b in buyers],
        categories=[total(c) for c in analysis.by_category(payments)],
        suppliers=[total(s) for s in analysis.by_supplier(payments, limit=50)],
        shares={
            k: ShareOut(yes=v.yes, no=v.no, unknown=v.unknown, known_fraction=v.known_fraction)
            for k, v in analysis.shares(payments).items()
        },
        concentration=[
            ConcentrationOut(
                division=c.division,
                label=c.label,
                hhi=c.measure.hhi,
                top_five_share=c.measure.top_five_share,
                suppliers=c.measure.suppliers,
                total_pence=c.measure.total_pence,
            )
            for c in analysis.concentration_by_category(payments)
        ],
    )


def opportunities(payments: QuerySet[Payment]) -> list[OpportunityOut]:
    found = [("category", o) for o in analysis.category_opportunities(payments)]
    found += [("supplier", o) for o in analysis.supplier_opportunities(payments)]
    return [
        OpportunityOut(
            kind=kind,
            key=o.key,
            label=o.label,
            pence=o.pence,
            suppliers=o.suppliers,
            buyers=[total(b) for b in o.buyers],
        )
        for kind, o in found
    ]
