"""The ingest's use cases: receive a file (its ingest queued), follow an upload, declare the
schema uploads are checked against, and hand the rows a version quarantined to its publisher.

Every change takes the acting person first, checks permission, makes its change with its audit
event in one transaction, and raises ``infuse.core.errors`` types with field detail.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from infuse.core import audit, files
from infuse.core.errors import (
    Conflict,
    FieldProblem,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
)
from infuse.core.models import Person, TaskProgress
from infuse.core.permissions import can
from infuse.core.progress import enqueue_tracked
from infuse.datalab.ingest import detection, isolated, readers
from infuse.datalab.ingest.schemas import SchemaIn, UploadIn
from infuse.datalab.ingest.sources import IngestError, ReadOptions, safe_display_name
from infuse.datalab.ingest.tasks import ingest_limits, ingest_upload, recover_interrupted_uploads
from infuse.datalab.messages import explain
from infuse.datalab.models import Dataset, DatasetUpload, DatasetVersion

FORMATS_BY_SUFFIX = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".xlsx": "xlsx",
    ".parquet": "parquet",
    ".json": "json",
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
}


@dataclass(frozen=True)
class UploadOutcome:
    """What an upload led to: new ingest work, or the version that already holds these bytes."""

    upload: DatasetUpload | None = None
    existing_version: DatasetVersion | None = None


def _file_format(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix not in FORMATS_BY_SUFFIX:
        raise InvalidInput(
            problems=[
                FieldProblem(
                    "file",
                    _("The file must be CSV, XLSX, Parquet, JSON or NDJSON (it ends %(suffix)s)")
                    % {"suffix": suffix or _("without a file type")},
                )
            ]
        )
    return FORMATS_BY_SUFFIX[suffix]


def _same_bytes(
    actor: Person, dataset: Dataset, sha256: str, upload_in: UploadIn
) -> UploadOutcome | None:
    """What becomes of bytes the dataset has already: the version they are; the upload
    ingesting them; or the upload kept for checking (converted now when they were sent again
    to be converted)."""
    existing = dataset.versions.filter(sha256=sha256).first()
    if existing is not None:
        return UploadOutcome(existing_version=existing)
    in_flight = dataset.uploads.filter(
        sha256=sha256,
        status__in=[
            DatasetUpload.Status.WAITING,
            DatasetUpload.Status.QUEUED,
            DatasetUpload.Status.PROCESSING,
        ],
    ).first()
    if in_flight is None:
        return None
    if in_flight.status == DatasetUpload.Status.WAITING and not upload_in.check_first:
        return UploadOutcome(
            upload=convert_upload(actor=actor, upload_id=in_flight.pk, upload_in=upload_in)
        )
    return UploadOutcome(upload=in_flight)


def upload_file(
    *,
    actor: Person,
    dataset: Dataset,
    chunks: Iterable[bytes],
    original_name: str,
    upload_in: UploadIn | None = None,
) -> UploadOutcome:
    """Keep the raw bytes (by SHA-256) and queue their ingest as a background task.

    The same bytes as an existing version are a no-op that points to that version, and the
    same bytes as an upload still being ingested point to that upload.
    """
    if not can(actor, "datalab.upload_version", dataset):
        raise PermissionDenied()
    display_name = safe_display_name(original_name or "upload")
    file_format = _file_format(display_name)
    try:
        stored = files.store_stream(chunks, kind="raw", max_bytes=settings.MAX_UPLOAD_BYTES)
    except ValueError as error:
        raise PayloadTooLarge(
            _("The file is larger than %(size)s. Split it or ask for help.")
            % {"size": filesizeformat(settings.MAX_UPLOAD_BYTES)}
        ) from error
    if stored.size == 0:
        raise InvalidInput(problems=[FieldProblem("file", _("The file is empty"))])
    upload_in = upload_in or UploadIn()
    same = _same_bytes(actor, dataset, stored.sha256, upload_in)
    if same is not None:
        return same
    waits = upload_in.check_first and readers.detect_format(
        files.resolve(stored.relative_path)
    ) in ("csv", "xlsx")
    with transaction.atomic():
        upload = DatasetUpload.objects.create(
            dataset=dataset,
            original_name=display_name,
            sha256=stored.sha256,
            size_bytes=stored.size,
            raw_path=stored.relative_path,
            file_format=file_format,
            read_options=upload_in.read_options(),
            status=DatasetUpload.Status.WAITING if waits else DatasetUpload.Status.QUEUED,
            created_by=actor,
        )
        if not waits:
            _queue(upload, actor)
        audit.record_event(
            actor=actor,
            action="dataset.upload_received",
            obj=upload,
            after={
                "dataset": dataset.slug,
                "sha256": stored.sha256,
                "size": stored.size,
                "name": display_name,
            },
        )
    return UploadOutcome(upload=upload)


def _queue(upload: DatasetUpload, actor: Person) -> None:
    """Queue the upload's conversion, with progress its page and the API follow."""
    progress = TaskProgress.objects.create(
        kind="datalab.ingest",
        owner=actor,
        subject_view="datalab:upload_status",
        subject_kwargs={"upload_id": str(upload.pk)},
    )
    upload.progress = progress
    upload.status = DatasetUpload.Status.QUEUED
    upload.save(update_fields=["progress", "status"])
    enqueue_tracked(progress, ingest_upload, str(upload.pk))


def _waiting(actor: Any, upload_id: Any) -> DatasetUpload:
    upload = get_upload(actor=actor, upload_id=upload_id)
    if upload.status != DatasetUpload.Status.WAITING:
        raise Conflict(_("This file is being converted already, or has been: its page says how."))
    return upload


