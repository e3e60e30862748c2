"""Data Lab use cases: the catalogue, uploads and versions.

Every function takes the acting person first, checks permission, makes its change with its audit
event in one transaction, and raises ``infuse.core.errors`` types with field detail.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from infuse.analytics.connection import open_duckdb
from infuse.analytics.quoting import quote_literal
from infuse.core import audit, files
from infuse.core.errors import (
    FieldProblem,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
)
from infuse.core.models import Council, Organisation, Person, TaskProgress, Theme, WellbeingGoal
from infuse.core.permissions import can, data_organisations, is_region_member, memberships_of
from infuse.core.permissions import is_programme_admin as _is_programme_admin
from infuse.core.progress import enqueue_tracked
from infuse.core.slugs import unique_slug
from infuse.datalab.messages import explain
from infuse.datalab.models import (
    Dataset,
    DatasetUpload,
    DatasetVersion,
    Indicator,
    IndicatorValue,
    Licence,
    SavedQuery,
    UpdateFrequency,
    ValidationPolicy,
    ValueFlag,
    Visibility,
)
from infuse.datalab.readers import safe_display_name
from infuse.datalab.sql import QueryError, QueryResult, check_read_only, run_query


@dataclass
class DatasetFields:
    """What a person writes about a dataset (the catalogue entry)."""

    title_en: str
    title_cy: str
    publisher: Organisation
    description_en: str = ""
    description_cy: str = ""
    themes: list[str] = field(default_factory=list)  # theme codes
    goals: list[str] = field(default_factory=list)  # goal codes
    councils: list[str] = field(default_factory=list)  # GSS codes
    licence: str = Licence.OGL_3
    update_frequency: str = UpdateFrequency.IRREGULAR
    spatial_coverage: str = ""
    temporal_start: date | None = None
    temporal_end: date | None = None
    contact_email: str = ""
    visibility: str = Visibility.PRIVATE
    validation_policy: str = ValidationPolicy.REJECT


def _check_fields(fields: DatasetFields) -> tuple[list[Theme], list[WellbeingGoal], list[Council]]:
    problems: list[FieldProblem] = []
    if not fields.title_en.strip():
        problems.append(FieldProblem("title_en", _("Enter the title in English")))
    if not fields.title_cy.strip():
        problems.append(FieldProblem("title_cy", _("Enter the title in Welsh")))
    for name, value in (("title_en", fields.title_en), ("title_cy", fields.title_cy)):
        if len(value) > 200:
            problems.append(FieldProblem(name, _("The title must be 200 characters or fewer")))
    choices = (
        ("licence", fields.licence, Licence.values, _("Choose a licence")),
        (
            "update_frequency",
            fields.update_frequency,
            UpdateFrequency.values,
            _("Choose how often the data is updated"),
        ),
        ("visibility", fields.visibility, Visibility.values, _("Choose who can see the dataset")),
        (
            "validation_policy",
            fields.validation_policy,
            ValidationPolicy.values,
            _("Choose what happens to invalid rows"),
        ),
    )
    for name, value, allowed, message in choices:
        if value not in allowed:
            problems.append(FieldProblem(name, message))
    if (
        fields.temporal_start
        and fields.temporal_end
        and fields.temporal_start > fields.temporal_end
    ):
        problems.append(
            FieldProblem(
                "temporal_end", _("The end of the period covered must be on or after its start")
            )
        )
    if fields.visibility == Visibility.PUBLIC and fields.licence == Licence.RESTRICTED:
        problems.append(
            FieldProblem(
                "licence", _("A public dataset needs an open licence, not a restricted one")
            )
        )
    themes = list(Theme.objects.filter(code__in=fields.themes))
    goals = list(WellbeingGoal.objects.filter(code__in=fields.goals))
    councils = list(Council.objects.filter(gss_code__in=fields.councils))
    if len(themes) != len(set(fields.themes)):
        problems.append(FieldProblem("themes", _("Choose themes from the list")))
    if len(goals) != len(set(fields.goals)):
        problems.append(FieldProblem("goals", _("Choose well-being goals from the list")))
    if len(councils) != len(set(fields.councils)):
        problems.append(FieldProblem("councils", _("Choose councils from the list")))
    if problems:
        raise InvalidInput(problems=problems)
    return themes, goals, councils


def _summary(dataset: Dataset) -> dict[str, Any]:
    return {
        "title_en": dataset.title_en,
        "title_cy": dataset.title_cy,
        "publisher": dataset.publisher.slug,
        "visibility": dataset.visibility,
        "licence": dataset.licence,
        "validation_policy": dataset.validation_policy,
        "themes": sorted(t.code for t in dataset.themes.all()),
        "goals": sorted(g.code for g in dataset.goals.all()),
        "councils": sorted(c.gss_code for c in dataset.councils.all()),
    }


def _apply(dataset: Dataset, fields: DatasetFields) -> None:
    for name in (
        "title_en",
        "title_cy",
        "description_en",
        "description_cy",
        "licence",
        "update_frequency",
        "spatial_coverage",
        "temporal_start",
        "temporal_end",
        "contact_email",
        "visibility",
        "validation_policy",
    ):
        value = getattr(fields, name)
        setattr(dataset, name, value.strip() if isinstance(value, str) else value)


def create_dataset(*, actor: Person, fields: DatasetFields) -> Dataset:
    """Add a catalogue entry published by one of the actor's organisations."""
    if not can(actor, "datalab.add_dataset"):
        raise PermissionDenied()
    if fields.publisher.pk not in data_organisations(actor):
        raise InvalidInput(
            problems=[FieldProblem("publisher", _("Choose an organisation you publish data for"))]
        )
    themes, goals, councils = _check_fields(fields)
    with transaction.atomic():
        dataset = Dataset(
            publisher=fields.publisher,
            created_by=actor,
            slug=unique_slug(Dataset, fields.title_en, fallback="dataset"),
        )
        _apply(dataset, fields)
        dataset.save()
        dataset.themes.set(themes)
        dataset.goals.set(goals)
        dataset.councils.set(councils)
        audit.record_event(
            actor=actor, action="dataset.created", obj=dataset, after=_summary(dataset)
        )
    return dataset


