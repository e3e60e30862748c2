"""Input and output of the ingest's use cases (pages, API and CLI)."""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict

from infuse.core.bounds import Count
from infuse.datalab.models import DatasetUpload


class UploadIn(Schema):
    """How to read an uploaded file (the file itself comes alongside, as a stream of bytes)."""

    sheet: str = ""  # a spreadsheet's sheet: its name, or its 0-based position
    # Lines before the header (a StatsWales export's title and filters); None: found in the
    # file, and the upload's report says how many were skipped.
    skip_rows: Count | None = None
    header_rows: Count = 1  # rows that make up the column names
    # Keep a CSV file without converting it, so its reading can be checked first
    # (GET /uploads/{id}/preview) and changed before it is converted (POST …/convert).
    check_first: bool = False

    def read_options(self) -> dict[str, Any]:
        """The options that differ from the defaults, as the upload records them."""
        options: dict[str, Any] = {}
        if self.sheet:
            options["sheet"] = self.sheet
        if self.skip_rows != 0:
            options["skip_rows"] = self.skip_rows
        if self.header_rows != 1:
            options["header_rows"] = self.header_rows
        return options


class DetectionOut(Schema):
    """How a kept file will be read: what was found, the column names and the first rows."""

    skip_rows: int  # lines above the header, as it will be read
    found_skip_rows: int  # what the file's shape suggests
    header_rows: int
    header_line: int
    title_lines: list[str]
    columns: list[str]
    rows: list[list[str]]
    table_end_line: int | None
    unnamed: list[str]
    encoding: str
    delimiter: str


class SchemaIn(Schema):
    """The schema later uploads are checked against: a Table Schema, or null to clear it."""

    model_config = ConfigDict(populate_by_name=True)

    schema_: dict | None = Field(None, alias="schema")


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

    @classmethod
    def of(cls, upload: DatasetUpload) -> UploadOut:
        version = getattr(upload, "version", None)
        return cls(
            id=str(upload.pk),
            dataset=upload.dataset.slug,
            original_name=upload.original_name,
            sha256=upload.sha256,
            size_bytes=upload.size_bytes,
            status=upload.status,
            progress_id=str(upload.progress_id) if upload.progress_id else None,
            version=version.number if version else None,
            error_key=upload.error_key,
            error_message=upload.error_message,
            report=upload.report,
        )
