"""How a CSV file will be read, found from its first lines, for a person to check before it is
converted: the lines above the table, the header, the column names and the first rows.

It reads a bounded sample with the same functions the conversion uses (the delimiter sniff,
the preamble, the header rows and the names), so what the preview shows is what the conversion
does. A workbook's sheet is read here too, as the CSV its first rows make, in the sandbox
(:func:`infuse.datalab.ingest.isolated.preview`), where its cells are only ever read.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from infuse.datalab.column_names import is_unnamed
from infuse.datalab.ingest.csv_files import (
    join_header_rows,
    known_encoding,
    preamble_line_count,
    sample_lines,
    sample_records,
    sniff_delimiter,
    text_encoding,
    title_lines,
)
from infuse.datalab.ingest.sources import (
    IngestError,
    ReadOptions,
    clean_column_names,
    ends_at_blank_row,
)

#: Data rows shown under the column names.
PREVIEW_ROWS = 10


@dataclass(frozen=True)
class Detection:
    """What reading the file with ``skip_rows`` and ``header_rows`` gives.

    ``found_skip_rows`` is what the file's shape suggests (the preamble a blank setting
    finds); ``header_line`` is the 1-based line of the (first) header row; ``rows`` are the
    first data records, as many cells as there are columns; ``table_end_line`` is the first
    blank line under the table within the sample (the notes below it are left out).
    """

    encoding: str
    delimiter: str
    skip_rows: int
    found_skip_rows: int
    header_rows: int
    header_line: int
    title_lines: list[str]
    columns: list[str]
    rows: list[list[str]]
    table_end_line: int | None = None
    unnamed: list[str] = field(default_factory=list)


def detect(path: Path, options: ReadOptions) -> Detection:
    """How ``path`` reads with ``options`` (its ``skip_rows`` None: found in the file)."""
    encoding = known_encoding(path, options)
    lines = [
        line.rstrip("\r\n") + "\n" for line in sample_lines(path, text_encoding(encoding), 300)
    ]
    if not any(line.strip() for line in lines):
        raise IngestError("ingest.empty-file", "The file is empty.")
    delimiter = options.delimiter or sniff_delimiter(lines, options.quote)
    found = preamble_line_count(lines, delimiter, options.quote) if options.header_rows == 1 else 0
    skip = found if options.skip_rows is None else options.skip_rows
    below = sample_records(lines[skip:], delimiter, options.quote)
    header, data = below[: options.header_rows], below[options.header_rows :]
    width = max((len(record) for record in data[:50]), default=0)
    raw_names = join_header_rows(header) if header else []
    raw_names += [""] * max(0, width - len(raw_names))
    names, _warnings = clean_column_names(raw_names) if raw_names else ([], [])
    rows: list[list[str]] = []
    end: int | None = None
    for offset, record in enumerate(data):
        if not any(cell.strip() for cell in record):
            if ends_at_blank_row(replace(options, skip_rows=skip)):  # as the conversion does
                end = skip + options.header_rows + offset + 1
                break
            continue
        if len(rows) < PREVIEW_ROWS:
            rows.append(
                [
                    *(cell.strip() for cell in record[: len(names)]),
                    *[""] * (len(names) - len(record)),
                ]
            )
    return Detection(
        encoding=encoding,
        delimiter=delimiter,
        skip_rows=skip,
        found_skip_rows=found,
        header_rows=options.header_rows,
        header_line=skip + 1,
        title_lines=title_lines(lines[:skip], delimiter, options.quote),
        columns=names,
        rows=rows,
        table_end_line=end,
        unnamed=[name for name in names if is_unnamed(name)],
    )