def update_dataset(*, actor: Person, dataset: Dataset, fields: DatasetFields) -> Dataset:
    """Change a catalogue entry (the publisher stays; versions are untouched)."""
    if not can(actor, "datalab.change_dataset", dataset):
        raise PermissionDenied()
    fields.publisher = dataset.publisher
    themes, goals, councils = _check_fields(fields)
    with transaction.atomic():
        dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
        before = _summary(dataset)
        _apply(dataset, fields)
        dataset.updated_at = timezone.now()
        dataset.save()
        dataset.themes.set(themes)
        dataset.goals.set(goals)
        dataset.councils.set(councils)
        after = _summary(dataset)
        changed = {k for k in after if after[k] != before[k]}
        audit.record_event(
            actor=actor,
            action="dataset.changed",
            obj=dataset,
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
        )
    return dataset


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


def set_declared_schema(
    *, actor: Person, dataset: Dataset, schema: dict[str, Any] | None
) -> Dataset:
    """Declare (or clear, with None) the schema every later upload is checked against."""
    if not can(actor, "datalab.change_dataset", dataset):
        raise PermissionDenied()
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


def visible_datasets(actor: Any) -> QuerySet[Dataset]:
    """Every dataset ``actor`` may see (the public sees public ones only)."""
    datasets = Dataset.objects.select_related("publisher")
    if _is_programme_admin(actor):
        return datasets
    condition = Q(visibility=Visibility.PUBLIC)
    if is_region_member(actor):
        condition |= Q(visibility=Visibility.REGION)
    own = {org for org, _kind, _role in memberships_of(actor)}
    if own:
        condition |= Q(publisher_id__in=own)
    return datasets.filter(condition)


@dataclass(frozen=True)
class CatalogueQuery:
    text: str = ""
    theme: str = ""
    goal: str = ""
    council: str = ""  # GSS code
    file_format: str = ""
    publisher: str = ""  # organisation slug


def search_datasets(actor: Any, query: CatalogueQuery) -> QuerySet[Dataset]:
    """Visible datasets matching a text search and facet filters."""
    datasets = visible_datasets(actor)
    text = query.text.strip()
    if text:
        for word in text.split()[:8]:
            datasets = datasets.filter(
                Q(title_en__icontains=word)
                | Q(title_cy__icontains=word)
                | Q(description_en__icontains=word)
                | Q(description_cy__icontains=word)
            )
    if query.theme:
        datasets = datasets.filter(themes__code=query.theme)
    if query.goal:
        datasets = datasets.filter(goals__code=query.goal)
    if query.council:
        datasets = datasets.filter(councils__gss_code=query.council)
    if query.publisher:
        datasets = datasets.filter(publisher__slug=query.publisher)
    if query.file_format:
        datasets = datasets.filter(versions__upload__file_format=query.file_format)
    return datasets.distinct()


def get_dataset(*, actor: Any, slug: str) -> Dataset:
    """A dataset the actor may see; NotFound otherwise (its existence is not revealed)."""
    dataset = Dataset.objects.select_related("publisher").filter(slug=slug).first()
    if dataset is None or not can(actor, "datalab.view_dataset", dataset):
        raise NotFound()
    return dataset


