# ruff: noqa: S608 - SQL is assembled from quoted identifiers and escaped literals only.
"""Convert an upload into a typed Parquet file and a Frictionless Table Schema, in bounded memory.

The whole pipeline runs inside DuckDB, which streams the file in chunks and spills to disk under
its memory limit, so Python never holds the rows:

1. :func:`infuse.datalab.readers.prepare_source` makes the file readable as text columns.
2. Type inference: aggregate queries over the first ``inference_rows`` data rows (a copy of the
   file's head, materialised once) count, per column, how many values look like booleans,
   integers, decimals, money (£, "GBP", thousands commas, (brackets) for negatives), dates in
   UK day-first formats or datetimes; a column takes the first type that every non-missing
   value fits, else stays text. The money and date patterns run only on columns the first
   stage left untyped, and date formats are tried one at a time.
3. ``COPY (typed SELECT) TO parquet``: every cast is checked, so a value further down the file that
   does not fit the inferred type stops the copy, and inference is repeated over all rows. No
   value is ever silently turned into NULL (the trap of a sample-only ``TRY_CAST``).
4. Ragged rows and undecodable bytes are collected by DuckDB's reject tables, with file line
   numbers; stray Windows-1252 bytes in a UTF-8 file cause one retry with transcoding.
5. The Parquet file is written under a temporary name in ``dest_dir``, fsynced, hashed and
   renamed to ``<sha256 of the Parquet bytes>.parquet`` (``ConversionResult.path``), so readers
   see a complete file or none and identical output has an identical name.

The Frictionless Table Schema (https://specs.frictionlessdata.io/table-schema/) describes the
typed columns; ``format`` records the source's date pattern (Python strftime syntax, as the spec
allows) and each field's ``missingValues`` the markers that were read as missing (a field-level
property from Table Schema v2).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from infuse.analytics.connection import open_duckdb
from infuse.analytics.quoting import quote_identifier, quote_list, quote_literal
from infuse.datalab.readers import (
    IngestError,
    IngestWarning,
    PreparedSource,
    ReadOptions,
    SourceFormat,
    prepare_source,
    remove_temporaries,
)

TEMPORARY_PREFIX = ".incoming-"
TYPE_MISMATCH = "infuse-type-mismatch"

_BOOLEAN_TRUE = ("true", "yes")
_BOOLEAN_FALSE = ("false", "no")
_INTEGER_RE = r"[+-]?(0|[1-9][0-9]{0,17})"
_DECIMAL_RE = r"[+-]?((0|[1-9][0-9]*)(\.[0-9]+)?|\.[0-9]+)([eE][+-]?[0-9]+)?"
_MONEY_RE = (
    r"(?i)\(?\s*[+-]?\s*(£|gbp)?\s*[+-]?\s*([0-9]{1,3}(,[0-9]{3})+|0|[1-9][0-9]*)?(\.[0-9]+)?"
    r"\s*(gbp)?\s*\)?"
)
_DATE_LIKE_RE = r"[0-9]{1,4}[-/. ]([0-9]{1,2}|[A-Za-z]{3,9})[-/. ][0-9]{2,4}"
_DATETIME_LIKE_RE = (
    r"[0-9]{1,4}[-/.][0-9]{1,2}[-/.][0-9]{2,4}[ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?"
    r"(Z|[+-][0-9]{2}:?[0-9]{2})?"
)
#: Day-first first: these are UK files. ISO comes first of all (it is unambiguous). Two-digit
#: years come before four-digit ones because DuckDB's ``%Y`` also accepts "24" (as year 24),
#: while ``%y`` refuses "2024".
DAY_FIRST_DATE_FORMATS = (
    "%Y-%m-%d",
    "%d/%m/%y",
    "%d/%m/%Y",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d-%b-%y",
    "%d-%b-%Y",
    "%d %b %Y",
    "%d %B %Y",
    "%d-%B-%Y",
    "%Y/%m/%d",
)
MONTH_FIRST_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%y", "%m/%d/%Y", "%m-%d-%Y", "%Y/%m/%d")
DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
)
#: Excel serial day numbers from 1950 to 2100 (day 0 is 1899-12-30 in the 1900 date system).
_EXCEL_SERIAL_RANGE = (18_264, 73_051)


@dataclass(frozen=True)
class ColumnPlan:
    """How one source column becomes one typed Parquet column."""

    name: str
    source: str
    sql_type: str
    table_type: str
    format: str | None
    expression: str
    missing_values: tuple[str, ...]
    extra: dict[str, Any] = field(default_factory=dict)
    from_text: bool = True
    trim: bool = True


@dataclass
class ConversionResult:
    """The outcome of :func:`convert_to_parquet`.

    ``path`` is the Parquet file, named ``<sha256>.parquet`` after its own bytes. ``schema`` is a
    Frictionless Table Schema dict. ``missing_counts`` counts, per column, the values that are
    null in the Parquet (empty cells and missing markers).
    """

    path: Path
    sha256: str
    size: int
    row_count: int
    schema: dict[str, Any]
    missing_counts: dict[str, int]
    warnings: list[IngestWarning]
    source_format: SourceFormat
    encoding: str | None
    delimiter: str | None


def _re(pattern: str) -> str:
    """A regular expression as an SQL literal, braces doubled for ``str.format`` templates."""
    return quote_literal(pattern).replace("{", "{{").replace("}", "}}")


def _connect(work_dir: Path, options: ReadOptions) -> duckdb.DuckDBPyConnection:
    """DuckDB with the upload's memory cap, spilling to ``work_dir``, keeping file order."""
    return open_duckdb(
        memory_limit=options.duckdb_memory_limit,
        temp_directory=work_dir / "spill",
        preserve_insertion_order=True,
    )


