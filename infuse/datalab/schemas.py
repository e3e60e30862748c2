"""API schemas of the Data Lab catalogue."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema


class DatasetIn(Schema):
    title_en: str
    title_cy: str
    publisher: str  # organisation slug
    description_en: str = ""
    description_cy: str = ""
    themes: list[str] = []
    goals: list[str] = []
    councils: list[str] = []
    licence: str = "OGL-UK-3.0"
    update_frequency: str = "irregular"
    spatial_coverage: str = ""
    temporal_start: date | None = None
    temporal_end: date | None = None
    contact_email: str = ""
    visibility: str = "private"
    validation_policy: str = "reject"


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
    spatial_coverage: str
    temporal_start: date | None
    temporal_end: date | None
    contact_email: str
    validation_policy: str
    declared_schema: dict | None
    versions: list[VersionOut]


class UploadOut(Schema):
    id: str
    dataset: str
    original_name: str
    sha256: str
    size_bytes: int
    status: str
    progress_id: str | None
    version: int | None
    error_key: str
    error_message: str
    report: dict


class IndicatorOut(Schema):
    slug: str
    dataset: str
    title_en: str
    title_cy: str
    description_en: str
    description_cy: str
    unit: str
    polarity: str
    themes: list[str]
    goals: list[str]
    specification: dict


class IndicatorValueOut(Schema):
    id: int | None = None  # for people who may set flags; absent from public responses
    period: str
    area_code: str
    area: str
    area_cy: str
    numerator: float | None
    denominator: float | None
    value: float | None
    ci_low: float | None
    ci_high: float | None
    comparison: str
    flag: str


class IndicatorValuesOut(Schema):
    indicator: str
    disclosure_control: str  # "suppression", "rounding" or "none" (people in the region)
    values: list[IndicatorValueOut]


class VersionDetailOut(VersionOut):
    dataset: str
    profile: dict
    quarantine_available: bool


class SchemaIn(Schema):
    schema_: dict | None = Field(None, alias="schema")  # a Table Schema; null clears it


class QueryIn(Schema):
    sql: str


class QueryOut(Schema):
    columns: list[str]
    rows: list[list]
    truncated: bool
    seconds: float


class IndicatorIn(Schema):
    title_en: str
    title_cy: str
    specification: dict
    description_en: str = ""
    description_cy: str = ""
    themes: list[str] = []
    goals: list[str] = []


class IndicatorCreatedOut(IndicatorOut):
    progress_id: str | None


class FlagIn(Schema):
    flag: str  # "" clears it


class FlaggedValueOut(Schema):
    id: int
    period: str
    area_code: str
    flag: str