def get_version(*, actor: Any, dataset: Dataset, number: int) -> DatasetVersion:
    if not can(actor, "datalab.view_dataset", dataset):
        raise NotFound()
    version = dataset.versions.filter(number=number).first()
    if version is None:
        raise NotFound()
    return version


@contextmanager
def reading_version(version: DatasetVersion) -> Iterator[duckdb.DuckDBPyConnection]:
    """A DuckDB connection where the version's rows are the view ``data``, for other labs'
    reads (experiment units, outcomes, past values): they never touch files or DuckDB's default
    connection themselves. Closed on leaving the block."""
    connection = open_duckdb()
    try:
        location = quote_literal(files.resolve(version.parquet_path))
        connection.execute(f"CREATE VIEW data AS SELECT * FROM read_parquet({location})")  # noqa: S608
        yield connection
    finally:
        connection.close()


def get_quarantine(*, actor: Any, dataset: Dataset, number: int) -> Path:
    """The rows a version quarantined, for the people who may change the dataset.

    They failed validation, so they are never published with the version; the publisher's
    data people fix and upload them again.
    """
    version = get_version(actor=actor, dataset=dataset, number=number)
    if not can(actor, "datalab.change_dataset", dataset):
        raise PermissionDenied()
    if not version.quarantine_path:
        raise NotFound()
    return files.resolve(version.quarantine_path)


# --- Uploads -----------------------------------------------------------------------------------

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


def upload_file(
    *,
    actor: Person,
    dataset: Dataset,
    chunks: Iterable[bytes],
    original_name: str,
    read_options: dict[str, Any] | None = None,
) -> UploadOutcome:
    """Keep the raw bytes (by SHA-256) and queue their ingest as a background task.

    The same bytes as an existing version are a no-op that points to that version.
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
    existing = dataset.versions.filter(sha256=stored.sha256).first()
    if existing is not None:
        return UploadOutcome(existing_version=existing)
    in_flight = dataset.uploads.filter(
        sha256=stored.sha256,
        status__in=[DatasetUpload.Status.QUEUED, DatasetUpload.Status.PROCESSING],
    ).first()
    if in_flight is not None:
        return UploadOutcome(upload=in_flight)  # the same file is being ingested already
    from infuse.datalab.tasks import ingest_upload

    with transaction.atomic():
        progress = TaskProgress.objects.create(kind="datalab.ingest", owner=actor)
        upload = DatasetUpload.objects.create(
            dataset=dataset,
            original_name=display_name,
            sha256=stored.sha256,
            size_bytes=stored.size,
            raw_path=stored.relative_path,
            file_format=file_format,
            read_options=dict(read_options or {}),
            progress=progress,
            created_by=actor,
        )
        enqueue_tracked(progress, ingest_upload, str(upload.pk))
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


# --- Indicators --------------------------------------------------------------------------------


@dataclass
class IndicatorFields:
    title_en: str
    title_cy: str
    specification: dict[str, Any]
    description_en: str = ""
    description_cy: str = ""
    themes: list[str] = field(default_factory=list)
    goals: list[str] = field(default_factory=list)


def _spec_problems(dataset: Dataset, specification: dict[str, Any]) -> list[FieldProblem]:
    """Check the definition against the latest version's columns (bilingual, per problem)."""
    from infuse.analytics import IndicatorSpec, IndicatorSpecError, validate_spec
    from infuse.analytics.engine import connect, read_parquet

    version = dataset.latest_version
    if version is None:
        return [
            FieldProblem(
                "specification", _("Upload data to the dataset before defining an indicator on it")
            )
        ]
    try:
        spec = IndicatorSpec.from_dict(specification)
        table = read_parquet(connect("duckdb"), files.resolve(version.parquet_path))
        validate_spec(spec, table.schema())
    except IndicatorSpecError as error:
        return [FieldProblem("specification", problem.message) for problem in error.problems]
    return []