def _money_clean(value: str) -> str:
    stripped = f"regexp_replace({value}, '(?i)gbp|£|,|\\s', '', 'g')"
    return f"regexp_replace({stripped}, '^\\((.*)\\)$', '-\\1')"


def _trimmed(column: str) -> str:
    """Leading and trailing spaces removed; the test first is much cheaper than ``trim`` on
    every value of a large file, most of which have none."""
    return (
        f"CASE WHEN starts_with({column}, ' ') OR ends_with({column}, ' ') "
        f"THEN trim({column}) ELSE {column} END"
    )


def _non_blank_filter(prepared: PreparedSource) -> str:
    """Rows where every cell is empty (DuckDB reads an empty cell as NULL) are skipped."""
    if not prepared.columns:
        return "true"
    return "(" + " OR ".join(f"{column} IS NOT NULL" for column in prepared.columns) + ")"


def _sample(prepared: PreparedSource, limit: int | None) -> str:
    where = _non_blank_filter(prepared) if prepared.varchar else "true"
    if limit is None:
        return f"(SELECT * FROM {prepared.relation} WHERE {where})"
    relation = prepared.sample_relation or prepared.relation
    return f"(SELECT * FROM {relation} WHERE {where} LIMIT {int(limit)})"


def _with_values(
    prepared: PreparedSource,
    options: ReadOptions,
    text_columns: list[str],
    source: str,
    trim: set[str] | None = None,
) -> str:
    """``source`` plus ``t_<c>`` (trimmed) and ``v_<c>`` (missing markers as NULL) columns.

    ``trim`` limits trimming to those columns (``None``: all). Trimming every value of a large
    file costs a third of the conversion, so the copy trims only columns where inference saw
    spaces; a typed column that meets an untrimmed value later fails its strict cast and is
    re-inferred over all rows, so only text columns can keep a stray space.
    """
    if not text_columns:
        return source
    trimmed = ", ".join(
        f"{_trimmed(c) if trim is None or c in trim else c} AS t_{c}" for c in text_columns
    )
    markers = quote_list(options.missing_values)
    values = ", ".join(
        f"CASE WHEN t_{c} IN {markers} THEN NULL ELSE t_{c} END AS v_{c}" for c in text_columns
    )
    return f"(SELECT *, {values} FROM (SELECT *, {trimmed} FROM {source}))"


