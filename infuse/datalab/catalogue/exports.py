# ruff: noqa: S608 - SQL is built from quoted identifiers only.
"""Open exports of a dataset version: CSV, XLSX, JSON and Parquet, with a datapackage.json.

Spreadsheet-bound formats neutralise formula injection: a text cell that starts with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return gets a leading apostrophe, so a spreadsheet
shows it as text instead of running it (OWASP "CSV injection"). Numbers are left as numbers.
Exports are written by DuckDB straight from the Parquet file, so memory stays flat however
large the version is.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from infuse import analytics
from infuse.analytics.quoting import quote_identifier, quote_literal
from infuse.core import lazy
from infuse.datalab.models import LICENCE_URLS

if TYPE_CHECKING:
    import duckdb
else:
    duckdb = lazy.module("duckdb")

if TYPE_CHECKING:
    import pandas as pd

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
}
DANGEROUS_START = r"^[=+\-@\t\r]"
XLSX_MAX_ROWS = 1_048_575  # the sheet's limit, less the header


def _nested(type_name: str) -> bool:
    return type_name.endswith("[]") or type_name.startswith(("STRUCT", "MAP", "UNION"))


def safe_select(connection: duckdb.DuckDBPyConnection, parquet: Path, *, flat: bool = False) -> str:
    """A SELECT over the Parquet file with every text column neutralised.

    ``flat`` writes nested columns (lists, structs, such as a quarantine file's problems) as
    JSON text, for the formats that hold only plain cells (CSV, XLSX).
    """
    described = connection.execute(
        "DESCRIBE SELECT * FROM read_parquet(?)", [str(parquet)]
    ).fetchall()
    columns = []
    for name, type_name, *_ in described:
        column = quote_identifier(str(name))
        if flat and _nested(str(type_name).upper()):
            columns.append(f"to_json({column})::VARCHAR AS {column}")
        elif str(type_name).upper().startswith("VARCHAR"):
            columns.append(
                f"CASE WHEN regexp_matches({column}, '{DANGEROUS_START}') "
                f"THEN '''' || {column} ELSE {column} END AS {column}"
            )
        else:
            columns.append(column)
    return f"SELECT {', '.join(columns)} FROM read_parquet({quote_literal(parquet)})"


def export(parquet: Path, file_format: str, directory: Path) -> Path:
    """Write the version in ``file_format`` into ``directory``; returns the file written."""
    if file_format not in FORMATS:
        raise ValueError(f"Unknown export format {file_format!r}")
    target = directory / f"export.{file_format}"
    if file_format == "parquet":
        return parquet
    connection = analytics.open_duckdb()
    try:
        select = safe_select(connection, parquet, flat=file_format in ("csv", "xlsx"))
        destination = quote_literal(target)
        if file_format == "csv":
            connection.execute(f"COPY ({select}) TO {destination} (HEADER, DELIMITER ',')")
        elif file_format == "json":
            connection.execute(f"COPY ({select}) TO {destination} (FORMAT JSON, ARRAY true)")
        else:
            _write_xlsx(connection, select, target)
    finally:
        connection.close()
    return target


def _write_xlsx(connection: duckdb.DuckDBPyConnection, select: str, target: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("data")
    cursor = connection.execute(f"{select} LIMIT {XLSX_MAX_ROWS}")
    sheet.append([column[0] for column in cursor.description or []])
    while rows := cursor.fetchmany(10_000):
        for row in rows:
            sheet.append(list(row))
    workbook.save(target)


def open_export(parquet: Path, file_format: str) -> BinaryIO:
    """An open file of the export, already unlinked: nothing is left on disk once it closes."""
    if file_format == "parquet":
        return parquet.open("rb")  # the stored, immutable file itself
    with tempfile.TemporaryDirectory(prefix="infuse-export-") as directory:
        path = export(parquet, file_format, Path(directory))
        return path.open("rb")  # still readable after the directory is removed (POSIX)


def export_frame(frame: pd.DataFrame, file_format: str) -> bytes:
    """A small table (an indicator's values) in ``file_format``, neutralised like a version."""
    if file_format not in FORMATS:
        raise ValueError(f"Unknown export format {file_format!r}")
    with tempfile.TemporaryDirectory(prefix="infuse-export-") as directory:
        parquet = Path(directory) / "table.parquet"
        frame.to_parquet(parquet, index=False)
        return export(parquet, file_format, Path(directory)).read_bytes()


def datapackage(*, dataset: Any, version: Any, base_url: str) -> dict[str, Any]:
    """A Frictionless Data Package describing the version and where each format lives."""
    page = f"{base_url}/data/datasets/{dataset.slug}/versions/{version.number}/"
    licence = LICENCE_URLS.get(dataset.licence)
    return {
        "profile": "tabular-data-package",
        "name": f"{dataset.slug}-v{version.number}",
        "title": dataset.title_en,
        "description": dataset.description_en or "",
        "homepage": page,
        "version": str(version.number),
        "created": version.created_at.isoformat(),
        "licenses": [{"name": dataset.licence, "path": licence}] if licence else [],
        "contributors": [{"title": dataset.publisher.name_en, "role": "publisher"}],
        "resources": [
            {
                "name": f"{dataset.slug}-{file_format}",
                "path": f"{page}download.{file_format}",
                "format": file_format,
                "mediatype": media,
                **(
                    {"profile": "tabular-data-resource", "schema": version.table_schema}
                    if file_format in {"csv", "json"}
                    else {}
                ),
            }
            for file_format, media in FORMATS.items()
        ],
        # How the version is shaped before indicators are computed on it (README, "Recipes"):
        # the steps as stored, the lines above the table they may read, the columns they make.
        "infuse:recipe": {
            "steps": list(version.recipe),
            "title_lines": list(version.title_lines),
            "fields": list(version.shaped.get("fields", [])) if version.recipe else [],
        },
    }
