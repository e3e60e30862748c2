"""What every reader shares: the options of a read, the prepared source it gives DuckDB, the
errors and warnings a person sees, and the names (of files and of columns) made safe.

Every error a person can cause raises :class:`IngestError` with a stable message key
(see :mod:`infuse.datalab.messages`); everything changed or assumed on the way is an
:class:`IngestWarning`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from infuse.datalab.column_names import unnamed

SourceFormat = Literal["csv", "xlsx", "parquet", "json", "ndjson"]

#: Markers that mean "no value" in UK public-sector files (ONS/StatsWales conventions:
#: "." not applicable, ".." not available, ":" not available (Eurostat), "x"/"*" suppressed).
DEFAULT_MISSING_VALUES: tuple[str, ...] = ("", ".", "..", "-", "n/a", "N/A", ":", "x", "*")

SAMPLE_BYTES = 1024 * 1024
TEXT_SAMPLE_CHARACTERS = 8 * 1024 * 1024
TRANSCODE_CHUNK = 4 * 1024 * 1024


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

    ``skip_rows`` preamble rows are dropped before ``header_rows`` header rows (``None``: as
    many as :func:`~infuse.datalab.ingest.csv_files.preamble_lines` finds, said in an
    ``ingest.preamble-skipped`` warning), whose cells are
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
    skip_rows: int | None = 0
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

    @property
    def lines_skipped(self) -> int:
        """The preamble's lines as given or found (0 while it is still to be found)."""
        return self.skip_rows or 0


def ends_at_blank_row(options: ReadOptions) -> bool:
    """Whether the table ends at its first blank row (see ``ReadOptions.stop_at_blank_row``)."""
    if options.stop_at_blank_row is None:
        return bool(options.skip_rows)
    return options.stop_at_blank_row


@dataclass
class PreparedSource:
    """A source DuckDB can scan: ``relation`` is a table expression with columns ``columns``.

    ``names`` are the cleaned display names in the same order. ``varchar`` is true when every
    column is text still to be typed (CSV, XLSX). ``first_data_line`` is the 1-based line of the
    first data row in the file, for messages. ``temporaries`` are files the caller deletes.
    ``title_lines`` are the non-blank lines above the table (their cells joined), where a
    recipe finds a value the table lacks ("Year: 2023").
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
    title_lines: list[str] = field(default_factory=list)


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
            name = unnamed(index)
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