def _describe(connection: duckdb.DuckDBPyConnection, relation: str) -> list[tuple[str, str]]:
    rows = connection.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
    return [(str(row[0]), str(row[1])) for row in rows]


def infer_plan(
    connection: duckdb.DuckDBPyConnection,
    prepared: PreparedSource,
    options: ReadOptions,
    *,
    limit: int | None,
) -> tuple[list[ColumnPlan], list[IngestWarning]]:
    """Choose a type for each column from the first ``limit`` rows (``None``: all rows)."""
    described = dict(_describe(connection, prepared.relation))
    text_columns = [c for c in prepared.columns if described.get(c) == "VARCHAR"]
    stats: dict[str, dict[str, Any]] = {column: {} for column in text_columns}
    sample = "inference_sample"
    if text_columns:
        # Materialised once: DuckDB would otherwise recompute each value expression per aggregate.
        source = _with_values(prepared, options, text_columns, _sample(prepared, limit))
        connection.execute(
            f"CREATE OR REPLACE TEMP TABLE inference_sample AS SELECT * FROM {source}"
        )
        # Stage 1, cheap for every text column: counts of booleans, integers, plain decimals.
        first: dict[str, str] = {
            "total": "count({v})",
            "trimmed": "count(*) FILTER (WHERE {c} <> t_{c})",
            "booleans": "count(*) FILTER (WHERE lower({v}) IN "
            + quote_list(_BOOLEAN_TRUE + _BOOLEAN_FALSE)
            + ")",
            "integers": f"count(*) FILTER (WHERE regexp_full_match({{v}}, {_re(_INTEGER_RE)}))",
            "decimals": f"count(*) FILTER (WHERE regexp_full_match({{v}}, {_re(_DECIMAL_RE)}))",
            "scale": "max(CASE WHEN strpos({v}, '.') > 0 THEN length({v}) - strpos({v}, '.') END)",
            "digits": "max(CASE WHEN strpos({v}, '.') > 0 THEN strpos({v}, '.') - 1 "
            "ELSE length({v}) END)",
            "low": "min(TRY_CAST({v} AS BIGINT))",
            "high": "max(TRY_CAST({v} AS BIGINT))",
        }
        _aggregate_into(connection, sample, text_columns, first, stats)
        # Stage 2, only where stage 1 found no type: money, dates and datetimes by pattern.
        rest = [
            c
            for c in text_columns
            if stats[c]["total"]
            and stats[c]["total"] not in (stats[c]["booleans"], stats[c]["integers"])
            and stats[c]["total"] != stats[c]["decimals"]
        ]
        second: dict[str, str] = {
            "money": f"count(*) FILTER (WHERE regexp_full_match({{v}}, {_re(_MONEY_RE)})"
            " AND regexp_matches({v}, '[0-9]'))",
            "date_like": "count(*) FILTER (WHERE regexp_full_match({v}, "
            + _re(_DATE_LIKE_RE)
            + "))",
            "datetime_like": "count(*) FILTER (WHERE regexp_full_match({v}, "
            + _re(_DATETIME_LIKE_RE)
            + "))",
        }
        _aggregate_into(connection, sample, rest, second, stats)

    date_formats = DAY_FIRST_DATE_FORMATS if options.day_first else MONTH_FIRST_DATE_FORMATS
    date_counts = _format_counts(connection, sample, stats, date_formats, "date_like")
    datetime_counts = _format_counts(connection, sample, stats, DATETIME_FORMATS, "datetime_like")

    plans: list[ColumnPlan] = []
    warnings: list[IngestWarning] = []
    for column, name in zip(prepared.columns, prepared.names, strict=True):
        if column not in text_columns:
            plans.append(_typed_plan(column, name, described.get(column, "VARCHAR")))
            continue
        s = stats[column]
        total, trimmed, booleans = s["total"], s["trimmed"], s["booleans"]
        integers, decimals, money = s["integers"], s["decimals"], s.get("money", 0)
        scale, digits = s["scale"] or 0, s["digits"] or 0
        low, high = s["low"], s["high"]
        if trimmed:
            warnings.append(
                IngestWarning(
                    "ingest.values-trimmed",
                    f"Spaces around values in {name!r} were removed ({trimmed} of them in the "
                    + ("file)." if limit is None else f"first {limit} rows)."),
                    # ``rows_examined`` None: the count covers the whole file.
                    {"column": name, "count": trimmed, "rows_examined": limit},
                )
            )
        plan = _choose(
            column,
            name,
            f"v_{column}",
            options,
            prepared,
            total,
            booleans,
            integers,
            decimals,
            money,
            scale,
            digits,
            low,
            high,
            date_counts.get(column, {}),
            datetime_counts.get(column, {}),
        )
        if plan.table_type == "string" and total and (decimals + money) >= 0.9 * total:
            warnings.append(
                IngestWarning(
                    "ingest.mostly-numeric",
                    f"{name!r} is mostly numbers but {total - max(decimals, money)} values are "
                    "not, so it is kept as text.",
                    {"column": name, "count": total - max(decimals, money)},
                )
            )
        plan = dataclasses.replace(plan, trim=bool(trimmed))
        if plan.extra.get("bareNumber") is False:
            warnings.append(
                IngestWarning(
                    "ingest.currency-stripped",
                    f"Currency signs and thousands separators were removed from {name!r}.",
                    {"column": name},
                )
            )
        plans.append(plan)
    return plans, warnings


