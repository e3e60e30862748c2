"""Comparator groups as JSON: everyone reads them; those who work with data save them."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from infuse.core.api_auth import OPTIONAL_AUTH, caller
from infuse.core.schemas import ProblemOut
from infuse.datalab.comparators import services
from infuse.datalab.comparators.schemas import ComparatorGroupIn, ComparatorGroupOut

router = Router()


@router.get(
    "/comparator-groups",
    response=list[ComparatorGroupOut],
    auth=OPTIONAL_AUTH,
    summary="The saved groups of councils a council can be compared with",
)
def list_groups(request: HttpRequest) -> list[ComparatorGroupOut]:
    return [ComparatorGroupOut.of(g) for g in services.groups()]


@router.post(
    "/comparator-groups",
    response={201: ComparatorGroupOut, 400: ProblemOut, 401: ProblemOut, 403: ProblemOut},
    summary="Save a group of two or more councils, named in English and Welsh",
)
def create_group(request: HttpRequest, payload: ComparatorGroupIn) -> Status[Any]:
    group = services.create_group(actor=caller(request), group_in=payload)
    return Status(201, ComparatorGroupOut.of(group))


@router.delete(
    "/comparator-groups/{slug}",
    response={204: None, 401: ProblemOut, 403: ProblemOut, 404: ProblemOut},
    summary="Remove a group (the person who saved it, or a programme admin)",
)
def delete_group(request: HttpRequest, slug: str) -> Status[None]:
    services.delete_group(actor=caller(request), group=services.get_group(slug=slug))
    return Status(204, None)
