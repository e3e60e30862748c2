"""Input and output of the catalogue's use cases (pages, API and CLI)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Schema

from infuse.datalab.models import Dataset, DatasetVersion, Indicator


class DatasetChangeIn(Schema):
    """What a person writes about a dataset: its catalogue entry (the publisher never changes)."""

    title_en: str
    title_cy: str
    description_en: str = ""
    description_cy: str = ""
    themes: list[str] = []  # theme codes
    goals: list[str] = []  # goal codes
    councils: list[str] = []  # GSS codes
    licence: str = "OGL-UK-3.0"
    update_frequency: str = "irregular"
    spatial_coverage_en: str = ""  # the area covered, in English and in Welsh
    spatial_coverage_cy: str = ""
    temporal_start: date | None = None
    temporal_end: date | None = None
    contact_email: str = ""
    visibility: str = "private"
    validation_policy: str = "reject"

    @classmethod
    def of(cls, dataset: Dataset) -> DatasetChangeIn:
        """The entry as stored, for an edit page to start from."""
        return cls(**_entry(dataset))


class DatasetIn(DatasetChangeIn):
    """A new catalogue entry, published by one of the actor's organisations."""

    publisher: str  # organisation slug


def texts(described: Dataset | Indicator) -> dict[str, str]:
    """The title and description in both languages, as people wrote them ("" where not)."""
    return {
        "title_en": described.title_en,
        "title_cy": described.title_cy or "",
        "description_en": described.description_en or "",
        "description_cy": described.description_cy or "",
    }


def _entry(dataset: Dataset) -> dict[str, Any]:
    return {
        **texts(dataset),
        "themes": [t.code for t in dataset.themes.all()],
        "goals": [g.code for g in dataset.goals.all()],
        "councils": [c.gss_code for c in dataset.councils.all()],
        "licence": dataset.licence,
        "update_frequency": dataset.update_frequency,
        "spatial_coverage_en": dataset.spatial_coverage_en or "",
        "spatial_coverage_cy": dataset.spatial_coverage_cy or "",
        "temporal_start": dataset.temporal_start,
        "temporal_end": dataset.temporal_end,
        "contact_email": dataset.contact_email,
        "visibility": dataset.visibility,
        "validation_policy": dataset.validation_policy,
    }


class CatalogueQuery(Schema):
    """A search of the catalogue: words, and the facets to narrow it by."""

    text: str = ""
    theme: str = ""
    goal: str = ""
    council: str = ""  # GSS code
    file_format: str = ""
    publisher: str = ""  # organisation slug


class VersionOut(Schema):
    number: int
    sha256: str
    row_count: int
    quarantined_rows: int
    created_at: datetime
    table_schema: dict


class DatasetOut(Schema):
    slug: str
    title_en: str
    title_cy: str
    description_en: str
    description_cy: str
    publisher: str
    visibility: str
    licence: str
    update_frequency: str
    themes: list[str]
    goals: list[str]
    councils: list[str]
    spatial_coverage_en: str
    spatial_coverage_cy: str
    temporal_start: date | None
    temporal_end: date | None
    contact_email: str
    validation_policy: str
    declared_schema: dict | None
    versions: list[VersionOut]

    @classmethod
    def of(cls, dataset: Dataset) -> DatasetOut:
        return cls(
            **_entry(dataset),
            slug=dataset.slug,
            publisher=dataset.publisher.slug,
            declared_schema=dataset.declared_schema,
            versions=[VersionOut.model_validate(v) for v in dataset.versions.all()],
        )


class VersionDetailOut(VersionOut):
    dataset: str
    profile: dict
    quarantine_available: bool

    @classmethod
    def of(cls, version: DatasetVersion) -> VersionDetailOut:
        return cls(
            dataset=version.dataset.slug,
            number=version.number,
            sha256=version.sha256,
            row_count=version.row_count,
            quarantined_rows=version.quarantined_rows,
            created_at=version.created_at,
            table_schema=version.table_schema,
            profile=version.profile,
            quarantine_available=bool(version.quarantine_path),
        )
