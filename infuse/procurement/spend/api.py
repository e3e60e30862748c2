"""Spend analysis endpoints, under ``/procurement/spend``: the same use cases as the pages, for
people of the region (suppliers and the public get 404, as on the pages)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from infuse.core.api_auth import caller
from infuse.core.downloads import attachment
from infuse.core.errors import NotFound
from infuse.core.schemas import PROBLEMS, Done
from infuse.datalab.catalogue import services as data
from infuse.procurement.spend import analysis, exports, outputs, queries, services
from infuse.procurement.spend.schemas import (
    CategoryIn,
    DraftIn,
    ExpenseTypeOut,
    MatchDecisionIn,
    MatchOut,
    MergeIn,
    OpportunityOut,
    SpendDatasetOut,
    SpendMappingIn,
    SpendSummaryOut,
    SplitIn,
    SupplierFactsIn,
    SupplierOut,
)

router = Router()


def _seeing(request: HttpRequest) -> Any:
    person = caller(request)
    queries.require_view(person)
    return person


@router.get("/spend", response={200: SpendSummaryOut, **PROBLEMS}, summary="What the region buys")
def spend_summary(request: HttpRequest) -> SpendSummaryOut:
    return outputs.summary(analysis.counted(queries.visible_spend(_seeing(request))))


@router.get(
    "/spend/datasets/{slug}",
    response={200: SpendDatasetOut, **PROBLEMS},
    summary="A spending dataset: its mapping and what reading it found",
)
def spend_dataset(request: HttpRequest, slug: str) -> SpendDatasetOut:
    spend = queries.get_spend(actor=_seeing(request), slug=slug)
    return SpendDatasetOut(
        dataset=spend.dataset.slug,
        mapping=spend.mapping,
        loaded_version=spend.loaded_version,
        summary=spend.summary,
        progress=str(spend.progress_id) if spend.progress_id else None,
    )


@router.put(
    "/spend/datasets/{slug}/mapping",
    response={202: Done, **PROBLEMS},
    summary="Map a dataset's columns to the spend shape and read its payments (202; follow "
    "/tasks/{progress})",
)
def spend_map(request: HttpRequest, slug: str, payload: SpendMappingIn) -> Status[Done]:
    person = caller(request)
    spend = services.map_spend(
        actor=person, dataset=data.get_dataset(actor=person, slug=slug), mapping_in=payload
    )
    return Status(202, Done(id=spend.pk, status="queued"))


@router.get(
    "/spend/suppliers",
    response={200: list[SupplierOut], **PROBLEMS},
    summary="Suppliers paid, the most paid first (q: a name or Companies House number)",
)
def spend_suppliers(
    request: HttpRequest, q: str = "", limit: int = Query(100, ge=1, le=1000)
) -> list[SupplierOut]:
    payments = analysis.counted(queries.visible_spend(_seeing(request)))
    found = analysis.supplier_list(payments, q.strip()[:100]).prefetch_related("spellings")
    return [outputs.supplier(s) for s in found[:limit]]


# Before /spend/suppliers/{pk}: its pattern would take these words for an id.
@router.post(
    "/spend/suppliers/merge",
    response={200: SupplierOut, **PROBLEMS},
    summary="Join suppliers into one (never two with different numbers)",
)
def spend_merge(request: HttpRequest, payload: MergeIn) -> SupplierOut:
    return outputs.supplier(services.merge_suppliers(actor=caller(request), merge_in=payload))


@router.post(
    "/spend/suppliers/split",
    response={200: SupplierOut, **PROBLEMS},
    summary="Give one spelling a supplier of its own",
)
def spend_split(request: HttpRequest, payload: SplitIn) -> SupplierOut:
    return outputs.supplier(services.split_spelling(actor=caller(request), split_in=payload))


@router.get("/spend/suppliers/{pk}", response={200: SupplierOut, **PROBLEMS}, summary="A supplier")
def spend_supplier(request: HttpRequest, pk: int) -> SupplierOut:
    return outputs.supplier(queries.get_supplier(actor=_seeing(request), pk=pk))


@router.put(
    "/spend/suppliers/{pk}/facts",
    response={200: SupplierOut, **PROBLEMS},
    summary="Record whether a supplier is an SME, a VCSE and in the region",
)
def spend_supplier_facts(request: HttpRequest, pk: int, payload: SupplierFactsIn) -> SupplierOut:
    return outputs.supplier(
        services.set_supplier_facts(actor=caller(request), pk=pk, facts_in=payload)
    )


@router.get(
    "/spend/matches",
    response={200: list[MatchOut], **PROBLEMS},
    summary="Alike names waiting for a person's decision",
)
def spend_matches(request: HttpRequest) -> list[MatchOut]:
    return [outputs.match(m) for m in queries.proposed_matches(_seeing(request))[:500]]


@router.post(
    "/spend/matches/{pk}",
    response={200: MatchOut, **PROBLEMS},
    summary="Join a proposed pair (merge) or keep it apart (reject)",
)
def spend_decide(request: HttpRequest, pk: int, payload: MatchDecisionIn) -> MatchOut:
    return outputs.match(services.decide_match(actor=caller(request), pk=pk, decision_in=payload))


@router.get(
    "/spend/expense-types",
    response={200: list[ExpenseTypeOut], **PROBLEMS},
    summary="Expense types and the CPV divisions they map to (status: suggested, confirmed, "
    "unmapped)",
)
def spend_expense_types(request: HttpRequest, status: str = "") -> list[ExpenseTypeOut]:
    return [outputs.expense(e) for e in queries.expense_types(_seeing(request), status)]


@router.put(
    "/spend/expense-types/{pk}",
    response={200: ExpenseTypeOut, **PROBLEMS},
    summary='Map an expense type to a CPV division (two digits; "" leaves it unmapped)',
)
def spend_set_category(request: HttpRequest, pk: int, payload: CategoryIn) -> ExpenseTypeOut:
    return outputs.expense(services.set_category(actor=caller(request), pk=pk, category_in=payload))


@router.get(
    "/spend/opportunities",
    response={200: list[OpportunityOut], **PROBLEMS},
    summary="Categories and suppliers two or more buyers pay separately",
)
def spend_opportunities(request: HttpRequest) -> list[OpportunityOut]:
    return outputs.opportunities(analysis.counted(queries.visible_spend(_seeing(request))))


@router.post(
    "/spend/opportunities/draft",
    response={201: Done, **PROBLEMS},
    summary="Draft a challenge from an opportunity, its evidence attached (the challenge's slug)",
)
def spend_draft(request: HttpRequest, payload: DraftIn) -> Status[Done]:
    challenge = services.draft_challenge(actor=caller(request), kind=payload.kind, key=payload.key)
    return Status(201, Done(id=challenge.pk, status=challenge.slug))


@router.get(
    "/spend/tables/{table}.{file_format}",
    response={200: None, **PROBLEMS},
    summary="An analysis table as a file: buyers, categories, suppliers, periods, "
    "concentration or opportunities, as csv or xlsx",
)
def spend_table(request: HttpRequest, table: str, file_format: str) -> HttpResponse:
    payments = analysis.counted(queries.visible_spend(_seeing(request)))
    found = exports.download(payments, table, file_format)
    if found is None:
        raise NotFound()
    response = attachment(*found)
    return response