def _aggregate_into(
    connection: duckdb.DuckDBPyConnection,
    sample: str,
    columns: list[str],
    templates: dict[str, str],
    stats: dict[str, dict[str, Any]],
) -> None:
    """Run one aggregate query of ``templates`` (with ``{c}`` raw, ``{v}`` value) per column."""
    if not columns:
        return
    parts = [
        template.format(c=column, v=f"v_{column}")
        for column in columns
        for template in templates.values()
    ]
    row = connection.execute(f"SELECT {', '.join(parts)} FROM {sample}").fetchone()
    assert row is not None
    width = len(templates)
    for index, column in enumerate(columns):
        for offset, name in enumerate(templates):
            value = row[index * width + offset]
            stats[column][name] = int(value) if isinstance(value, int) else value


def _format_counts(
    connection: duckdb.DuckDBPyConnection,
    sample: str,
    stats: dict[str, dict[str, Any]],
    formats: tuple[str, ...],
    like: str,
) -> dict[str, dict[str, int]]:
    """For columns whose every value looks like a date (or datetime): matches per format, tried
    in order and stopping, per column, at the first format every value fits."""
    remaining = [c for c, s in stats.items() if s["total"] and s.get(like) == s["total"]]
    counts: dict[str, dict[str, int]] = {c: {} for c in remaining}
    for pattern in formats:
        if not remaining:
            break
        aggregates = ", ".join(
            f"count(*) FILTER (WHERE try_strptime(v_{c}, {quote_literal(pattern)}) IS NOT NULL)"
            for c in remaining
        )
        row = connection.execute(f"SELECT {aggregates} FROM {sample}").fetchone()
        assert row is not None
        for column, count in zip(remaining, row, strict=True):
            counts[column][pattern] = int(count)
        remaining = [c for c in remaining if counts[c][pattern] != stats[c]["total"]]
    return counts


