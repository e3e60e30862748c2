# ruff: noqa: S608 - SQL is assembled from quoted identifiers and escaped literals only.
"""Detect and open uploaded tabular files safely, ready for DuckDB to stream.

An upload can be CSV (any common encoding, any of the usual delimiters), XLSX, Parquet, JSON (an
array of objects) or NDJSON. This module answers "what is this file and how do we read it" and
turns it into a :class:`PreparedSource`: a DuckDB table expression over a UTF-8 file (or the
original Parquet/JSON), the cleaned column names and the warnings met on the way. Type inference
and writing Parquet live in :mod:`infuse.datalab.convert`.

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

import codecs
import contextlib
import csv
import dataclasses
import datetime as dt
import io
import os
import re
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import charset_normalizer

from infuse.analytics.quoting import quote_literal

SourceFormat = Literal["csv", "xlsx", "parquet", "json", "ndjson"]

#: Markers that mean "no value" in UK public-sector files (ONS/StatsWales conventions:
#: "." not applicable, ".." not available, ":" not available (Eurostat), "x"/"*" suppressed).
DEFAULT_MISSING_VALUES: tuple[str, ...] = ("", ".", "..", "-", "n/a", "N/A", ":", "x", "*")

SAMPLE_BYTES = 1024 * 1024
TEXT_SAMPLE_CHARACTERS = 8 * 1024 * 1024
TRANSCODE_CHUNK = 4 * 1024 * 1024
_CANDIDATE_DELIMITERS = (",", ";", "\t", "|")


class IngestError(ValueError):
    """A problem with an uploaded file that the person who uploaded it can fix.

    ``key`` is a stable message key (the lead maps it to English and Welsh), ``params`` the values
    the message needs, and ``problems`` a list of per-row details where several were found.
    """

    def __init__(
        self,
        key: str,
        message: str,
        *,
        problems: Sequence[dict[str, Any]] = (),
        **params: Any,
    ) -> None:
        super().__init__(message)
        self.key = key
        self.params: dict[str, Any] = params
        self.problems: list[dict[str, Any]] = list(problems)


@dataclass(frozen=True)
class IngestWarning:
    """Something changed or assumed while reading that the uploader should know about."""

    key: str
    message: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ReadOptions:
    """How to read an upload. Every field has a safe default; ``None`` means "detect".

    ``skip_rows`` preamble rows are dropped before ``header_rows`` header rows, whose cells are
    joined (top to bottom, blanks skipped) into one name per column. ``names`` overrides the
    header names. ``stop_at_blank_row`` ends the data at the first entirely blank row after the
    header (StatsWales puts footnotes and metadata below the table); ``None`` (the default)
    means "when there is a preamble" (``skip_rows > 0``), and the lines left out are counted in
    an ``ingest.footer-dropped`` warning, so nothing goes silently. ``sheet`` is an XLSX sheet
    name or 0-based index. ``inference_rows`` is how many data rows type inference looks at
    first (``None`` = all; the default is DuckDB's own CSV sniffing sample); a value later in
    the file that does not fit makes the conversion re-infer over every row, so no value is
    ever lost to a wrong guess.
    """

    format: SourceFormat | None = None
    encoding: str | None = None
    delimiter: str | None = None
    quote: str = '"'
    header_rows: int = 1
    skip_rows: int = 0
    names: tuple[str, ...] | None = None
    sheet: str | int | None = None
    missing_values: tuple[str, ...] = DEFAULT_MISSING_VALUES
    stop_at_blank_row: bool | None = None
    day_first: bool = True
    inference_rows: int | None = 20_480
    skip_bad_rows: bool = False
    max_uncompressed_bytes: int = 1024 * 1024 * 1024
    max_compression_ratio: float = 100.0
    duckdb_memory_limit: str = "512MB"


def ends_at_blank_row(options: ReadOptions) -> bool:
    """Whether the table ends at its first blank row (see ``ReadOptions.stop_at_blank_row``)."""
    if options.stop_at_blank_row is None:
        return options.skip_rows > 0
    return options.stop_at_blank_row


@dataclass
class PreparedSource:
    """A source DuckDB can scan: ``relation`` is a table expression with columns ``columns``.

    ``names`` are the cleaned display names in the same order. ``varchar`` is true when every
    column is text still to be typed (CSV, XLSX). ``first_data_line`` is the 1-based line of the
    first data row in the file, for messages. ``temporaries`` are files the caller deletes.
    """

    format: SourceFormat
    relation: str
    columns: list[str]
    names: list[str]
    varchar: bool
    encoding: str | None = None
    delimiter: str | None = None
    first_data_line: int = 1
    sample_relation: str | None = None
    warnings: list[IngestWarning] = field(default_factory=list)
    temporaries: list[Path] = field(default_factory=list)


# --- names ---------------------------------------------------------------------------------------

_UNSAFE_NAME_CHARACTERS = re.compile(r"[\x00-\x1f\x7f<>:\"/\\|?*]")


def safe_display_name(name: str, *, max_length: int = 120) -> str:
    """A file name fit to show and to offer as a download name, never to open a file with.

    Strips any directory part (``../../etc/passwd`` → ``passwd``, ``C:\\x\\y.csv`` → ``y.csv``),
    control and reserved characters, leading dots (no hidden files) and Windows device names.
    Returns ``"upload"`` when nothing is left.
    """
    text = unicodedata.normalize("NFC", name or "")
    text = text.replace("\\", "/").split("/")[-1]
    # Windows drops trailing dots and spaces; a leading dot would hide the file.
    text = _UNSAFE_NAME_CHARACTERS.sub("_", text).strip().lstrip(".").rstrip(". ").strip()
    if re.fullmatch(r"(?i)(con|prn|aux|nul|com\d|lpt\d)(\..*)?", text):
        text = f"_{text}"
    if len(text) > max_length:
        stem, dot, suffix = text.rpartition(".")
        if dot and 0 < len(suffix) <= 10:
            text = stem[: max_length - len(suffix) - 1] + "." + suffix
        else:
            text = text[:max_length]
    return text or "upload"


def clean_column_names(raw: Sequence[str]) -> tuple[list[str], list[IngestWarning]]:
    """Trim, collapse whitespace, name blanks ``column_N`` and de-duplicate with ``_2``, ``_3``."""
    names: list[str] = []
    warnings: list[IngestWarning] = []
    used: set[str] = set()
    for index, original in enumerate(raw, start=1):
        name = re.sub(r"\s+", " ", unicodedata.normalize("NFC", original or "")).strip()
        name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
        if not name:
            name = f"column_{index}"
        base = name
        suffix = 1
        while name.casefold() in used:
            suffix += 1
            name = f"{base}_{suffix}"
        used.add(name.casefold())
        if name != original:
            collapsed = re.sub(r"\s+", " ", original or "").strip()
            if not collapsed:
                key = "ingest.column-unnamed"
            elif name != base:
                key = "ingest.column-deduplicated"
            elif name == collapsed:
                key = "ingest.column-name-trimmed"
            else:
                key = "ingest.column-renamed"
            warnings.append(
                IngestWarning(
                    key,
                    f"Column {index} {original!r} is named {name!r}.",
                    {"column": index, "original": original, "name": name},
                )
            )
        names.append(name)
    return names, warnings


# --- format and encoding -------------------------------------------------------------------------


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


def _utf8_then_cp1252(error: UnicodeError) -> tuple[str, int]:
    """Decode error handler: a byte that is not UTF-8 is read as Windows-1252 (then Latin-1)."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.start + 1]
    try:
        text = bytes(bad).decode("cp1252")
    except UnicodeDecodeError:
        text = bytes(bad).decode("latin-1")
    return text, error.start + 1


codecs.register_error("infuse_utf8_cp1252", _utf8_then_cp1252)

_LATIN_FAMILY = {
    "latin_1",
    "iso8859_15",
    "cp1252",
    "cp1250",
    "iso8859_2",
    "cp1254",
    "iso8859_9",
    "cp1257",
    "mac_roman",
    "cp850",
    "cp437",
}


def detect_encoding(path: Path, *, sample_bytes: int = SAMPLE_BYTES) -> str:
    """The Python codec name to read a text file with.

    BOMs decide first (``utf-8-sig``, ``utf-16``). A sample that decodes as UTF-8 is UTF-8.
    Otherwise charset-normalizer guesses from the sample; any Western single-byte guess becomes
    Windows-1252 (a superset of Latin-1's printable characters, and what Excel on Windows writes
    £ in). Binary content or no plausible guess raises ``ingest.unknown-encoding``.
    """
    with path.open("rb") as handle:
        sample = handle.read(sample_bytes)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in sample:
        raise IngestError(
            "ingest.unknown-encoding",
            "The file is not text in any encoding we can read (it contains NUL bytes).",
        )
    try:
        # A multi-byte character may be cut at the sample's end; ignore only that.
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(sample).best()
    guess = codecs.lookup(best.encoding).name.replace("-", "_") if best else None
    if guess is None:
        raise IngestError(
            "ingest.unknown-encoding", "The file's character encoding could not be recognised."
        )
    if guess in _LATIN_FAMILY or guess.startswith("iso8859"):
        try:
            text = sample.decode("cp1252")
        except UnicodeDecodeError:
            return "latin-1"
        if _looks_like_text(text):
            return "cp1252"
    text = sample.decode(guess, errors="replace")
    if not _looks_like_text(text):
        raise IngestError(
            "ingest.unknown-encoding", "The file's character encoding could not be recognised."
        )
    return guess


def _looks_like_text(text: str) -> bool:
    if not text:
        return True
    control = sum(
        1 for ch in text if unicodedata.category(ch) in ("Cc", "Co", "Cn") and ch not in "\r\n\t"
    )
    return control / len(text) < 0.01


def transcode_to_utf8(
    source: Path,
    dest: Path,
    encoding: str,
    *,
    progress: Callable[[int, int | None], None] | None = None,
) -> int:
    """Stream ``source`` (in ``encoding``) into ``dest`` as UTF-8; returns how many bytes were
    not valid in the encoding (UTF-8 sources only: those are read as Windows-1252)."""
    total = source.stat().st_size
    errors = "infuse_utf8_cp1252" if encoding in ("utf-8", "utf-8-sig") else "strict"
    decoder = codecs.getincrementaldecoder(encoding)(errors=errors)
    checker = (
        codecs.getincrementaldecoder(encoding)(errors="replace") if errors != "strict" else None
    )
    replaced = 0
    done = 0
    try:
        with source.open("rb") as reader, dest.open("wb") as writer:
            while chunk := reader.read(TRANSCODE_CHUNK):
                done += len(chunk)
                writer.write(decoder.decode(chunk).encode("utf-8"))
                if checker is not None:
                    replaced += checker.decode(chunk).count("\ufffd")
                if progress is not None:
                    progress(done, total)
            writer.write(decoder.decode(b"", final=True).encode("utf-8"))
    except UnicodeDecodeError as error:
        raise IngestError(
            "ingest.undecodable-bytes",
            f"The file is not valid {encoding} text (byte offset {error.start}).",
            encoding=encoding,
            offset=error.start,
        ) from error
    return replaced


# --- CSV dialect and header ----------------------------------------------------------------------


def _text_sample(path: Path, encoding: str) -> str:
    """The start of the file as text, bounded: one enormous line cannot exhaust memory."""
    with path.open("r", encoding=encoding, errors="replace", newline="") as handle:
        return handle.read(TEXT_SAMPLE_CHARACTERS)


def _sample_lines(path: Path, encoding: str, count: int) -> list[str]:
    return _text_sample(path, encoding).splitlines(keepends=True)[:count]


def sniff_delimiter(lines: Sequence[str], quote: str = '"') -> str:
    """The candidate delimiter that splits most sample records into the same number (>1) of
    fields; ties go to the comma. Simpler and steadier than ``csv.Sniffer`` on files with
    preambles."""
    best, best_score = ",", (0, 0)
    text = "".join(lines)
    for delimiter in _CANDIDATE_DELIMITERS:
        counts = [
            len(row)
            for row in csv.reader(io.StringIO(text), delimiter=delimiter, quotechar=quote)
            if row
        ]
        if not counts:
            continue
        width, frequency = Counter(counts).most_common(1)[0]
        score = (frequency if width > 1 else 0, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _read_header(
    path: Path, encoding: str, delimiter: str, quote: str, options: ReadOptions
) -> tuple[list[list[str]], bool]:
    """The header records after the preamble, and whether any non-blank data record follows
    (within the bounded text sample)."""
    with io.StringIO(_text_sample(path, encoding), newline="") as handle:
        for _ in range(options.skip_rows):
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
        len(row)
        for row in csv.reader(io.StringIO("".join(lines)), delimiter=delimiter, quotechar=quote)
        if any(cell.strip() for cell in row)
    )
    return counts.most_common(1)[0][0] if counts else 0


def _join_header_rows(rows: Sequence[Sequence[str]]) -> list[str]:
    width = max((len(row) for row in rows), default=0)
    joined = []
    for index in range(width):
        parts = [row[index] for row in rows if index < len(row) and row[index].strip()]
        # Only the joint is normalised here; clean_column_names trims (and says so).
        joined.append(parts[0] if len(parts) == 1 else " ".join(part.strip() for part in parts))
    return joined


def suggest_read_options(path: Path) -> ReadOptions:
    """Options to offer a person before they convert: format, encoding, delimiter and how many
    preamble lines to skip.

    The preamble guess: the header is the first of the first 50 records with at least half of
    the table's width filled (StatsWales exports put a breadcrumb, title and filters, one cell
    each, above the table). A person confirms or changes it; nothing is skipped behind their
    back, since ``convert_to_parquet`` only skips what the options say.
    """
    fmt = detect_format(path)
    if fmt != "csv":
        return ReadOptions(format=fmt)
    encoding = detect_encoding(path)
    text_encoding = "utf-8-sig" if encoding in ("utf-8", "utf-8-sig") else encoding
    lines = _sample_lines(path, text_encoding, 200)
    delimiter = sniff_delimiter(lines)
    try:
        records = list(csv.reader(io.StringIO("".join(lines)), delimiter=delimiter))
    except csv.Error:
        records = []
    width = max((len(record) for record in records), default=0)
    skip = 0
    for index, record in enumerate(records[:50]):
        if sum(1 for cell in record if cell.strip()) >= max(2, (width + 1) // 2):
            skip = index
            break
    return ReadOptions(format="csv", encoding=encoding, delimiter=delimiter, skip_rows=skip)


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
        for _ in range(options.skip_rows):
            writer.write(reader.readline())
        rows = csv.reader(reader, delimiter=delimiter, quotechar=quote)
        out = csv.writer(writer, delimiter=delimiter, quotechar=quote, lineterminator="\n")
        for number, row in enumerate(rows):
            if number >= options.header_rows and not any(cell.strip() for cell in row):
                blank_line = options.skip_rows + rows.line_num
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
    encoding = options.encoding or detect_encoding(path)
    try:
        codecs.lookup(encoding)
    except LookupError as error:
        raise IngestError(
            "ingest.unknown-encoding",
            f"{encoding!r} is not an encoding we know.",
            encoding=encoding,
        ) from error
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
    text_encoding = "utf-8-sig" if encoding in ("utf-8", "utf-8-sig") else encoding
    try:
        return _prepare_csv_text(
            path, work_dir, options, readable, text_encoding, encoding, warnings, temporaries, fmt
        )
    except csv.Error as error:
        raise IngestError(
            "ingest.unreadable", f"The file could not be read as CSV: {error}", detail=str(error)
        ) from error


def _prepare_csv_text(
    path: Path,
    work_dir: Path,
    options: ReadOptions,
    readable: Path,
    text_encoding: str,
    encoding: str,
    warnings: list[IngestWarning],
    temporaries: list[Path],
    fmt: SourceFormat,
) -> PreparedSource:
    skip_sample = _sample_lines(readable, text_encoding, options.skip_rows + 200)[
        options.skip_rows :
    ]
    delimiter = options.delimiter or sniff_delimiter(skip_sample, options.quote)
    if ends_at_blank_row(options):
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
        temporaries.append(trimmed)
        readable = trimmed
        text_encoding = "utf-8"
    header, has_data = _read_header(readable, text_encoding, delimiter, options.quote, options)
    if not header or not any(cell.strip() for row in header for cell in row):
        raise IngestError("ingest.empty-file", "The file has no header row.")
    if not has_data:
        raise IngestError("ingest.header-only", "The file has a header but no data rows.")
    raw_names = list(options.names) if options.names else _join_header_rows(header)
    width = _modal_data_width(skip_sample[options.header_rows :], delimiter, options.quote)
    if width > len(raw_names):
        # A trailing delimiter on every data row (common in council exports) is an unnamed
        # column, not a ragged row.
        raw_names += [""] * (width - len(raw_names))
    names, name_warnings = clean_column_names(raw_names)
    warnings.extend(name_warnings)
    columns = [f"c{index}" for index in range(len(names))]
    skip = options.skip_rows + options.header_rows

    def scan(location: Path, errors: str) -> str:
        column_types = ", ".join(f"'{column}': 'VARCHAR'" for column in columns)
        quote = quote_literal(options.quote)
        return (
            f"read_csv({quote_literal(location)}, header=false, skip={skip}, all_varchar=true,"
            f" auto_detect=false, delim={quote_literal(delimiter)}, quote={quote}, escape={quote},"
            f" columns={{{column_types}}}, {errors}, null_padding=false)"
        )

    relation = scan(readable, "store_rejects=true")
    sample_relation = None
    if options.inference_rows is not None:
        # DuckDB's parallel reader scans far past a LIMIT; a head-of-file copy keeps the type
        # inference pass proportional to the sample, not to the file.
        sample = work_dir / "sample.csv"
        _copy_head(readable, sample, skip + options.inference_rows)
        temporaries.append(sample)
        sample_relation = scan(sample, "ignore_errors=true")
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
    )


# --- XLSX ----------------------------------------------------------------------------------------


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


def xlsx_sheet_names(path: Path) -> list[str]:
    """Names of the workbook's sheets, in order (after the zip-bomb check)."""
    import openpyxl

    check_zip_safety(
        path,
        max_uncompressed_bytes=ReadOptions.max_uncompressed_bytes,
        max_compression_ratio=ReadOptions.max_compression_ratio,
    )
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return list(workbook.sheetnames)
    finally:
        workbook.close()


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
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
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
    finally:
        workbook.close()


def prepare_xlsx(
    path: Path,
    work_dir: Path,
    options: ReadOptions,
    *,
    progress: Callable[[int, int | None], None] | None = None,
) -> PreparedSource:
    """Check the zip directory, stream the chosen sheet to a UTF-8 CSV, then read it as CSV."""
    check_zip_safety(
        path,
        max_uncompressed_bytes=options.max_uncompressed_bytes,
        max_compression_ratio=options.max_compression_ratio,
    )
    dest = work_dir / "sheet.csv"
    try:
        with dest.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            for number, row in enumerate(_xlsx_rows(path, options), start=1):
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
    csv_options = dataclasses.replace(options, encoding="utf-8", delimiter=",", quote='"')
    prepared = prepare_csv(dest, work_dir, csv_options, fmt="xlsx")
    prepared.temporaries.append(dest)
    return prepared


# --- Parquet and JSON ----------------------------------------------------------------------------


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
