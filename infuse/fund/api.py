"""Challenge Fund JSON endpoints: thin, through the fund's services (the same refusals as the
pages, as RFC 9457 problem details)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from infuse.core.api_auth import caller
from infuse.core.schemas import PROBLEMS
from infuse.fund import services
from infuse.fund.schemas import AllocationIn, AllocationOut, FundOut

router = Router(tags=["Challenge Fund"])


@router.get(
    "",
    response={200: FundOut, **PROBLEMS},
    summary="The Challenge Fund's totals and portfolio (the region)",
)
def fund_report(request: HttpRequest) -> FundOut:
    return services.report(actor=caller(request))


@router.get(
    "/allocations",
    response={200: list[AllocationOut], **PROBLEMS},
    summary="What each challenge phase has been allocated and has committed (the region)",
)
def list_allocations(request: HttpRequest) -> list[AllocationOut]:
    actor = caller(request)
    rows = services.allocations(actor=actor, fund=services.get_fund(actor=actor))
    return [AllocationOut.of(row.allocation, row.purpose) for row in rows]


@router.post(
    "/allocations",
    response={200: AllocationOut, **PROBLEMS},
    summary="Set what a challenge phase may commit to contracts (fund managers)",
)
def allocate(request: HttpRequest, payload: AllocationIn) -> AllocationOut:
    row = services.allocation_row(services.allocate(actor=caller(request), allocation_in=payload))
    return AllocationOut.of(row.allocation, row.purpose)
