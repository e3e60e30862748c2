"""Data Lab JSON endpoints: thin wrappers over the services."""

from __future__ import annotations

import math
from typing import Any
from uuid import UUID

from django.http import FileResponse, HttpRequest
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from infuse.core import files
from infuse.core.api_auth import OPTIONAL_AUTH, caller
from infuse.core.errors import FieldProblem, InvalidInput, NotFound
from infuse.core.models import Organisation
from infuse.core.permissions import can
from infuse.core.schemas import ProblemOut
from infuse.datalab import exports, publishing, services
from infuse.datalab.models import Dataset, DatasetUpload, Indicator
from infuse.datalab.schemas import (
    DatasetIn,
    DatasetOut,
    FlaggedValueOut,
    FlagIn,
    IndicatorCreatedOut,
    IndicatorIn,
    IndicatorOut,
    IndicatorValuesOut,
    QueryIn,
    QueryOut,
    SchemaIn,
    UploadOut,
    VersionDetailOut,
)

router = Router(tags=["Data Lab"])


def dataset_out(dataset: Dataset) -> dict[str, Any]:
    return {
        "slug": dataset.slug,
        "title_en": dataset.title_en,
        "title_cy": dataset.title_cy or "",
        "description_en": dataset.description_en or "",
        "description_cy": dataset.description_cy or "",
        "publisher": dataset.publisher.slug,
        "visibility": dataset.visibility,
        "licence": dataset.licence,
        "update_frequency": dataset.update_frequency,
        "themes": [t.code for t in dataset.themes.all()],
        "goals": [g.code for g in dataset.goals.all()],
        "councils": [c.gss_code for c in dataset.councils.all()],
        "spatial_coverage": dataset.spatial_coverage,
        "temporal_start": dataset.temporal_start,
        "temporal_end": dataset.temporal_end,
        "contact_email": dataset.contact_email,
        "validation_policy": dataset.validation_policy,
        "declared_schema": dataset.declared_schema,
        "versions": list(dataset.versions.all()),
    }


def _fields(payload: DatasetIn) -> services.DatasetFields:
    publisher = Organisation.objects.filter(slug=payload.publisher).first()
    if publisher is None:
        raise InvalidInput(problems=[FieldProblem("publisher", "Unknown organisation")])
    data = payload.dict()
    data["publisher"] = publisher
    return services.DatasetFields(**data)


@router.get(
    "/datasets",
    response=list[DatasetOut],
    auth=OPTIONAL_AUTH,
    summary="Search the datasets you may see (the public sees public ones)",
)
def list_datasets(
    request: HttpRequest,
    q: str = "",
    theme: str = "",
    goal: str = "",
    council: str = "",
    file_format: str = "",
) -> list[dict[str, Any]]:
    query = services.CatalogueQuery(
        text=q, theme=theme, goal=goal, council=council, file_format=file_format
    )
    datasets = services.search_datasets(caller(request), query).prefetch_related(
        "themes", "goals", "councils", "versions"
    )
    return [dataset_out(d) for d in datasets[:500]]


@router.get(
    "/datasets/{slug}",
    response={200: DatasetOut, 404: ProblemOut},
    auth=OPTIONAL_AUTH,
    summary="One dataset's catalogue entry and versions",
)
def get_dataset(request: HttpRequest, slug: str) -> dict[str, Any]:
    return dataset_out(services.get_dataset(actor=caller(request), slug=slug))


@router.post(
    "/datasets",
    response={201: DatasetOut, 400: ProblemOut, 401: ProblemOut, 403: ProblemOut},
    summary="Add a dataset to the catalogue",
)
def create_dataset(request: HttpRequest, payload: DatasetIn) -> Status[dict[str, Any]]:
    dataset = services.create_dataset(actor=caller(request), fields=_fields(payload))
    return Status(201, dataset_out(dataset))


