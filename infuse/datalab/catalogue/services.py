"""The catalogue's use cases: add and change datasets, and find what a person may see.

Every change takes the acting person first, checks permission, makes its change with its audit
event in one transaction, and raises ``infuse.core.errors`` types with field detail. The
lookups (``get_*``, ``visible_*``) are how the rest of the Data Lab and the other labs read
datasets, versions and indicators: the visibility rules live here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from infuse import analytics
from infuse.analytics.quoting import quote_literal
from infuse.core import audit, files, lazy
from infuse.core.errors import FieldProblem, InvalidInput, NotFound, PermissionDenied
from infuse.core.models import Council, Organisation, Person, Theme, WellbeingGoal
from infuse.core.permissions import can, data_organisations, is_region_member, memberships_of
from infuse.core.permissions import is_programme_admin as _is_programme_admin
from infuse.core.slugs import unique_slug
from infuse.datalab.catalogue import exports
from infuse.datalab.catalogue.schemas import CatalogueQuery, DatasetChangeIn, DatasetIn
from infuse.datalab.models import (
    Dataset,
    DatasetVersion,
    Indicator,
    Licence,
    UpdateFrequency,
    ValidationPolicy,
    Visibility,
)

if TYPE_CHECKING:
    import duckdb
else:
    duckdb = lazy.module("duckdb")

# The entry's own columns, as the person wrote them (the rest are relations or set here).
ENTRY_FIELDS = (
    "title_en",
    "title_cy",
    "description_en",
    "description_cy",
    "licence",
    "update_frequency",
    "spatial_coverage_en",
    "spatial_coverage_cy",
    "temporal_start",
    "temporal_end",
    "contact_email",
    "visibility",
    "validation_policy",
)


@dataclass(frozen=True)
class _Tags:
    """What an entry is tagged with, found in the reference data."""

    themes: list[Theme]
    goals: list[WellbeingGoal]
    councils: list[Council]


def title_problems(title_en: str, title_cy: str) -> list[FieldProblem]:
    """A title in both languages, each at most 200 characters (datasets and indicators)."""
    problems: list[FieldProblem] = []
    if not title_en.strip():
        problems.append(FieldProblem("title_en", _("Enter the title in English")))
    if not title_cy.strip():
        problems.append(FieldProblem("title_cy", _("Enter the title in Welsh")))
    for name, value in (("title_en", title_en), ("title_cy", title_cy)):
        if len(value) > 200:
            problems.append(FieldProblem(name, _("The title must be 200 characters or fewer")))
    return problems


def _choice_problems(entry: DatasetChangeIn) -> list[FieldProblem]:
    choices = (
        ("licence", Licence.values, _("Choose a licence")),
        ("update_frequency", UpdateFrequency.values, _("Choose how often the data is updated")),
        ("visibility", Visibility.values, _("Choose who can see the dataset")),
        ("validation_policy", ValidationPolicy.values, _("Choose what happens to invalid rows")),
    )
    problems = [
        FieldProblem(name, message)
        for name, allowed, message in choices
        if getattr(entry, name) not in allowed
    ]
    if entry.temporal_start and entry.temporal_end and entry.temporal_start > entry.temporal_end:
        problems.append(
            FieldProblem(
                "temporal_end", _("The end of the period covered must be on or after its start")
            )
        )
    if entry.visibility == Visibility.PUBLIC and entry.licence == Licence.RESTRICTED:
        problems.append(
            FieldProblem(
                "licence", _("A public dataset needs an open licence, not a restricted one")
            )
        )
    return problems


def _checked(entry: DatasetChangeIn) -> _Tags:
    """The entry's tags, once every field is checked; InvalidInput names each problem."""
    problems = title_problems(entry.title_en, entry.title_cy) + _choice_problems(entry)
    tags = _Tags(
        themes=list(Theme.objects.filter(code__in=entry.themes)),
        goals=list(WellbeingGoal.objects.filter(code__in=entry.goals)),
        councils=list(Council.objects.filter(gss_code__in=entry.councils)),
    )
    for name, found, given, message in (
        ("themes", tags.themes, entry.themes, _("Choose themes from the list")),
        ("goals", tags.goals, entry.goals, _("Choose well-being goals from the list")),
        ("councils", tags.councils, entry.councils, _("Choose councils from the list")),
    ):
        if len(found) != len(set(given)):
            problems.append(FieldProblem(name, message))
    if problems:
        raise InvalidInput(problems=problems)
    return tags


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


def _apply(dataset: Dataset, entry: DatasetChangeIn, tags: _Tags) -> None:
    """Write the entry on the dataset and save it with its tags."""
    for name in ENTRY_FIELDS:
        value = getattr(entry, name)
        setattr(dataset, name, value.strip() if isinstance(value, str) else value)
    dataset.save()
    dataset.themes.set(tags.themes)
    dataset.goals.set(tags.goals)
    dataset.councils.set(tags.councils)


def create_dataset(*, actor: Person, dataset_in: DatasetIn) -> Dataset:
    """Add a catalogue entry published by one of the actor's organisations."""
    if not can(actor, "datalab.add_dataset"):
        raise PermissionDenied()
    publisher = Organisation.objects.filter(slug=dataset_in.publisher).first()
    if publisher is None or publisher.pk not in data_organisations(actor):
        raise InvalidInput(
            problems=[FieldProblem("publisher", _("Choose an organisation you publish data for"))]
        )
    tags = _checked(dataset_in)
    with transaction.atomic():
        dataset = Dataset(
            publisher=publisher,
            created_by=actor,
            slug=unique_slug(Dataset, dataset_in.title_en, fallback="dataset"),
        )
        _apply(dataset, dataset_in, tags)
        audit.record_event(
            actor=actor, action="dataset.created", obj=dataset, after=_summary(dataset)
        )
    return dataset


