"""Open contracting data, public: release and record packages per contracting process (a
challenge phase) or all."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from infuse.core.api_auth import OPTIONAL_AUTH
from infuse.core.errors import NotFound
from infuse.core.schemas import ProblemOut
from infuse.procurement.ocds import releases as ocds

router = Router()


def _known(ocid: str) -> str:
    if ocid not in ocds.published_ocids():
        raise NotFound()
    return ocid


@router.get(
    "/ocds/releases",
    response={200: dict},
    auth=OPTIONAL_AUTH,
    summary="OCDS 1.1 release package: every release of every published challenge phase",
)
def ocds_releases(request: HttpRequest) -> dict[str, Any]:
    return ocds.release_package(ocds.published_releases(), request.build_absolute_uri())


@router.get(
    "/ocds/records",
    response={200: dict},
    auth=OPTIONAL_AUTH,
    summary="OCDS 1.1 record package: a compiled record per contracting process",
)
def ocds_records(request: HttpRequest) -> dict[str, Any]:
    return ocds.record_package(ocds.published_ocids(), request.build_absolute_uri())


@router.get(
    "/ocds/{ocid}/releases",
    response={200: dict, 404: ProblemOut},
    auth=OPTIONAL_AUTH,
    summary="OCDS 1.1 release package of one contracting process",
)
def ocds_process_releases(request: HttpRequest, ocid: str) -> dict[str, Any]:
    return ocds.release_package(ocds.published_releases(_known(ocid)), request.build_absolute_uri())


@router.get(
    "/ocds/{ocid}/record",
    response={200: dict, 404: ProblemOut},
    auth=OPTIONAL_AUTH,
    summary="OCDS 1.1 record package of one contracting process",
)
def ocds_process_record(request: HttpRequest, ocid: str) -> dict[str, Any]:
    return ocds.record_package([_known(ocid)], request.build_absolute_uri())
