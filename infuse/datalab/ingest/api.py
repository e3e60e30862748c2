"""Ingest JSON endpoints: upload a version, follow it, declare the schema, quarantined rows."""

from __future__ import annotations

import dataclasses
from uuid import UUID

from django.http import FileResponse, HttpRequest
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from infuse.core import ratelimit
from infuse.core.api_auth import OPTIONAL_AUTH, caller
from infuse.core.bounds import Count
from infuse.core.schemas import ProblemOut
from infuse.datalab.catalogue import services as catalogue
from infuse.datalab.catalogue.schemas import DatasetOut
from infuse.datalab.catalogue.views import download_response
from infuse.datalab.ingest import services
from infuse.datalab.ingest.schemas import DetectionOut, SchemaIn, UploadIn, UploadOut

router = Router()


@router.post(
    "/datasets/{slug}/uploads",
    response={
        202: UploadOut,
        200: UploadOut,
        400: ProblemOut,
        401: ProblemOut,
        403: ProblemOut,
        404: ProblemOut,
        413: ProblemOut,
    },
    summary="Upload a file as a new version (202: queued; 200: these bytes are already a version)",
)
def upload_version(
    request: HttpRequest,
    slug: str,
    file: File[UploadedFile],
    upload_in: Form[UploadIn],
) -> Status[UploadOut]:
    ratelimit.check(request, "upload")
    actor = caller(request)
    dataset = catalogue.get_dataset(actor=actor, slug=slug)
    outcome = services.upload_file(
        actor=actor,
        dataset=dataset,
        chunks=file.chunks(),
        original_name=file.name or "upload",
        upload_in=upload_in,
    )
    if outcome.existing_version is not None:
        return Status(200, UploadOut.of(outcome.existing_version.upload))
    assert outcome.upload is not None
    return Status(202, UploadOut.of(outcome.upload))


@router.get(
    "/uploads/{upload_id}",
    response={200: UploadOut, 401: ProblemOut, 404: ProblemOut},
    summary="An upload's status, its version once accepted, and its validation report",
)
def get_upload(request: HttpRequest, upload_id: UUID) -> UploadOut:
    return UploadOut.of(services.get_upload(actor=caller(request), upload_id=upload_id))


@router.get(
    "/uploads/{upload_id}/preview",
    response={
        200: DetectionOut,
        400: ProblemOut,
        401: ProblemOut,
        404: ProblemOut,
        409: ProblemOut,
    },
    summary="How a file sent with check_first will be read (other settings: skip_rows, "
    "header_rows)",
)
def preview_upload(
    request: HttpRequest, upload_id: UUID, skip_rows: Count | None = None, header_rows: Count = 1
) -> DetectionOut:
    found = services.preview_upload(
        actor=caller(request),
        upload_id=upload_id,
        upload_in=UploadIn(skip_rows=skip_rows, header_rows=header_rows),
    )
    return DetectionOut(**dataclasses.asdict(found))


@router.post(
    "/uploads/{upload_id}/convert",
    response={
        202: UploadOut,
        400: ProblemOut,
        401: ProblemOut,
        403: ProblemOut,
        404: ProblemOut,
        409: ProblemOut,
    },
    summary="Convert a file sent with check_first, read with these settings",
)
def convert_upload(request: HttpRequest, upload_id: UUID, payload: UploadIn) -> Status[UploadOut]:
    upload = services.convert_upload(actor=caller(request), upload_id=upload_id, upload_in=payload)
    return Status(202, UploadOut.of(upload))


@router.put(
    "/datasets/{slug}/schema",
    response={200: DatasetOut, 400: ProblemOut, 401: ProblemOut, 403: ProblemOut, 404: ProblemOut},
    summary="Declare the schema later uploads are checked against (null clears it)",
)
def declare_schema(request: HttpRequest, slug: str, payload: SchemaIn) -> DatasetOut:
    actor = caller(request)
    dataset = catalogue.get_dataset(actor=actor, slug=slug)
    return DatasetOut.of(
        services.set_declared_schema(actor=actor, dataset=dataset, schema_in=payload)
    )


@router.get(
    "/datasets/{slug}/versions/{number}/quarantine.{file_format}",
    response={200: None, 401: ProblemOut, 403: ProblemOut, 404: ProblemOut},
    auth=OPTIONAL_AUTH,
    summary="The rows a version quarantined, with their row numbers and problems (publisher only)",
)
def download_quarantine(
    request: HttpRequest, slug: str, number: int, file_format: str
) -> FileResponse:
    return download_response(
        caller(request), slug, catalogue.download_quarantine, number, file_format
    )
