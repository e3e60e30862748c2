# ruff: noqa: S608 - SQL is assembled from quoted identifiers and escaped literals only.
"""Convert an upload into a typed Parquet file and a Frictionless Table Schema, in bounded memory.

The whole pipeline runs inside DuckDB, which streams the file in chunks and spills to disk under
its memory limit, so Python never holds the rows:

1. :func:`infuse.datalab.ingest.readers.prepare_source` makes the file readable as text columns.
2. Type inference (:mod:`infuse.datalab.ingest.inference`): aggregate queries over the first
   ``inference_rows`` data rows choose, per column, the first type every non-missing value
   fits (booleans, integers, decimals, money, UK dates, datetimes), else text.
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

import functools
import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from infuse import analytics
from infuse.analytics.quoting import quote_identifier, quote_literal
from infuse.core import files, lazy
from infuse.datalab.ingest.inference import (
    ColumnPlan,
    describe,
    infer_plan,
    non_blank_filter,
    with_values,
)
from infuse.datalab.ingest.readers import prepare_source, remove_temporaries
from infuse.datalab.ingest.sources import (
    IngestError,
    IngestWarning,
    PreparedSource,
    ReadOptions,
    SourceFormat,
)

if TYPE_CHECKING:
    import duckdb
else:
    duckdb = lazy.module("duckdb")

TEMPORARY_PREFIX = ".incoming-"
TYPE_MISMATCH = "infuse-type-mismatch"

Progress = Callable[[int, int | None], None]


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
    title_lines: list[str] = field(default_factory=list)


def _connect(work_dir: Path, options: ReadOptions) -> duckdb.DuckDBPyConnection:
    """DuckDB with the upload's memory cap, spilling to ``work_dir``, keeping file order."""
    return analytics.open_duckdb(
        memory_limit=options.duckdb_memory_limit,
        temp_directory=work_dir / "spill",
        preserve_insertion_order=True,
    )


def _copy_sql(
    prepared: PreparedSource, plans: list[ColumnPlan], options: ReadOptions, dest: Path
) -> str:
    """``COPY`` the typed columns to Parquet; every text column's cast is checked.

    Layers, so each expression is computed once per value: raw → trimmed ``t_`` → value ``v_``
    (missing markers as NULL) → attempt ``a_`` (a TRY_ cast) → the output column, which raises
    a DuckDB error naming the column where a value was present but the attempt gave NULL.
    """
    text_columns = [plan.source for plan in plans if plan.from_text]
    where = non_blank_filter(prepared) if prepared.varchar else "true"
    source = with_values(
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
    progress: Progress | None,
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
    progress: Progress | None = None,
) -> ConversionResult:
    """Read ``source`` (CSV, XLSX, Parquet, JSON, NDJSON) and write a typed Parquet file.

    The result's ``path`` is ``dest_dir / f"{sha256}.parquet"`` where ``sha256`` is the hash of
    the Parquet bytes. Scratch files live in a ``.incoming-*`` directory inside ``dest_dir`` and
    are removed on success and on failure. ``progress(done, total)`` is called on the
    calling thread with bytes of the source done and in total; while an XLSX sheet is being
    read it counts sheet rows with ``total=None``.
    Raises :class:`~infuse.datalab.ingest.sources.IngestError` for anything wrong with the file.
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
                    describe=functools.partial(describe, connection),
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
    progress: Progress | None,
) -> ConversionResult | str:
    """The typed Parquet file of a prepared source (not yet named by its hash), or
    ``"retry-transcoded"`` when DuckDB met bytes it could not decode."""
    temporary = work_dir / "typed.parquet"
    plans, inference_warnings = _copy_typed(
        connection, prepared, options, temporary, total, progress
    )
    warnings = [*prepared.warnings, *inference_warnings]
    rejects = _rejects(connection)
    if any(kind == "INVALID ENCODING" for _, kind, _ in rejects):
        return "retry-transcoded"
    if rejects:
        warnings.append(_skipped_rows(rejects, options))
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
        title_lines=prepared.title_lines,
    )


def _copy_typed(
    connection: duckdb.DuckDBPyConnection,
    prepared: PreparedSource,
    options: ReadOptions,
    temporary: Path,
    total: int | None,
    progress: Progress | None,
) -> tuple[list[ColumnPlan], list[IngestWarning]]:
    """Infer the types from the sample and copy; when a later value does not fit, infer again
    over every row and copy again. Returns the plans the copy used and their warnings."""
    try:
        plans, warnings = infer_plan(connection, prepared, options, limit=options.inference_rows)
    except _machine_errors():
        raise
    except duckdb.Error as error:
        raise _read_error(prepared, error) from error
    try:
        _execute_with_progress(
            connection, _copy_sql(prepared, plans, options, temporary), total, progress
        )
    except _machine_errors():
        raise
    except duckdb.Error as error:
        if _mismatch_column(error) is None:
            raise _read_error(prepared, error) from error
        # The sample misled us: look at every row, then copy again.
        if _has_rejects(connection):
            connection.execute("DELETE FROM reject_errors")
        plans, warnings = infer_plan(connection, prepared, options, limit=None)
        temporary.unlink(missing_ok=True)
        _execute_with_progress(
            connection, _copy_sql(prepared, plans, options, temporary), total, progress
        )
    return plans, warnings


def _skipped_rows(rejects: list[tuple[int, str, str]], options: ReadOptions) -> IngestWarning:
    """Rows DuckDB rejected (a different number of fields): refused, unless the options say
    to skip them, and then said so."""
    if not options.skip_bad_rows:
        raise IngestError(
            "ingest.ragged-rows",
            f"{len(rejects)} rows do not have the same number of columns as the header "
            f"(first at line {rejects[0][0]}).",
            problems=[
                {"row": line, "error": kind, "text": text[:200]} for line, kind, text in rejects
            ],
            rows=[line for line, _, _ in rejects[:20]],
            count=len(rejects),
        )
    return IngestWarning(
        "ingest.bad-rows-skipped",
        f"{len(rejects)} malformed rows were skipped.",
        {"rows": [line for line, _, _ in rejects[:20]], "count": len(rejects)},
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


def _machine_errors() -> tuple[type[duckdb.Error], ...]:
    """Failures of the machine, not of the file (memory, disk, interruption): never blamed on
    the upload; they propagate unchanged for the caller's internal-error handling."""
    return (duckdb.OutOfMemoryException, duckdb.IOException, duckdb.InterruptException)


def _read_error(prepared: PreparedSource, error: duckdb.Error) -> IngestError:
    text = str(error).splitlines()[0]
    key = "ingest.invalid-json" if prepared.format in ("json", "ndjson") else "ingest.unreadable"
    return IngestError(key, f"The file could not be read: {text}", detail=text)


def _place(result: ConversionResult, dest_dir: Path) -> ConversionResult:
    """fsync the finished file, name it by its SHA-256 and rename it into ``dest_dir``."""
    _fsync(result.path)
    digest = files.sha256_of(result.path)
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