def upload_out(upload: DatasetUpload) -> dict[str, Any]:
    version = getattr(upload, "version", None)
    return {
        "id": str(upload.pk),
        "dataset": upload.dataset.slug,
        "original_name": upload.original_name,
        "sha256": upload.sha256,
        "size_bytes": upload.size_bytes,
        "status": upload.status,
        "progress_id": str(upload.progress_id) if upload.progress_id else None,
        "version": version.number if version else None,
        "error_key": upload.error_key,
        "error_message": upload.error_message,
        "report": upload.report,
    }


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
    sheet: Form[str] = "",
    skip_rows: Form[int] = 0,
    header_rows: Form[int] = 1,
) -> Status[dict[str, Any]]:
    actor = caller(request)
    dataset = services.get_dataset(actor=actor, slug=slug)
    options: dict[str, Any] = {}
    if sheet:
        options["sheet"] = sheet
    if skip_rows:
        options["skip_rows"] = skip_rows
    if header_rows != 1:
        options["header_rows"] = header_rows
    outcome = services.upload_file(
        actor=actor,
        dataset=dataset,
        chunks=file.chunks(),
        original_name=file.name or "upload",
        read_options=options,
    )
    if outcome.existing_version is not None:
        return Status(200, upload_out(outcome.existing_version.upload))
    assert outcome.upload is not None
    return Status(202, upload_out(outcome.upload))


@router.get(
    "/uploads/{upload_id}",
    response={200: UploadOut, 401: ProblemOut, 404: ProblemOut},
    summary="An upload's status, its version once accepted, and its validation report",
)
def get_upload(request: HttpRequest, upload_id: UUID) -> dict[str, Any]:
    return upload_out(services.get_upload(actor=caller(request), upload_id=upload_id))


def indicator_out(indicator: Indicator) -> dict[str, Any]:
    return {
        "slug": indicator.slug,
        "dataset": indicator.dataset.slug,
        "title_en": indicator.title_en,
        "title_cy": indicator.title_cy or "",
        "description_en": indicator.description_en or "",
        "description_cy": indicator.description_cy or "",
        "unit": indicator.unit,
        "polarity": indicator.polarity,
        "themes": [t.code for t in indicator.themes.all()],
        "goals": [g.code for g in indicator.goals.all()],
        "specification": indicator.specification,
    }


@router.get(
    "/indicators",
    response=list[IndicatorOut],
    auth=OPTIONAL_AUTH,
    summary="The indicators over the datasets you may see",
)
def list_indicators(request: HttpRequest, dataset: str = "") -> list[dict[str, Any]]:
    indicators = services.visible_indicators(caller(request), dataset=dataset)
    return [indicator_out(i) for i in indicators.prefetch_related("themes", "goals")[:500]]


@router.get(
    "/indicators/{slug}",
    response={200: IndicatorOut, 404: ProblemOut},
    auth=OPTIONAL_AUTH,
    summary="One indicator's definition",
)
def get_indicator(request: HttpRequest, slug: str) -> dict[str, Any]:
    return indicator_out(services.get_indicator(actor=caller(request), slug=slug))


@router.get(
    "/indicators/{slug}/values",
    response={200: IndicatorValuesOut, 404: ProblemOut},
    auth=OPTIONAL_AUTH,
    summary="Values per council and period with intervals, disclosure-controlled for the public",
)
def get_indicator_values(request: HttpRequest, slug: str) -> dict[str, Any]:
    actor = caller(request)
    indicator = services.get_indicator(actor=actor, slug=slug)
    frame = publishing.shown_frame(
        publishing.shown_periods(indicator, actor),
        with_ids=can(actor, "datalab.change_dataset", indicator.dataset),
    )
    records = [
        {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}
        for row in frame.to_dict(orient="records")
    ]
    control = "none" if publishing.sees_unsuppressed(actor) else publishing.disclosure_method()
    return {"indicator": indicator.slug, "disclosure_control": control, "values": records}


@router.put(
    "/datasets/{slug}/schema",
    response={200: DatasetOut, 400: ProblemOut, 401: ProblemOut, 403: ProblemOut, 404: ProblemOut},
    summary="Declare the schema later uploads are checked against (null clears it)",
)
def declare_schema(request: HttpRequest, slug: str, payload: SchemaIn) -> dict[str, Any]:
    actor = caller(request)
    dataset = services.get_dataset(actor=actor, slug=slug)
    return dataset_out(
        services.set_declared_schema(actor=actor, dataset=dataset, schema=payload.schema_)
    )


