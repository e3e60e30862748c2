"""The social value measures bids can promise against (public). A contract's promised against
delivered, and the reports at its milestones, are with the contract's endpoints."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from infuse.core.api_auth import OPTIONAL_AUTH
from infuse.procurement.social_value import queries
from infuse.procurement.social_value.schemas import MeasureOut

router = Router()


@router.get(
    "/social-value/measures",
    response={200: list[MeasureOut]},
    auth=OPTIONAL_AUTH,
    summary="The social value measures a bid can promise against, each serving a goal",
)
def social_value_measures(request: HttpRequest) -> list[MeasureOut]:
    return [MeasureOut.of(m) for m in queries.measures()]
