"""Red flag endpoints, under ``/procurement/flags`` and ``/procurement/ocds/import``: for people
of the region (others get 404, as on the pages); importing and reviewing for procurement
officers and the programme's admins."""

from __future__ import annotations

from typing import IO, Any, cast

from django.http import HttpRequest
from ninja import File, Router, Status, UploadedFile

from infuse.core.api_auth import caller
from infuse.core.schemas import PROBLEMS, Done
from infuse.procurement.redflags import outputs, services
from infuse.procurement.redflags.schemas import DefinitionOut, FlagOut, ImportOut, ReviewIn

router = Router()


def _seeing(request: HttpRequest) -> Any:
    person = caller(request)
    services.require_view(person)
    return person


@router.get(
    "/flags",
    response={200: list[DefinitionOut], **PROBLEMS},
    summary="Every red flag: its definition, threshold, the fields it reads and its counts",
)
def flag_definitions(request: HttpRequest) -> list[DefinitionOut]:
    _seeing(request)
    return outputs.definitions()


@router.get(
    "/flags/raised",
    response={200: list[FlagOut], **PROBLEMS},
    summary="Flags in a state (fires, clear, not_applicable, not_computable) or of one code",
)
def flags_raised(request: HttpRequest, state: str = "fires", code: str = "") -> list[FlagOut]:
    _seeing(request)
    return [outputs.flag(f) for f in services.flags(state=state, code=code)[:1000]]


@router.get(
    "/flags/processes/{ocid}",
    response={200: list[FlagOut], **PROBLEMS},
    summary="Every flag of one contracting process, with its evidence",
)
def process_flags(request: HttpRequest, ocid: str) -> list[FlagOut]:
    process = services.get_process(actor=_seeing(request), ocid=ocid)
    return [outputs.flag(f) for f in services.flags_of_process(process)]


@router.post(
    "/flags/{pk}/review",
    response={201: Done, **PROBLEMS},
    summary="Record what a person found when they looked at a raised flag",
)
def review_flag(request: HttpRequest, pk: int, payload: ReviewIn) -> Status[Done]:
    person = _seeing(request)
    review = services.review_flag(actor=person, pk=pk, explanation=payload.explanation)
    return Status(201, Done(id=review.pk, status="reviewed"))


@router.post(
    "/ocds/import",
    response={200: ImportOut, **PROBLEMS},
    summary="Import OCDS releases: a release package (.json) or JSON Lines (.jsonl), streamed",
)
def import_ocds(request: HttpRequest, file: UploadedFile = File(...)) -> ImportOut:  # noqa: B008
    person = _seeing(request)
    found = services.import_releases(
        actor=person, stream=cast(IO[bytes], file), name=file.name or ""
    )
    return outputs.summary(found)
