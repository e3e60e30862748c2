# ruff: noqa: S608 - SQL is assembled from quoted identifiers and escaped literals only.
"""Detect and open uploaded tabular files safely, ready for DuckDB to stream.

An upload can be CSV (any common encoding, any of the usual delimiters), XLSX, Parquet, JSON (an
array of objects) or NDJSON. This module answers "what is this file and how do we read it" and
turns it into a :class:`PreparedSource`: a DuckDB table expression over a UTF-8 file (or the
original Parquet/JSON), the cleaned column names and the warnings met on the way. Type inference
and writing Parquet live in :mod:`infuse.datalab.ingest.convert`.

Why the steps are as they are:

* DuckDB reads UTF-8 CSV fast and in parallel, so UTF-8 files go to it untouched. Anything else
  (Windows-1252 with £, Latin-1, UTF-16) is transcoded to UTF-8 in a streaming pass first, since
  DuckDB cannot decode those itself. Council files are often UTF-8 with a stray Windows-1252 byte
  far from the start (Leeds and Bradford spend files have a lone 0x96 en dash); the sample then
  looks like UTF-8, DuckDB reports the bad line, and the caller retries with
  ``force_transcode=True``, which decodes UTF-8 and falls back to Windows-1252 byte by byte.
* The header is parsed here (not by DuckDB) so that preamble lines, multi-row headers (StatsWales
  exports) and blank or duplicated names are handled in one place with warnings.
* XLSX files are zip archives; the zip directory is checked for a decompression bomb before
  openpyxl sees the file, and the sheet is streamed (read-only mode) into a UTF-8 CSV.
* File names are never used to find files (the caller stores by content hash);
  :func:`safe_display_name` only makes a name fit to show.

Every error a person can cause raises :class:`IngestError` with a stable message key.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable
from pathlib import Path

from infuse.analytics.quoting import quote_literal
from infuse.datalab.ingest.csv_files import (
    preamble_line_count,
    prepare_csv,
    sample_lines,
    sniff_delimiter,
    text_encoding,
)
from infuse.datalab.ingest.encodings import detect_encoding
from infuse.datalab.ingest.sources import (
    IngestError,
    PreparedSource,
    ReadOptions,
    SourceFormat,
    clean_column_names,
)
from infuse.datalab.ingest.xlsx_files import prepare_xlsx


def detect_format(path: Path) -> SourceFormat:
    """Tell the format from the content (never the file name): zip → XLSX, ``PAR1`` → Parquet,
    ``[`` → JSON array, ``{`` → NDJSON, anything else → CSV."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"PAR1"):
        return "parquet"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"["):
        return "json"
    if text.startswith(b"{"):
        return "ndjson"
    return "csv"


def suggest_read_options(path: Path) -> ReadOptions:
    """Options to offer a person before they convert: format, encoding, delimiter and how many
    preamble lines to skip.

    The preamble guess is :func:`~infuse.datalab.ingest.csv_files.preamble_line_count`, as an
    upload that leaves ``skip_rows`` to be found uses it (and then says what it skipped).
    """
    fmt = detect_format(path)
    if fmt != "csv":
        return ReadOptions(format=fmt)
    encoding = detect_encoding(path)
    lines = sample_lines(path, text_encoding(encoding), 200)
    delimiter = sniff_delimiter(lines)
    skip = preamble_line_count(lines, delimiter, '"')
    return ReadOptions(format="csv", encoding=encoding, delimiter=delimiter, skip_rows=skip)


def prepare_typed(
    path: Path, fmt: SourceFormat, describe: Callable[[str], list[tuple[str, str]]]
) -> PreparedSource:
    """Parquet, JSON or NDJSON: DuckDB reads the types; text columns are still inferred later.

    ``describe`` runs ``DESCRIBE`` on a relation and returns (name, type) pairs; it is passed in
    so that this module needs no connection of its own.
    """
    if path.stat().st_size == 0:
        raise IngestError("ingest.empty-file", "The file is empty.")
    location = quote_literal(path)
    if fmt == "parquet":
        relation = f"read_parquet({location})"
    elif fmt == "json":
        relation = f"read_json({location}, format='array', sample_size=-1)"
    else:
        relation = f"read_json({location}, format='newline_delimited', sample_size=-1)"
    try:
        described = describe(relation)
    except Exception as error:  # DuckDB raises several classes for malformed input
        key = "ingest.invalid-parquet" if fmt == "parquet" else "ingest.invalid-json"
        raise IngestError(
            key, f"The file could not be read as {fmt}: {error}", detail=str(error)
        ) from error
    if not described:
        raise IngestError("ingest.empty-file", "The file has no columns.")
    raw = [name for name, _ in described]
    names, warnings = clean_column_names(raw)
    columns = [f"c{index}" for index in range(len(raw))]
    selection = ", ".join(
        f'"{original.replace(chr(34), chr(34) * 2)}" AS {column}'
        for original, column in zip(raw, columns, strict=True)
    )
    all_text = all(kind == "VARCHAR" for _, kind in described)
    return PreparedSource(
        format=fmt,
        relation=f"(SELECT {selection} FROM {relation})",
        columns=columns,
        names=names,
        varchar=all_text,
        warnings=warnings,
    )


def prepare_source(
    path: Path,
    work_dir: Path,
    options: ReadOptions,
    *,
    describe: Callable[[str], list[tuple[str, str]]],
    force_transcode: bool = False,
    progress: Callable[[int, int | None], None] | None = None,
) -> PreparedSource:
    """Detect the format (unless given) and prepare the file for DuckDB."""
    if not path.is_file():
        raise IngestError("ingest.file-missing", "The uploaded file is missing.")
    if path.stat().st_size == 0:
        raise IngestError("ingest.empty-file", "The file is empty.")
    fmt = options.format or detect_format(path)
    if fmt in ("json", "ndjson") and options.format is None:
        # A CSV may begin with "[" or "{" (a header like "[Ref],Amount"): if it does not read
        # as JSON, read it as CSV.
        try:
            return prepare_typed(path, fmt, describe)
        except IngestError as error:
            with path.open("rb") as handle:
                head = handle.read(256).lstrip(b"\xef\xbb\xbf \t\r\n")
            if error.key != "ingest.invalid-json" or re.match(rb'(\[\s*(\{|\]|$)|\{\s*")', head):
                raise  # it starts like JSON: a broken JSON file, not a CSV
            fmt = "csv"
    if fmt == "csv":
        return prepare_csv(
            path, work_dir, options, force_transcode=force_transcode, progress=progress
        )
    if fmt == "xlsx":
        return prepare_xlsx(path, work_dir, options, progress=progress)
    if fmt in ("parquet", "json", "ndjson"):
        return prepare_typed(path, fmt, describe)
    raise IngestError("ingest.unknown-format", f"Unknown format {fmt!r}.", format=fmt)


def remove_temporaries(prepared: PreparedSource) -> None:
    for temporary in prepared.temporaries:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