def preview_upload(
    *, actor: Any, upload_id: Any, upload_in: UploadIn | None = None
) -> detection.Detection:
    """How a file kept for checking will be read: with ``upload_in``'s settings when given
    (the person trying others), else with those it was sent with."""
    upload = _waiting(actor, upload_id)
    options = dict(upload.read_options) if upload_in is None else upload_in.read_options()
    sheet = options.get("sheet") or upload.read_options.get("sheet")
    read = ReadOptions(
        skip_rows=options.get("skip_rows", 0),
        header_rows=options.get("header_rows", 1),
        sheet=int(sheet) if str(sheet).isdigit() else sheet,
    )
    raw = files.resolve(upload.raw_path)
    try:
        if readers.detect_format(raw) == "xlsx":
            return isolated.preview_isolated(raw, options=read, limits=ingest_limits())
        return detection.detect(raw, read)
    except IngestError as error:
        raise InvalidInput(
            problems=[FieldProblem("file", explain(error.key, error.params, str(error)))]
        ) from error


def convert_upload(*, actor: Person, upload_id: Any, upload_in: UploadIn) -> DatasetUpload:
    """Convert a file kept for checking, read as ``upload_in`` says (the settings checked)."""
    upload = _waiting(actor, upload_id)
    if not can(actor, "datalab.upload_version", upload.dataset):
        raise PermissionDenied()
    with transaction.atomic():
        # Claimed by one request only: a second click finds it queued already.
        claimed = DatasetUpload.objects.filter(
            pk=upload.pk, status=DatasetUpload.Status.WAITING
        ).update(read_options=upload_in.read_options(), status=DatasetUpload.Status.QUEUED)
        if not claimed:
            raise Conflict(
                _("This file is being converted already, or has been: its page says how.")
            )
        upload.refresh_from_db()
        _queue(upload, actor)
        audit.record_event(
            actor=actor,
            action="dataset.upload_checked",
            obj=upload,
            after={"read_options": upload.read_options},
        )
    return upload


def get_upload(*, actor: Any, upload_id: Any) -> DatasetUpload:
    """An upload its dataset's data people (or whoever sent it) may follow."""
    upload = (
        DatasetUpload.objects.select_related("dataset", "progress").filter(pk=upload_id).first()
    )
    if upload is None:
        raise NotFound()
    allowed = upload.created_by_id == getattr(actor, "pk", None) or can(
        actor, "datalab.upload_version", upload.dataset
    )
    if not allowed:
        raise NotFound()
    return upload


def follow_upload(*, actor: Any, upload_id: Any) -> DatasetUpload:
    """An upload as its status page shows it: one whose worker died mid-ingest is queued again
    first (and the page says so), but only for someone who may follow it."""
    upload = get_upload(actor=actor, upload_id=upload_id)
    if upload.status == DatasetUpload.Status.PROCESSING and recover_interrupted_uploads(
        upload_id=upload.pk
    ):
        upload.refresh_from_db()
    return upload


# --- Declared schemas --------------------------------------------------------------------------

SCHEMA_TYPES = {"string", "integer", "number", "boolean", "date", "datetime", "year", "any"}
SCHEMA_CONSTRAINTS = {
    "required",
    "unique",
    "enum",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
}


def check_declared_schema(schema: Any) -> list[FieldProblem]:
    """Problems with a declared schema's shape, each naming the field it is about."""
    if (
        not isinstance(schema, dict)
        or not isinstance(schema.get("fields"), list)
        or not schema["fields"]
    ):
        return [FieldProblem("schema", _("The schema needs a list of fields"))]
    problems: list[FieldProblem] = []
    names: list[str] = []
    for position, spec in enumerate(schema["fields"], start=1):
        where = f"fields[{position}]"
        if not isinstance(spec, dict) or not str(spec.get("name", "")).strip():
            problems.append(FieldProblem(where, _("Each field needs a name")))
            continue
        names.append(spec["name"])
        if spec.get("type", "string") not in SCHEMA_TYPES:
            problems.append(
                FieldProblem(
                    where,
                    _("Field ‘%(name)s’ has an unknown type. Use one of: %(types)s")
                    % {"name": spec["name"], "types": ", ".join(sorted(SCHEMA_TYPES))},
                )
            )
        unknown = set(spec.get("constraints") or {}) - SCHEMA_CONSTRAINTS
        if unknown:
            problems.append(
                FieldProblem(
                    where,
                    _("Field ‘%(name)s’ has unknown constraints: %(constraints)s")
                    % {"name": spec["name"], "constraints": ", ".join(sorted(unknown))},
                )
            )
    if len(set(names)) != len(names):
        problems.append(FieldProblem("schema", _("Two fields have the same name")))
    key = schema.get("primaryKey")
    if key is not None:
        keys = [key] if isinstance(key, str) else key
        if not isinstance(keys, list) or any(k not in names for k in keys):
            problems.append(
                FieldProblem("primaryKey", _("The primary key must name fields of the schema"))
            )
    return problems


def set_declared_schema(*, actor: Person, dataset: Dataset, schema_in: SchemaIn) -> Dataset:
    """Declare (or clear, with None) the schema every later upload is checked against."""
    if not can(actor, "datalab.change_dataset", dataset):
        raise PermissionDenied()
    schema = schema_in.schema_
    problems = check_declared_schema(schema) if schema is not None else []
    if problems:
        raise InvalidInput(problems=problems)
    with transaction.atomic():
        before = dataset.declared_schema
        dataset.declared_schema = schema
        dataset.updated_at = timezone.now()
        dataset.save(update_fields=["declared_schema", "updated_at"])
        audit.record_event(
            actor=actor,
            action="dataset.schema_declared",
            obj=dataset,
            before={"schema": before},
            after={"schema": schema},
        )
    return dataset


# --- Quarantined rows --------------------------------------------------------------------------
