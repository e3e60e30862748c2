"""CSV uploads: the dialect, the header (preamble lines, multi-row headers, blank names) and the
table's end, parsed here rather than by DuckDB so every case is handled in one place with
warnings; the result is a :class:`~infuse.datalab.ingest.sources.PreparedSource` DuckDB scans.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import io
import re
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from infuse.analytics.quoting import quote_literal
from infuse.datalab.ingest.encodings import detect_encoding, transcode_to_utf8
from infuse.datalab.ingest.sources import (
    SAMPLE_BYTES,
    TEXT_SAMPLE_CHARACTERS,
    IngestError,
    IngestWarning,
    PreparedSource,
    ReadOptions,
    SourceFormat,
    clean_column_names,
    ends_at_blank_row,
)

if TYPE_CHECKING:
    from _csv import Reader  # what csv.reader returns (named so in the type stubs only)

_CANDIDATE_DELIMITERS = (",", ";", "\t", "|")


def _text_sample(path: Path, encoding: str) -> str:
    """The start of the file as text, bounded: one enormous line cannot exhaust memory."""
    with path.open("r", encoding=encoding, errors="replace", newline="") as handle:
        return handle.read(TEXT_SAMPLE_CHARACTERS)


def sample_lines(path: Path, encoding: str, count: int) -> list[str]:
    """The first ``count`` lines, ends kept. Split at line feeds only (a CRLF line keeps its
    CR), so a carriage return inside a quoted field does not cut a record in two; a file that
    uses bare carriage returns throughout (old Mac files) is split at those."""
    text = _text_sample(path, encoding)
    end = "\n" if "\n" in text or "\r" not in text else "\r"
    pieces = text.split(end)
    lines = [piece + end for piece in pieces[:-1]]
    if pieces[-1]:
        lines.append(pieces[-1])
    return lines[:count]


def _sample_reader(lines: Sequence[str], delimiter: str, quote: str) -> Reader:
    """The sample's lines read as CSV records (``reader.line_num`` counts the lines taken)."""
    return csv.reader(io.StringIO("".join(lines), newline=""), delimiter=delimiter, quotechar=quote)


