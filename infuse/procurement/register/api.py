"""The contract register, public: every contract awarded through the platform (filtered as
the page filters), one contract, and the register as CSV or XLSX."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema

from infuse.core.api_auth import OPTIONAL_AUTH
from infuse.core.downloads import attachment
from infuse.core.errors import NotFound
from infuse.core.schemas import PROBLEMS, ProblemOut
from infuse.procurement.register import outputs, queries
from infuse.procurement.social_value import queries as social_value
from infuse.procurement.social_value.schemas import PublicLineOut

router = Router()


class FiltersIn(Schema):
    council: str = ""  # a council's slug
    division: str = ""  # a CPV division's two digits
    status: str = ""  # active, complete or terminated
    year: int | None = None  # the calendar year it was signed


def _filters(given: FiltersIn) -> queries.Filters:
    return queries.checked(
        queries.Filters(
            council=given.council, division=given.division, status=given.status, year=given.year
        )
    )


@router.get(
    "/register",
    response={200: list[dict[str, Any]], **PROBLEMS},
    auth=OPTIONAL_AUTH,
    summary="The contract register: every contract awarded through InFuSe, newest first",
)
def contract_register(request: HttpRequest, filters: Query[FiltersIn]) -> list[dict[str, Any]]:
    return [outputs.row(c) for c in queries.entries(_filters(filters))]


@router.get(
    "/register/download.{file_format}",
    response={200: None, **PROBLEMS},
    auth=OPTIONAL_AUTH,
    summary="The contract register as CSV or XLSX (filtered like the list)",
)
def contract_register_file(
    request: HttpRequest, file_format: str, filters: Query[FiltersIn]
) -> HttpResponse:
    if file_format not in outputs.FORMATS:
        raise NotFound()
    return attachment(*outputs.register_file(queries.entries(_filters(filters)), file_format))


class EntryOut(Schema):
    contract: dict[str, Any]
    social_value: list[PublicLineOut]


@router.get(
    "/register/{pk}",
    response={200: EntryOut, 404: ProblemOut},
    auth=OPTIONAL_AUTH,
    summary="One contract of the register, with its social value promised and delivered",
)
def contract_register_entry(request: HttpRequest, pk: int) -> EntryOut:
    found = queries.entry(pk)
    return EntryOut(
        contract=outputs.row(found),
        social_value=[
            social_value.public_line_out(line) for line in social_value.contract_lines(found)
        ],
    )