def update_dataset(*, actor: Person, dataset: Dataset, dataset_in: DatasetChangeIn) -> Dataset:
    """Change a catalogue entry (the publisher stays; versions are untouched)."""
    if not can(actor, "datalab.change_dataset", dataset):
        raise PermissionDenied()
    tags = _checked(dataset_in)
    with transaction.atomic():
        dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
        before = _summary(dataset)
        dataset.updated_at = timezone.now()
        _apply(dataset, dataset_in, tags)
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


# --- Finding what a person may see -------------------------------------------------------------


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


def public_datasets() -> QuerySet[Dataset]:
    """Every public dataset, for the DCAT feed (the same for everyone)."""
    return (
        Dataset.objects.filter(visibility=Visibility.PUBLIC)
        .select_related("publisher")
        .prefetch_related("themes", "goals", "councils")
    )


def search_datasets(actor: Any, query: CatalogueQuery) -> QuerySet[Dataset]:
    """Visible datasets matching a text search and facet filters."""
    datasets = visible_datasets(actor)
    for word in query.text.strip().split()[:8]:
        datasets = datasets.filter(
            Q(title_en__icontains=word)
            | Q(title_cy__icontains=word)
            | Q(description_en__icontains=word)
            | Q(description_cy__icontains=word)
        )
    facets = {
        "themes__code": query.theme,
        "goals__code": query.goal,
        "councils__gss_code": query.council,
        "publisher__slug": query.publisher,
        "versions__upload__file_format": query.file_format,
    }
    for lookup, value in facets.items():
        if value:
            datasets = datasets.filter(**{lookup: value})
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
    connection = analytics.open_duckdb()
    try:
        location = quote_literal(files.resolve(version.parquet_path))
        connection.execute(f"CREATE VIEW data AS SELECT * FROM read_parquet({location})")  # noqa: S608
        yield connection
    finally:
        connection.close()


def shaped_rows(
    version: DatasetVersion, columns: Sequence[str], *, batch_rows: int = 20_000
) -> Iterator[list[dict[str, Any]]]:
    """The version's rows as its recipe shapes them (the table indicators read), only
    ``columns``, in file order, in batches: for other labs that read a dataset as their own
    records (payments), never holding the whole file in memory."""
    con = analytics.connect("duckdb")
    try:
        table = analytics.apply_recipe(
            analytics.read_parquet(con, files.resolve(version.parquet_path)),
            version.recipe_steps,
        )
        for batch in table.select(*columns).to_pyarrow_batches(chunk_size=batch_rows):
            yield batch.to_pylist()
    finally:
        con.disconnect()


def visible_indicators(actor: Any, *, dataset: str = "") -> QuerySet[Indicator]:
    """Indicators over every dataset ``actor`` may see, optionally of one dataset."""
    indicators = Indicator.objects.filter(dataset__in=visible_datasets(actor)).select_related(
        "dataset"
    )
    if dataset:
        indicators = indicators.filter(dataset__slug=dataset)
    return indicators.order_by("slug")


def get_indicator(*, actor: Any, slug: str) -> Indicator:
    """An indicator over a dataset the actor may see; NotFound otherwise."""
    indicator = Indicator.objects.select_related("dataset").filter(slug=slug).first()
    if indicator is None or not can(actor, "datalab.view_dataset", indicator.dataset):
        raise NotFound()
    return indicator


# --- Downloads ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Download:
    """A file to send: its open handle (nothing left on disk once closed), name and type."""

    handle: BinaryIO
    filename: str
    content_type: str


def download(path: Path, file_format: str, filename: str) -> Download:
    """``path`` (a Parquet file) in ``file_format``; NotFound for a format not offered."""
    if file_format not in exports.FORMATS:
        raise NotFound()
    return Download(
        exports.open_export(path, file_format),
        f"{filename}.{file_format}",
        exports.FORMATS[file_format],
    )


def download_version(*, actor: Any, dataset: Dataset, number: int, file_format: str) -> Download:
    """A version as CSV, XLSX, JSON or Parquet (text cells made safe for spreadsheets)."""
    version = get_version(actor=actor, dataset=dataset, number=number)
    return download(
        files.resolve(version.parquet_path), file_format, f"{dataset.slug}-v{version.number}"
    )


def version_datapackage(
    *, actor: Any, dataset: Dataset, number: int, base_url: str
) -> dict[str, Any]:
    """The version's Frictionless Data Package, its resources at ``base_url``."""
    version = get_version(actor=actor, dataset=dataset, number=number)
    return exports.datapackage(dataset=dataset, version=version, base_url=base_url)


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


def download_quarantine(*, actor: Any, dataset: Dataset, number: int, file_format: str) -> Download:
    """The quarantined rows (with their row numbers and problems) as CSV, XLSX, JSON or
    Parquet, for the publisher's data people."""
    path = get_quarantine(actor=actor, dataset=dataset, number=number)
    return download(path, file_format, f"{dataset.slug}-v{number}-quarantined")