def sniff_delimiter(lines: Sequence[str], quote: str = '"') -> str:
    """The candidate delimiter that splits most sample records into the same number (>1) of
    fields; ties go to the comma. Simpler and steadier than ``csv.Sniffer`` on files with
    preambles."""
    best, best_score = ",", (0, 0)
    for delimiter in _CANDIDATE_DELIMITERS:
        try:
            counts = [len(row) for row in _sample_reader(lines, delimiter, quote) if row]
        except csv.Error:  # e.g. a quoted line break met while splitting at the wrong character
            continue
        if not counts:
            continue
        width, frequency = Counter(counts).most_common(1)[0]
        score = (frequency if width > 1 else 0, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _above_a_table(record: Sequence[str]) -> bool:
    """A line a publisher puts above a table: blank, or words in the first cell alone (a
    breadcrumb, a title, "Filters:", "Year: 2023"). A one-word first cell ("id") is a header
    with blank names, not a preamble."""
    filled = [index for index, cell in enumerate(record) if cell.strip()]
    if not filled:
        return True
    text = record[0].strip()
    return filled == [0] and (any(c.isspace() for c in text) or ":" in text)


def preamble_lines(records: Sequence[Sequence[str]]) -> int:
    """How many records come before the header: the header is the first of the first 50 with
    at least half of the table's width filled, when every record above it is a line above a
    table (StatsWales exports put a breadcrumb, a title and filters there, one cell each). 0
    when there is no such header, or something else stands above it (the table starts at once).
    """
    width = max((len(record) for record in records), default=0)
    for index, record in enumerate(records[:50]):
        if sum(1 for cell in record if cell.strip()) >= max(2, (width + 1) // 2):
            return index
        if not _above_a_table(record):
            return 0
    return 0


def sample_records(lines: Sequence[str], delimiter: str, quote: str) -> list[list[str]]:
    try:
        return list(_sample_reader(lines, delimiter, quote))
    except csv.Error:
        return []


def lines_of_records(lines: Sequence[str], records: int, delimiter: str, quote: str) -> int:
    """How many lines of the file the first ``records`` records take (a quoted title may hold
    a line break): preamble rows are skipped by line."""
    reader = _sample_reader(lines, delimiter, quote)
    for _ in range(records):
        next(reader, None)
    return reader.line_num


def known_encoding(path: Path, options: ReadOptions) -> str:
    """The encoding given, or found in the file; refused when Python does not know it."""
    encoding = options.encoding or detect_encoding(path)
    try:
        codecs.lookup(encoding)
    except LookupError as error:
        raise IngestError(
            "ingest.unknown-encoding",
            f"{encoding!r} is not an encoding we know.",
            encoding=encoding,
        ) from error
    return encoding


def text_encoding(encoding: str) -> str:
    """The encoding to read a file's text with: UTF-8 drops a byte-order mark."""
    return "utf-8-sig" if encoding in ("utf-8", "utf-8-sig") else encoding


def preamble_line_count(lines: Sequence[str], delimiter: str, quote: str) -> int:
    """How many lines of ``lines`` stand above the table (:func:`preamble_lines`, counted in
    lines: a quoted title may hold a line break)."""
    records = preamble_lines(sample_records(lines, delimiter, quote))
    return lines_of_records(lines, records, delimiter, quote) if records else 0


def _with_preamble_found(
    readable: Path, text_encoding: str, options: ReadOptions, warnings: list[IngestWarning]
) -> ReadOptions:
    """``options`` with the preamble the file has (when it was left to be found), said. Only
    above a one-row header: the top row of a header of several has few cells filled."""
    if options.skip_rows is not None:
        return options
    if options.header_rows != 1:
        return dataclasses.replace(options, skip_rows=0)
    lines = sample_lines(readable, text_encoding, 200)
    delimiter = options.delimiter or sniff_delimiter(lines, options.quote)
    skip = preamble_line_count(lines, delimiter, options.quote)
    if skip:
        warnings.append(
            IngestWarning(
                "ingest.preamble-skipped",
                f"The first {skip} lines, above the table, were skipped; the column names come "
                f"from line {skip + 1}.",
                {"count": skip, "header_line": skip + 1},
            )
        )
    return dataclasses.replace(options, skip_rows=skip)


def _read_header(
    path: Path, encoding: str, delimiter: str, quote: str, options: ReadOptions
) -> tuple[list[list[str]], bool]:
    """The header records after the preamble, and whether any non-blank data record follows
    (within the bounded text sample)."""
    with io.StringIO(_text_sample(path, encoding), newline="") as handle:
        for _ in range(options.lines_skipped):
            if not handle.readline():
                break
        reader = csv.reader(handle, delimiter=delimiter, quotechar=quote)
        header: list[list[str]] = []
        for row in reader:
            header.append(row)
            if len(header) == options.header_rows:
                break
        has_data = False
        for row in reader:
            if any(cell.strip() for cell in row):
                has_data = True
                break
            if ends_at_blank_row(options):
                break
    return header, has_data


def _modal_data_width(lines: Sequence[str], delimiter: str, quote: str) -> int:
    """The most common number of fields among the sample's data records (0 if none)."""
    counts = Counter(
        len(row) for row in _sample_reader(lines, delimiter, quote) if any(c.strip() for c in row)
    )
    return counts.most_common(1)[0][0] if counts else 0


def join_header_rows(rows: Sequence[Sequence[str]]) -> list[str]:
    width = max((len(row) for row in rows), default=0)
    joined = []
    for index in range(width):
        parts = [row[index] for row in rows if index < len(row) and row[index].strip()]
        # Only the joint is normalised here; clean_column_names trims (and says so).
        joined.append(parts[0] if len(parts) == 1 else " ".join(part.strip() for part in parts))
    return joined


def _copy_until_blank_row(
    source: Path, dest: Path, encoding: str, delimiter: str, quote: str, options: ReadOptions
) -> tuple[int, int]:
    """Copy preamble, header and data up to (not including) the first blank data row.

    Returns the line of that blank row (0 if none) and how many non-blank records follow it.
    """
    errors = "infuse_utf8_cp1252" if encoding in ("utf-8", "utf-8-sig") else "strict"
    with (
        source.open("r", encoding=encoding, errors=errors, newline="") as reader,
        dest.open("w", encoding="utf-8", newline="") as writer,
    ):
        for _ in range(options.lines_skipped):
            # The skipped lines are kept as blank lines, so line numbers stay the file's: ending
            # as its rows do ("\n": DuckDB reads one kind of line end per file, and a preamble
            # kept with Excel's CRLF made it read the rows as one line), and without their text
            # (a quoted title holding a line break made DuckDB skip one record too many).
            if reader.readline():
                writer.write("\n")
        rows = csv.reader(reader, delimiter=delimiter, quotechar=quote)
        out = csv.writer(writer, delimiter=delimiter, quotechar=quote, lineterminator="\n")
        for number, row in enumerate(rows):
            if number >= options.header_rows and not any(cell.strip() for cell in row):
                blank_line = options.lines_skipped + rows.line_num
                dropped = sum(1 for rest in rows if any(cell.strip() for cell in rest))
                return blank_line, dropped
            out.writerow(row)
    return 0, 0


def _copy_head(source: Path, dest: Path, lines: int) -> None:
    """Copy the first ``lines`` lines of ``source`` byte for byte."""
    with source.open("rb") as reader, dest.open("wb") as writer:
        remaining = lines
        while remaining > 0 and (block := reader.read(1024 * 1024)):
            count = block.count(b"\n")
            if count >= remaining:
                cut = -1
                for _ in range(remaining):
                    cut = block.index(b"\n", cut + 1)
                writer.write(block[: cut + 1])
                return
            writer.write(block)
            remaining -= count


def prepare_csv(
    path: Path,
    work_dir: Path,
    options: ReadOptions,
    *,
    force_transcode: bool = False,
    progress: Callable[[int, int | None], None] | None = None,
    fmt: SourceFormat = "csv",
) -> PreparedSource:
    """Check a CSV upload, fix its encoding if DuckDB cannot read it, and parse its header."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        head = handle.read(SAMPLE_BYTES)
    if size == 0 or not head.lstrip(b"\xef\xbb\xbf \t\r\n"):
        raise IngestError("ingest.empty-file", "The file is empty.")
    encoding = known_encoding(path, options)
    warnings: list[IngestWarning] = []
    temporaries: list[Path] = []
    readable = path
    if force_transcode or codecs.lookup(encoding).name not in ("utf-8", "utf-8-sig"):
        readable = work_dir / "source-utf8.csv"
        temporaries.append(readable)
        replaced = transcode_to_utf8(path, readable, encoding, progress=progress)
        if replaced:
            warnings.append(
                IngestWarning(
                    "ingest.mixed-encoding",
                    f"{replaced} bytes were not UTF-8 and were read as Windows-1252.",
                    {"count": replaced},
                )
            )
        if codecs.lookup(encoding).name not in ("utf-8", "utf-8-sig"):
            warnings.append(
                IngestWarning(
                    "ingest.encoding-converted",
                    f"The file was read as {encoding} and converted to UTF-8.",
                    {"encoding": encoding},
                )
            )
        encoding = "utf-8"
    reading = text_encoding(encoding)
    options = _with_preamble_found(readable, reading, options, warnings)
    try:
        return _prepare_csv_text(
            work_dir, options, readable, reading, encoding, warnings, temporaries, fmt
        )
    except csv.Error as error:
        raise IngestError(
            "ingest.unreadable", f"The file could not be read as CSV: {error}", detail=str(error)
        ) from error


def _prepare_csv_text(
    work_dir: Path,
    options: ReadOptions,
    readable: Path,
    text_encoding: str,
    encoding: str,
    warnings: list[IngestWarning],
    temporaries: list[Path],
    fmt: SourceFormat,
) -> PreparedSource:
    lines = sample_lines(readable, text_encoding, options.lines_skipped + 200)
    skip_sample = lines[options.lines_skipped :]
    delimiter = options.delimiter or sniff_delimiter(skip_sample, options.quote)
    title = title_lines(lines[: options.lines_skipped], delimiter, options.quote)
    if ends_at_blank_row(options):
        readable = _without_footer(readable, work_dir, text_encoding, delimiter, options, warnings)
        temporaries.append(readable)
        text_encoding = "utf-8"
    names = _column_names(readable, text_encoding, delimiter, options, skip_sample, warnings)
    columns = [f"c{index}" for index in range(len(names))]
    skip = options.lines_skipped + options.header_rows
    relation = _scan(readable, columns, skip, delimiter, options.quote, "store_rejects=true")
    relation, flagged = _flags_split(
        relation, columns, names, skip_sample[options.header_rows :], delimiter, options, warnings
    )
    sample_relation = None
    if options.inference_rows is not None:
        # DuckDB's parallel reader scans far past a LIMIT; a head-of-file copy keeps the type
        # inference pass proportional to the sample, not to the file.
        sample = work_dir / "sample.csv"
        _copy_head(readable, sample, skip + options.inference_rows)
        temporaries.append(sample)
        sample_relation = with_flag_columns(
            _scan(
                sample,
                columns[: len(columns) - len(flagged)],
                skip,
                delimiter,
                options.quote,
                "ignore_errors=true",
            ),
            [columns[i] for i in flagged],
        )
    return PreparedSource(
        format=fmt,
        relation=relation,
        columns=columns,
        names=names,
        varchar=True,
        encoding=encoding,
        delimiter=delimiter,
        first_data_line=skip + 1,
        sample_relation=sample_relation,
        warnings=warnings,
        temporaries=temporaries,
        title_lines=title,
    )


#: A value with a flag, as StatsWales and the ONS write them ("[c]" confidential, "[x]" not
#: available, "[z]" not applicable, "[p]" provisional, "[e]" estimated, "[u]" low reliability,
#: "[low]" rounds to zero…), alone or after a number ("12.5 [p]").
_FLAGGED = re.compile(r"^\s*(?:[-+]?[0-9][0-9.,]*\s*)?\[(?:[a-z]{1,3}|low)\]\s*$")
_FLAG_SQL = r"\s*\[([a-z]{1,3}|low)\]\s*$"


def flagged_columns(
    lines: Sequence[str], delimiter: str, quote: str, ends_at_blank: bool = False
) -> list[int]:
    """The positions of the columns where a sample value carries a flag (in the table: with
    ``ends_at_blank``, not in the notes under its first blank line)."""
    found: set[int] = set()
    for record in sample_records(lines, delimiter, quote):
        if ends_at_blank and not any(cell.strip() for cell in record):
            break
        found.update(index for index, cell in enumerate(record) if _FLAGGED.match(cell))
    return sorted(found)


def _new_names(wanted: Sequence[str], taken: Sequence[str]) -> list[str]:
    """``wanted`` made unique against ``taken`` and each other ("Rate flag 2" when the file
    has a "Rate flag" already)."""
    used = {name.casefold() for name in taken}
    names = []
    for name in wanted:
        candidate, number = name, 1
        while candidate.casefold() in used:
            number += 1
            candidate = f"{name} {number}"
        used.add(candidate.casefold())
        names.append(candidate)
    return names


def with_flag_columns(relation: str, columns: Sequence[str]) -> str:
    """``relation`` with each of ``columns`` read without its flag, and the flag (the letters
    in brackets, "c" for "[c]") in a column of its own, ``<column>_flag``; a value that was
    only a flag is missing."""
    if not columns:
        return relation
    pattern = quote_literal(_FLAG_SQL)
    replaced = ", ".join(
        f"nullif(trim(regexp_replace({c}, {pattern}, '')), '') AS {c}" for c in columns
    )
    flags = ", ".join(f"nullif(regexp_extract({c}, {pattern}, 1), '') AS {c}_flag" for c in columns)
    # The columns are the reader's own names (c0, c1…), the pattern an escaped literal.
    return f"(SELECT * REPLACE ({replaced}), {flags} FROM {relation})"  # noqa: S608


def _flags_split(
    relation: str,
    columns: list[str],
    names: list[str],
    data_lines: Sequence[str],
    delimiter: str,
    options: ReadOptions,
    warnings: list[IngestWarning],
) -> tuple[str, list[int]]:
    """The relation with each flagged column's flag in a column of its own (``columns`` and
    ``names`` gain them, and the report says so); the positions of the flagged columns."""
    ends = ends_at_blank_row(options)
    found = flagged_columns(data_lines, delimiter, options.quote, ends)
    flagged = [index for index in found if index < len(names)]
    if not flagged:
        return relation, []
    flag_names = _new_names([f"{names[index]} flag" for index in flagged], names)
    warnings.append(
        IngestWarning(
            "ingest.flags-kept",
            "Values with a StatsWales or ONS flag ([c], [x], [p]…): the value is read "
            "without it and the flag kept in its own column (" + ", ".join(flag_names) + ").",
            {"columns": ", ".join(flag_names)},
        )
    )
    relation = with_flag_columns(relation, [columns[i] for i in flagged])
    columns += [f"{columns[i]}_flag" for i in flagged]
    names += flag_names
    return relation, flagged


#: How much of a file's title is kept: enough for its filters, never a whole skipped table.
TITLE_LINES, TITLE_LINE_CHARACTERS = 50, 500


def title_lines(lines: Sequence[str], delimiter: str, quote: str) -> list[str]:
    """The skipped lines above a table as text, each record's non-blank cells joined by a
    space ("Year: 2023,,,," becomes "Year: 2023"); blank lines left out."""
    records = sample_records(lines, delimiter, quote)
    texts = (" ".join(cell.strip() for cell in record if cell.strip()) for record in records)
    return [text[:TITLE_LINE_CHARACTERS] for text in texts if text][:TITLE_LINES]


def _without_footer(
    readable: Path,
    work_dir: Path,
    text_encoding: str,
    delimiter: str,
    options: ReadOptions,
    warnings: list[IngestWarning],
) -> Path:
    """A UTF-8 copy that ends at the table's first blank row; the notes below are counted."""
    trimmed = work_dir / "source-trimmed.csv"
    blank_line, dropped = _copy_until_blank_row(
        readable, trimmed, text_encoding, delimiter, options.quote, options
    )
    if dropped:
        warnings.append(
            IngestWarning(
                "ingest.footer-dropped",
                f"The table ends at the blank line {blank_line}; {dropped} lines below it "
                "(notes, footnotes) were not read as data.",
                {"line": blank_line, "count": dropped},
            )
        )
    return trimmed


def _column_names(
    readable: Path,
    text_encoding: str,
    delimiter: str,
    options: ReadOptions,
    skip_sample: list[str],
    warnings: list[IngestWarning],
) -> list[str]:
    """The cleaned name of every column, from the header rows (or the names given)."""
    header, has_data = _read_header(readable, text_encoding, delimiter, options.quote, options)
    if not header or not any(cell.strip() for row in header for cell in row):
        raise IngestError("ingest.empty-file", "The file has no header row.")
    if not has_data:
        raise IngestError("ingest.header-only", "The file has a header but no data rows.")
    raw_names = list(options.names) if options.names else join_header_rows(header)
    width = _modal_data_width(skip_sample[options.header_rows :], delimiter, options.quote)
    if width > len(raw_names):
        # A trailing delimiter on every data row (common in council exports) is an unnamed
        # column, not a ragged row.
        raw_names += [""] * (width - len(raw_names))
    names, name_warnings = clean_column_names(raw_names)
    warnings.extend(name_warnings)
    return names


def _scan(
    location: Path, columns: list[str], skip: int, delimiter: str, quote: str, errors: str
) -> str:
    """DuckDB's ``read_csv`` of the file, every column as text, after the header rows."""
    column_types = ", ".join(f"'{column}': 'VARCHAR'" for column in columns)
    quoted = quote_literal(quote)
    return (
        f"read_csv({quote_literal(location)}, header=false, skip={skip}, all_varchar=true,"
        f" auto_detect=false, delim={quote_literal(delimiter)}, quote={quoted}, escape={quoted},"
        f" columns={{{column_types}}}, {errors}, null_padding=false)"
    )
