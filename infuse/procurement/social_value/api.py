"""Social value endpoints: the measures bids can promise against (public) and the supplier's
report at a milestone (a contract's promised against delivered is with the contract's)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from infuse.core.api_auth import OPTIONAL_AUTH, caller
from infuse.core.lookups import find
from infuse.core.schemas import PROBLEMS, Done
from infuse.procurement.models import Milestone
from infuse.procurement.social_value import queries, services
from infuse.procurement.social_value.schemas import MeasureOut, ReportIn

router = Router()


@router.get(
    "/social-value/measures",
    response={200: list[MeasureOut]},
    auth=OPTIONAL_AUTH,
    summary="The social value measures a bid can promise against, each serving a goal",
)
def social_value_measures(request: HttpRequest) -> list[MeasureOut]:
    return [MeasureOut.of(m) for m in queries.measures()]


@router.put(
    "/milestones/{pk}/social-value",
    response={200: Done, **PROBLEMS},
    summary="Report what a milestone's work delivered on each social value target (suppliers)",
)
def report_social_value(request: HttpRequest, pk: int, payload: ReportIn) -> Done:
    """Changeable until the buyer accepts the milestone's work, which makes it delivered."""
    services.report_delivery(
        actor=caller(request), milestone=find(Milestone, pk), report_in=payload
    )
    return Done(id=pk, status="reported")