def _typed_plan(column: str, name: str, sql_type: str) -> ColumnPlan:
    """A column DuckDB already typed (Parquet, JSON): keep it, name its Table Schema type."""
    upper = sql_type.upper()
    if upper in (
        "TINYINT",
        "SMALLINT",
        "INTEGER",
        "BIGINT",
        "HUGEINT",
        "UTINYINT",
        "USMALLINT",
        "UINTEGER",
        "UBIGINT",
    ):
        table_type = "integer"
    elif upper in ("FLOAT", "DOUBLE", "REAL") or upper.startswith("DECIMAL"):
        table_type = "number"
    elif upper == "BOOLEAN":
        table_type = "boolean"
    elif upper == "DATE":
        table_type = "date"
    elif upper.startswith("TIMESTAMP"):
        table_type = "datetime"
    elif upper == "TIME":
        table_type = "time"
    elif upper.endswith("[]"):
        table_type = "array"
    elif upper.startswith(("STRUCT", "MAP", "JSON")):
        table_type = "object"
    else:
        table_type = "string"
    return ColumnPlan(name, column, sql_type, table_type, None, column, ("",), from_text=False)


def _choose(
    column: str,
    name: str,
    value: str,
    options: ReadOptions,
    prepared: PreparedSource,
    total: int,
    booleans: int,
    integers: int,
    decimals: int,
    money: int,
    scale: int,
    digits: int,
    low: int | None,
    high: int | None,
    date_counts: dict[str, int],
    datetime_counts: dict[str, int],
) -> ColumnPlan:
    missing = tuple(options.missing_values)
    if not total:
        return ColumnPlan(name, column, "VARCHAR", "string", None, f"NULLIF(t_{column}, '')", ("",))
    if booleans == total:
        attempt = (
            f"CASE WHEN lower({value}) IN {quote_list(_BOOLEAN_TRUE)} THEN true "
            f"WHEN lower({value}) IN {quote_list(_BOOLEAN_FALSE)} THEN false END"
        )
        return ColumnPlan(
            name,
            column,
            "BOOLEAN",
            "boolean",
            None,
            attempt,
            missing,
            {"trueValues": ["true", "yes"], "falseValues": ["false", "no"]},
        )
    if integers == total:
        serial = (
            prepared.format == "xlsx"
            and "date" in name.casefold()
            and low is not None
            and high is not None
            and _EXCEL_SERIAL_RANGE[0] <= low
            and high <= _EXCEL_SERIAL_RANGE[1]
        )
        if serial:
            attempt = f"DATE '1899-12-30' + TRY_CAST({value} AS INTEGER)"
            return ColumnPlan(name, column, "DATE", "date", "excel-serial", attempt, missing)
        attempt = f"TRY_CAST({value} AS BIGINT)"
        return ColumnPlan(name, column, "BIGINT", "integer", None, attempt, missing)
    if decimals == total or money == total:
        source = value if decimals == total else _money_clean(value)
        extra: dict[str, Any] = {}
        if decimals != total:
            extra = {"bareNumber": False, "groupChar": ","}
        if scale <= 6 and digits + scale <= 18:
            sql_type = f"DECIMAL(18, {scale})"
            # A later value with more decimal places than the sample must not be rounded.
            attempt = (
                f"CASE WHEN strpos({source}, '.') = 0 "
                f"OR length({source}) - strpos({source}, '.') <= {scale} "
                f"THEN TRY_CAST({source} AS {sql_type}) END"
            )
        else:
            sql_type = "DOUBLE"
            attempt = f"TRY_CAST({source} AS DOUBLE)"
        return ColumnPlan(name, column, sql_type, "number", None, attempt, missing, extra)
    for pattern, count in date_counts.items():
        if count == total:
            attempt = f"CAST(try_strptime({value}, {quote_literal(pattern)}) AS DATE)"
            table_format = "default" if pattern == "%Y-%m-%d" else pattern
            return ColumnPlan(name, column, "DATE", "date", table_format, attempt, missing)
    for pattern, count in datetime_counts.items():
        if count == total:
            attempt = f"try_strptime({value}, {quote_literal(pattern)})"
            return ColumnPlan(
                name,
                column,
                "TIMESTAMP",
                "datetime",
                pattern,
                attempt,
                missing,
            )
    return ColumnPlan(name, column, "VARCHAR", "string", None, f"NULLIF(t_{column}, '')", ("",))