@router.get(
    "/datasets/{slug}/versions/{number}",
    response={200: VersionDetailOut, 404: ProblemOut},
    auth=OPTIONAL_AUTH,
    summary="One version: its Table Schema and the profile of every column",
)
def get_version(request: HttpRequest, slug: str, number: int) -> dict[str, Any]:
    actor = caller(request)
    dataset = services.get_dataset(actor=actor, slug=slug)
    version = services.get_version(actor=actor, dataset=dataset, number=number)
    return {
        "dataset": dataset.slug,
        "number": version.number,
        "sha256": version.sha256,
        "row_count": version.row_count,
        "quarantined_rows": version.quarantined_rows,
        "created_at": version.created_at,
        "table_schema": version.table_schema,
        "profile": version.profile,
        "quarantine_available": bool(version.quarantine_path),
    }


@router.get(
    "/datasets/{slug}/versions/{number}/download.{file_format}",
    response={200: None, 404: ProblemOut},
    auth=OPTIONAL_AUTH,
    summary="One version as csv, xlsx, json or parquet",
)
def download_version(
    request: HttpRequest, slug: str, number: int, file_format: str
) -> FileResponse:
    actor = caller(request)
    dataset = services.get_dataset(actor=actor, slug=slug)
    version = services.get_version(actor=actor, dataset=dataset, number=number)
    if file_format not in exports.FORMATS:
        raise NotFound()
    return FileResponse(
        exports.open_export(files.resolve(version.parquet_path), file_format),
        as_attachment=True,
        filename=f"{dataset.slug}-v{version.number}.{file_format}",
        content_type=exports.FORMATS[file_format],
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
    actor = caller(request)
    dataset = services.get_dataset(actor=actor, slug=slug)
    path = services.get_quarantine(actor=actor, dataset=dataset, number=number)
    if file_format not in exports.FORMATS:
        raise NotFound()
    return FileResponse(
        exports.open_export(path, file_format),
        as_attachment=True,
        filename=f"{dataset.slug}-v{number}-quarantined.{file_format}",
        content_type=exports.FORMATS[file_format],
    )


@router.post(
    "/sql",
    response={200: QueryOut, 400: ProblemOut, 401: ProblemOut},
    summary="Run one read-only SELECT over the latest versions you may see",
)
def run_query(request: HttpRequest, payload: QueryIn) -> dict[str, Any]:
    result = services.run_sql(actor=caller(request), sql=payload.sql)
    return {
        "columns": result.columns,
        "rows": [[_json_value(cell) for cell in row] for row in result.rows],
        "truncated": result.truncated,
        "seconds": result.seconds,
    }


def _json_value(cell: Any) -> Any:
    if isinstance(cell, float) and not math.isfinite(cell):
        return None
    if isinstance(cell, int | float | str | bool) or cell is None:
        return cell
    return str(cell)  # dates, decimals, times: their text


@router.post(
    "/datasets/{slug}/indicators",
    response={202: IndicatorCreatedOut, 400: ProblemOut, 401: ProblemOut, 403: ProblemOut},
    summary="Define an indicator; its values are computed in the background (202)",
)
def create_indicator(request: HttpRequest, slug: str, payload: IndicatorIn) -> Status[Any]:
    actor = caller(request)
    dataset = services.get_dataset(actor=actor, slug=slug)
    indicator = services.create_indicator(
        actor=actor, dataset=dataset, fields=services.IndicatorFields(**payload.dict())
    )
    out = indicator_out(indicator)
    out["progress_id"] = str(indicator.progress_id) if indicator.progress_id else None
    return Status(202, out)


@router.put(
    "/indicators/{slug}/values/{value_id}/flag",
    response={200: FlaggedValueOut, 400: ProblemOut, 401: ProblemOut, 403: ProblemOut},
    summary="Set (or clear, with an empty flag) a StatsWales-style flag on one value",
)
def flag_value(request: HttpRequest, slug: str, value_id: int, payload: FlagIn) -> dict[str, Any]:
    actor = caller(request)
    indicator = services.get_indicator(actor=actor, slug=slug)
    value = services.get_indicator_value(actor=actor, indicator=indicator, value_id=value_id)
    value = services.set_value_flag(actor=actor, value=value, flag=payload.flag)
    return {
        "id": value.pk,
        "period": value.period,
        "area_code": value.council.gss_code if value.council else "",
        "flag": value.flag,
    }
