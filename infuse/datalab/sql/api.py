"""Read-only SQL over the API: one SELECT, the same sandbox and refusals as the page."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from infuse.core import ratelimit
from infuse.core.api_auth import caller
from infuse.core.schemas import ProblemOut
from infuse.datalab.sql import services
from infuse.datalab.sql.schemas import QueryIn, QueryOut

router = Router()


@router.post(
    "/sql",
    response={200: QueryOut, 400: ProblemOut, 401: ProblemOut},
    summary="Run one read-only SELECT over the latest versions you may see",
)
def run_query(request: HttpRequest, payload: QueryIn) -> QueryOut:
    ratelimit.check(request, "sql")
    return QueryOut.of(services.run_sql(actor=caller(request), query_in=payload))