def _copy_sql(
    prepared: PreparedSource, plans: list[ColumnPlan], options: ReadOptions, dest: Path
) -> str:
    """``COPY`` the typed columns to Parquet; every text column's cast is checked.

    Layers, so each expression is computed once per value: raw → trimmed ``t_`` → value ``v_``
    (missing markers as NULL) → attempt ``a_`` (a TRY_ cast) → the output column, which raises
    a DuckDB error naming the column where a value was present but the attempt gave NULL.
    """
    text_columns = [plan.source for plan in plans if plan.from_text]
    where = _non_blank_filter(prepared) if prepared.varchar else "true"
    source = _with_values(
        prepared,
        options,
        text_columns,
        f"(SELECT * FROM {prepared.relation} WHERE {where})",
        trim={plan.source for plan in plans if plan.trim},
    )
    attempts = ", ".join(f"{plan.expression} AS a_{plan.source}" for plan in plans)
    outputs = []
    for plan in plans:
        attempt = f"a_{plan.source}"
        if plan.from_text and plan.table_type != "string":
            message = quote_literal(f"{TYPE_MISMATCH}:{plan.name}")
            attempt = (
                f"CASE WHEN {attempt} IS NULL AND v_{plan.source} IS NOT NULL "
                f"THEN error({message}) ELSE {attempt} END"
            )
        outputs.append(f"CAST({attempt} AS {plan.sql_type}) AS {quote_identifier(plan.name)}")
    select = f"SELECT {', '.join(outputs)} FROM (SELECT *, {attempts} FROM {source})"
    return (
        f"COPY ({select}) TO {quote_literal(str(dest))} "
        "(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)"
    )


def _rejects(connection: duckdb.DuckDBPyConnection) -> list[tuple[int, str, str]]:
    try:
        rows = connection.execute(
            "SELECT DISTINCT line, error_type, csv_line FROM reject_errors ORDER BY line"
        ).fetchall()
    except duckdb.Error:
        return []
    return [(int(line), str(kind), str(text)) for line, kind, text in rows]


def _execute_with_progress(
    connection: duckdb.DuckDBPyConnection,
    sql: str,
    total: int | None,
    progress: Callable[[int, int | None], None] | None,
) -> None:
    """Run a long statement on a helper thread while this thread polls DuckDB's progress and
    calls ``progress``: the callback runs on the caller's thread (it may write to a database
    through a per-thread connection, as Django's ORM does)."""
    if progress is None:
        connection.execute(sql)
        return
    failure: list[BaseException] = []

    def run() -> None:
        try:
            connection.execute(sql)
        except BaseException as error:  # handed to the caller's thread below
            failure.append(error)

    worker = threading.Thread(target=run, name="datalab-convert", daemon=True)
    worker.start()
    scale = total or 100
    while True:
        worker.join(0.25)
        if not worker.is_alive():
            break
        fraction = connection.query_progress()
        if fraction >= 0:
            progress(int(scale * min(fraction, 100.0) / 100.0), total)
    if failure:
        raise failure[0]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1024 * 1024):
            digest.update(block)
    return digest.hexdigest()


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _mismatch_column(error: duckdb.Error) -> str | None:
    text = str(error)
    if TYPE_MISMATCH not in text:
        return None
    return text.split(f"{TYPE_MISMATCH}:", 1)[1].splitlines()[0].strip()