def create_indicator(*, actor: Person, dataset: Dataset, fields: IndicatorFields) -> Indicator:
    """Define an indicator over a dataset and queue the computation of its values."""
    if not can(actor, "datalab.change_dataset", dataset):
        raise PermissionDenied()
    problems: list[FieldProblem] = []
    if not fields.title_en.strip():
        problems.append(FieldProblem("title_en", _("Enter the title in English")))
    if not fields.title_cy.strip():
        problems.append(FieldProblem("title_cy", _("Enter the title in Welsh")))
    problems += _spec_problems(dataset, fields.specification)
    themes = list(Theme.objects.filter(code__in=fields.themes))
    goals = list(WellbeingGoal.objects.filter(code__in=fields.goals))
    if problems:
        raise InvalidInput(problems=problems)
    from infuse.datalab.tasks import queue_indicator

    with transaction.atomic():
        slug = unique_slug(Indicator, fields.title_en, fallback="indicator")
        indicator = Indicator.objects.create(
            dataset=dataset,
            slug=slug,
            title_en=fields.title_en.strip(),
            title_cy=fields.title_cy.strip(),
            description_en=fields.description_en,
            description_cy=fields.description_cy,
            specification=fields.specification,
            unit=fields.specification.get("unit", "count"),
            polarity=fields.specification.get("polarity", "neither"),
            created_by=actor,
        )
        indicator.themes.set(themes)
        indicator.goals.set(goals)
        queue_indicator(indicator, owner=actor)
        audit.record_event(
            actor=actor,
            action="indicator.created",
            obj=indicator,
            after={"dataset": dataset.slug, "specification": fields.specification},
        )
    return indicator


def visible_indicators(actor: Any, *, dataset: str = "") -> QuerySet[Indicator]:
    """Indicators over every dataset ``actor`` may see, optionally of one dataset."""
    indicators = Indicator.objects.filter(dataset__in=visible_datasets(actor)).select_related(
        "dataset"
    )
    if dataset:
        indicators = indicators.filter(dataset__slug=dataset)
    return indicators.order_by("slug")


def get_indicator(*, actor: Any, slug: str) -> Indicator:
    indicator = Indicator.objects.select_related("dataset").filter(slug=slug).first()
    if indicator is None or not can(actor, "datalab.view_dataset", indicator.dataset):
        raise NotFound()
    return indicator


def get_indicator_value(*, actor: Any, indicator: Indicator, value_id: int) -> IndicatorValue:
    value = indicator.values.select_related("council").filter(pk=value_id).first()
    if value is None:
        raise NotFound()
    return value


def set_value_flag(*, actor: Person, value: IndicatorValue, flag: str) -> IndicatorValue:
    """Mark a stored value provisional, estimated, of low reliability… (StatsWales's flags).

    People who may change the dataset set flags; each change is audited, and the flag stays
    with the council and period when the indicator is recomputed on a new version.
    """
    if not can(actor, "datalab.change_dataset", value.indicator.dataset):
        raise PermissionDenied()
    if flag not in ValueFlag.values:
        raise InvalidInput(
            problems=[FieldProblem("flag", _("Choose one of the flags listed"), value=flag)]
        )
    with transaction.atomic():
        before = value.flag
        value.flag = flag
        value.save(update_fields=["flag"])
        audit.record_event(
            actor=actor,
            action="indicator.value-flagged",
            obj=value.indicator,
            before={"flag": before},
            after={
                "flag": flag,
                "council": value.council.gss_code if value.council else "",
                "period": value.period,
            },
        )
    return value


# --- Read-only SQL -----------------------------------------------------------------------------


def query_tables(actor: Any) -> dict[str, tuple[Dataset, DatasetVersion]]:
    """The latest version of every dataset ``actor`` may see, by its SQL table name."""
    tables: dict[str, tuple[Dataset, DatasetVersion]] = {}
    for dataset in visible_datasets(actor).order_by("slug"):
        version = dataset.latest_version
        if version is not None:
            tables[dataset.slug.replace("-", "_")] = (dataset, version)
    return tables


def run_sql(*, actor: Person, sql: str, row_limit: int = 1000) -> QueryResult:
    """Run a read-only query over the versions the actor may see."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied()
    tables = {
        name: files.resolve(version.parquet_path)
        for name, (_dataset, version) in query_tables(actor).items()
    }
    try:
        return run_query(
            sql, tables, row_limit=row_limit, timeout_seconds=settings.SQL_TIMEOUT_SECONDS
        )
    except QueryError as error:
        raise InvalidInput(
            explain(error.key, error.params, str(error)),
            problems=[FieldProblem("sql", explain(error.key, error.params, str(error)))],
        ) from error


def save_query(*, actor: Person, title: str, sql: str) -> SavedQuery:
    """Keep a read-only query (checked, not run) under a title, for its owner."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied()
    problems: list[FieldProblem] = []
    if not title.strip() or len(title) > 200:
        problems.append(FieldProblem("title", _("Enter a title of up to 200 characters")))
    try:
        text = check_read_only(sql)
    except QueryError as error:
        problems.append(FieldProblem("sql", explain(error.key, error.params, str(error))))
    if problems:
        raise InvalidInput(problems=problems)
    with transaction.atomic():
        saved = SavedQuery.objects.create(owner=actor, title=title.strip(), sql=text)
        audit.record_event(
            actor=actor, action="saved_query.created", obj=saved, after={"title": saved.title}
        )
    return saved
