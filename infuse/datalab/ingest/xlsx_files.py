"""XLSX uploads: the zip directory is checked for a decompression bomb before openpyxl sees the
file, then the chosen sheet is streamed (read-only mode) into a UTF-8 CSV and read as CSV.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import datetime as dt
import itertools
import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from infuse.datalab.ingest.csv_files import TITLE_LINE_CHARACTERS, TITLE_LINES, prepare_csv
from infuse.datalab.ingest.sources import IngestError, PreparedSource, ReadOptions


def check_zip_safety(
    path: Path, *, max_uncompressed_bytes: int, max_compression_ratio: float
) -> None:
    """Refuse a zip (XLSX) whose directory promises a decompression bomb, before any inflating.

    Checks the sum of declared uncompressed sizes and each large member's compression ratio
    (ordinary spreadsheets inflate 5-30×; a sheet of one repeated cell inflates ~1000×).
    The declared sizes cannot be used to lie past this check: Python's ``zipfile`` (which
    openpyxl reads through) stops each member at its declared size.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile as error:
        raise IngestError(
            "ingest.invalid-xlsx", "The file is not a valid XLSX workbook."
        ) from error
    if len(members) > 10_000:
        raise IngestError(
            "ingest.xlsx-too-many-parts", "The workbook has too many parts.", count=len(members)
        )
    total = sum(member.file_size for member in members)
    if total > max_uncompressed_bytes:
        raise IngestError(
            "ingest.xlsx-too-large",
            f"The workbook would expand to {total} bytes (limit {max_uncompressed_bytes}).",
            size=total,
            limit=max_uncompressed_bytes,
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > 1024 * 1024 and ratio > max_compression_ratio:
            raise IngestError(
                "ingest.xlsx-compression-ratio",
                f"Part {member.filename!r} expands {ratio:.0f} times; this looks like a zip bomb.",
                part=member.filename,
                ratio=round(ratio),
                limit=max_compression_ratio,
            )


@contextlib.contextmanager
def _workbook(path: Path) -> Iterator[Any]:
    """The workbook, read-only, opened from a file handle: uploads are stored by their hash,
    without a name ending, and openpyxl refuses a file name not ending in .xlsx."""
    import openpyxl  # heavy, and only spreadsheet uploads need it

    with path.open("rb") as handle:
        workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        try:
            yield workbook
        finally:
            workbook.close()


def xlsx_sheet_names(path: Path) -> list[str]:
    """Names of the workbook's sheets, in order (after the zip-bomb check)."""
    check_zip_safety(
        path,
        max_uncompressed_bytes=ReadOptions.max_uncompressed_bytes,
        max_compression_ratio=ReadOptions.max_compression_ratio,
    )
    with _workbook(path) as workbook:
        return list(workbook.sheetnames)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


def _xlsx_rows(path: Path, options: ReadOptions) -> Iterator[list[str]]:
    with _workbook(path) as workbook:
        sheets = list(workbook.sheetnames)
        sheet = options.sheet if options.sheet is not None else 0
        if isinstance(sheet, int):
            if not 0 <= sheet < len(sheets):
                raise IngestError(
                    "ingest.sheet-not-found",
                    f"The workbook has no sheet {sheet}.",
                    sheet=sheet,
                    sheets=sheets,
                )
            name = sheets[sheet]
        elif sheet in sheets:
            name = sheet
        else:
            raise IngestError(
                "ingest.sheet-not-found",
                f"The workbook has no sheet {sheet!r}.",
                sheet=sheet,
                sheets=sheets,
            )
        for row in workbook[name].iter_rows(values_only=True):
            yield [_cell_text(value) for value in row]


def prepare_xlsx(
    path: Path,
    work_dir: Path,
    options: ReadOptions,
    *,
    progress: Callable[[int, int | None], None] | None = None,
) -> PreparedSource:
    """Check the zip directory, stream the chosen sheet to a UTF-8 CSV, then read it as CSV."""
    dest = sheet_as_csv(path, work_dir / "sheet.csv", options, progress=progress)
    csv_options = dataclasses.replace(options, encoding="utf-8", delimiter=",", quote='"')
    prepared = prepare_csv(dest, work_dir, csv_options, fmt="xlsx")
    prepared.temporaries.append(dest)
    prepared.title_lines = (prepared.title_lines + other_sheets_lines(path, options))[:TITLE_LINES]
    return prepared


def sheet_as_csv(
    path: Path,
    dest: Path,
    options: ReadOptions,
    *,
    progress: Callable[[int, int | None], None] | None = None,
    rows: int | None = None,
) -> Path:
    """The chosen sheet (its first ``rows`` rows, or all) as a UTF-8 CSV file at ``dest``,
    after the zip directory's check; for the conversion, and for the check before it."""
    check_zip_safety(
        path,
        max_uncompressed_bytes=options.max_uncompressed_bytes,
        max_compression_ratio=options.max_compression_ratio,
    )
    try:
        with dest.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            for number, row in enumerate(itertools.islice(_xlsx_rows(path, options), rows), 1):
                while row and row[-1] == "":
                    row.pop()
                writer.writerow(row)
                if progress is not None and number % 10_000 == 0:
                    progress(number, None)
    except (zipfile.BadZipFile, KeyError, OSError) as error:
        raise IngestError(
            "ingest.invalid-xlsx", "The file is not a valid XLSX workbook."
        ) from error
    if dest.stat().st_size == 0:
        raise IngestError("ingest.empty-file", "The sheet is empty.")
    return dest


_TAG = re.compile(r"<[^>]*>?")


def other_sheets_lines(path: Path, options: ReadOptions) -> list[str]:
    """The text of the workbook's other sheets, as title lines: StatsWales puts a table's
    title, filters and year on a "Metadata" sheet ("Academic Year" beside "2009/10" becomes
    "Academic Year: 2009/10", so a recipe can take the year from it). Markup is dropped."""
    lines: list[str] = []
    with _workbook(path) as workbook:
        names = list(workbook.sheetnames)
        chosen = options.sheet if options.sheet is not None else 0
        chosen_name = names[chosen] if isinstance(chosen, int) and chosen < len(names) else chosen
        for name in names:
            if name == chosen_name:
                continue
            for row in itertools.islice(workbook[name].iter_rows(values_only=True), 60):
                cells = [
                    " ".join(_TAG.sub(" ", _cell_text(value)).split())
                    for value in row
                    if value is not None
                ]
                cells = [cell for cell in cells if cell]
                if not cells:
                    continue
                text = f"{cells[0]}: {cells[1]}" if len(cells) == 2 else " ".join(cells)
                lines.append(text[:TITLE_LINE_CHARACTERS])
    return lines