def convert_to_parquet(
    source: Path,
    dest_dir: Path,
    *,
    options: ReadOptions | None = None,
    progress: Callable[[int, int | None], None] | None = None,
) -> ConversionResult:
    """Read ``source`` (CSV, XLSX, Parquet, JSON, NDJSON) and write a typed Parquet file.

    The result's ``path`` is ``dest_dir / f"{sha256}.parquet"`` where ``sha256`` is the hash of
    the Parquet bytes. Scratch files live in a ``.incoming-*`` directory inside ``dest_dir`` and
    are removed on success and on failure. ``progress(done, total)`` is called on the
    calling thread with bytes of the source done and in total; while an XLSX sheet is being
    read it counts sheet rows with ``total=None``.
    Raises :class:`~infuse.datalab.readers.IngestError` for anything wrong with the file.
    """
    options = options or ReadOptions()
    dest_dir.mkdir(parents=True, exist_ok=True)
    work_dir = Path(tempfile.mkdtemp(dir=dest_dir, prefix=TEMPORARY_PREFIX))
    total = source.stat().st_size if source.is_file() else None
    try:
        force_transcode = False
        for _attempt in range(2):
            connection = _connect(work_dir, options)
            try:
                connection.execute("SET enable_progress_bar = true")
                connection.execute("SET enable_progress_bar_print = false")
            except duckdb.Error:
                pass
            try:
                prepared = prepare_source(
                    source,
                    work_dir,
                    options,
                    describe=functools.partial(_describe, connection),
                    force_transcode=force_transcode,
                    progress=progress,
                )
                try:
                    outcome = _convert_prepared(
                        connection, prepared, options, work_dir, total, progress
                    )
                finally:
                    remove_temporaries(prepared)
            finally:
                connection.close()
            if outcome == "retry-transcoded" and not force_transcode:
                force_transcode = True
                continue
            assert isinstance(outcome, ConversionResult)
            return _place(outcome, dest_dir)
        raise IngestError(
            "ingest.undecodable-bytes", "The file contains bytes that are not valid text."
        )
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)


def _convert_prepared(
    connection: duckdb.DuckDBPyConnection,
    prepared: PreparedSource,
    options: ReadOptions,
    work_dir: Path,
    total: int | None,
    progress: Callable[[int, int | None], None] | None,
) -> ConversionResult | str:
    temporary = work_dir / "typed.parquet"
    warnings = list(prepared.warnings)
    try:
        plans, inference_warnings = infer_plan(
            connection, prepared, options, limit=options.inference_rows
        )
    except _MACHINE_ERRORS:
        raise
    except duckdb.Error as error:
        raise _read_error(prepared, error) from error
    try:
        _execute_with_progress(
            connection, _copy_sql(prepared, plans, options, temporary), total, progress
        )
    except _MACHINE_ERRORS:
        raise
    except duckdb.Error as error:
        if _mismatch_column(error) is None:
            raise _read_error(prepared, error) from error
        # The sample misled us: look at every row, then copy again.
        if _has_rejects(connection):
            connection.execute("DELETE FROM reject_errors")
        plans, inference_warnings = infer_plan(connection, prepared, options, limit=None)
        temporary.unlink(missing_ok=True)
        _execute_with_progress(
            connection, _copy_sql(prepared, plans, options, temporary), total, progress
        )
    warnings.extend(inference_warnings)

    rejects = _rejects(connection)
    if any(kind == "INVALID ENCODING" for _, kind, _ in rejects):
        return "retry-transcoded"
    if rejects:
        problems = [
            {"row": line, "error": kind, "text": text[:200]} for line, kind, text in rejects
        ]
        if not options.skip_bad_rows:
            raise IngestError(
                "ingest.ragged-rows",
                f"{len(rejects)} rows do not have the same number of columns as the header "
                f"(first at line {rejects[0][0]}).",
                problems=problems,
                rows=[line for line, _, _ in rejects[:20]],
                count=len(rejects),
            )
        warnings.append(
            IngestWarning(
                "ingest.bad-rows-skipped",
                f"{len(rejects)} malformed rows were skipped.",
                {"rows": [line for line, _, _ in rejects[:20]], "count": len(rejects)},
            )
        )

    row_count, missing_counts = _null_counts(connection, temporary, plans)
    if row_count == 0:
        raise IngestError("ingest.header-only", "The file has a header but no data rows.")
    schema = table_schema(plans, missing_counts)
    if progress is not None and total is not None:
        progress(total, total)
    return ConversionResult(
        path=temporary,
        sha256="",
        size=temporary.stat().st_size,
        row_count=row_count,
        schema=schema,
        missing_counts=missing_counts,
        warnings=warnings,
        source_format=prepared.format,
        encoding=prepared.encoding,
        delimiter=prepared.delimiter,
    )


def _null_counts(
    connection: duckdb.DuckDBPyConnection, path: Path, plans: list[ColumnPlan]
) -> tuple[int, dict[str, int]]:
    """Rows and nulls per column, from the Parquet footer's statistics when they are all there
    (free), else by scanning the file."""
    location = quote_literal(str(path))
    total = connection.execute(
        f"SELECT coalesce(sum(num_rows), 0) FROM parquet_file_metadata({location})"
    ).fetchone()
    found = dict(
        connection.execute(
            "SELECT path_in_schema, sum(stats_null_count) FROM parquet_metadata("
            f"{location}) GROUP BY path_in_schema HAVING count(stats_null_count) = count(*)"
        ).fetchall()
    )
    if total is not None and all(plan.name in found for plan in plans):
        return int(total[0]), {plan.name: int(found[plan.name]) for plan in plans}
    counts = ", ".join(f"count(*) - count({quote_identifier(plan.name)})" for plan in plans)
    row = connection.execute(f"SELECT count(*), {counts} FROM read_parquet({location})").fetchone()
    assert row is not None
    return int(row[0]), {plan.name: int(n) for plan, n in zip(plans, row[1:], strict=True)}


def _has_rejects(connection: duckdb.DuckDBPyConnection) -> bool:
    try:
        connection.execute("SELECT 1 FROM reject_errors LIMIT 1")
    except duckdb.Error:
        return False
    return True


#: Failures of the machine, not of the file (memory, disk, interruption): never blamed on the
#: upload; they propagate unchanged for the caller's internal-error handling.
_MACHINE_ERRORS = (duckdb.OutOfMemoryException, duckdb.IOException, duckdb.InterruptException)


def _read_error(prepared: PreparedSource, error: duckdb.Error) -> IngestError:
    text = str(error).splitlines()[0]
    key = "ingest.invalid-json" if prepared.format in ("json", "ndjson") else "ingest.unreadable"
    return IngestError(key, f"The file could not be read: {text}", detail=text)


def _place(result: ConversionResult, dest_dir: Path) -> ConversionResult:
    """fsync the finished file, name it by its SHA-256 and rename it into ``dest_dir``."""
    _fsync(result.path)
    digest = _sha256(result.path)
    final = dest_dir / f"{digest}.parquet"
    os.replace(result.path, final)
    _fsync(dest_dir)
    result.path = final
    result.sha256 = digest
    return result


def table_schema(plans: list[ColumnPlan], missing_counts: dict[str, int]) -> dict[str, Any]:
    """A Frictionless Table Schema for the typed columns."""
    fields: list[dict[str, Any]] = []
    for plan in plans:
        entry: dict[str, Any] = {"name": plan.name, "type": plan.table_type}
        if plan.format:
            entry["format"] = plan.format
        entry.update(plan.extra)
        entry["missingValues"] = list(plan.missing_values)
        if missing_counts.get(plan.name, 0) == 0:
            entry["constraints"] = {"required": True}
        fields.append(entry)
    return {"fields": fields, "missingValues": [""]}
