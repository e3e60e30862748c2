# ruff: noqa: S608 - SQL is assembled from quoted identifiers and escaped literals only.
"""Check a typed Parquet file against a declared schema, as SQL in DuckDB.

The declared schema is a dict in the shape of a Frictionless Table Schema
(https://specs.frictionlessdata.io/table-schema/): ``fields`` with ``name``, ``type`` (string,
integer, number, boolean, date, datetime, year, any) and ``constraints`` (required, unique, enum,
minimum, maximum, exclusiveMinimum, exclusiveMaximum, minLength, maxLength, pattern), plus
``primaryKey``. InFuSe adds ``"council": true`` on a field: each value must be one of the councils
passed in, by GSS code or English or Welsh name (case, spacing and "&"/"and" ignored).

Why SQL and not a Python loop: every check is a ``WHERE`` clause over the Parquet columns, all
checks are one ``UNION ALL`` that DuckDB runs columnar and in parallel, and only the first few
examples per (column, key) come back to Python, while the counts stay exact. A million-row file
with a problem in every row costs the same as a clean one, give or take.

Row numbers are 1-based data rows of the Parquet file (the header is not a row; blank lines the
conversion skipped are not counted). Each problem carries a stable message key
(``validation.*``), its parameters and an English default message.
All SQL here is built from quoted identifiers and escaped literals only.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from infuse import analytics
from infuse.analytics.quoting import quote_literal, sql_value
from infuse.core import lazy
from infuse.datalab.ingest.checks import Check, Council, SchemaError, build_checks

if TYPE_CHECKING:
    import duckdb
else:
    duckdb = lazy.module("duckdb")

MESSAGES: dict[str, str] = {
    "validation.column-missing": "The column {column!r} is missing.",
    "validation.unexpected-column": "The column {column!r} is not in the schema.",
    "validation.required-missing": "A value is required in {column!r}.",
    "validation.not-an-integer": "{value!r} in {column!r} is not a whole number.",
    "validation.not-a-number": "{value!r} in {column!r} is not a number.",
    "validation.not-a-boolean": "{value!r} in {column!r} is not true or false.",
    "validation.not-a-date": "{value!r} in {column!r} is not a date.",
    "validation.not-a-datetime": "{value!r} in {column!r} is not a date and time.",
    "validation.below-minimum": "{value!r} in {column!r} is below the minimum {minimum}.",
    "validation.above-maximum": "{value!r} in {column!r} is above the maximum {maximum}.",
    "validation.too-short": "{value!r} in {column!r} is shorter than {min_length} characters.",
    "validation.too-long": "{value!r} in {column!r} is longer than {max_length} characters.",
    "validation.pattern-mismatch": "{value!r} in {column!r} does not match {pattern!r}.",
    "validation.not-in-enum": "{value!r} in {column!r} is not one of the allowed values.",
    "validation.duplicate-value": "{value!r} in {column!r} appears more than once.",
    "validation.duplicate-key": "The key {value!r} ({column}) appears more than once.",
    "validation.unknown-council": "{value!r} in {column!r} is not one of the councils.",
}


@dataclass(frozen=True)
class Problem:
    """One problem: ``row`` is the 1-based data row (``None`` for a whole-column problem)."""

    row: int | None
    column: str
    value: str | None
    key: str
    params: dict[str, Any]
    message: str


@dataclass(frozen=True)
class ProblemGroup:
    """All problems with one (column, key): the exact ``count`` and the first examples."""

    column: str
    key: str
    count: int
    examples: list[Problem]


@dataclass
class ValidationReport:
    """The outcome of :func:`validate_parquet`; keeps what :func:`split_valid_rows` needs."""

    path: Path
    schema: dict[str, Any]
    councils: tuple[Council, ...]
    row_count: int
    invalid_row_count: int
    groups: list[ProblemGroup] = field(default_factory=list)
    max_examples: int = 20

    @property
    def problem_count(self) -> int:
        return sum(group.count for group in self.groups)

    @property
    def is_valid(self) -> bool:
        return not self.groups

    @property
    def has_column_problems(self) -> bool:
        return any(example.row is None for group in self.groups for example in group.examples)

    def group(self, column: str, key: str) -> ProblemGroup | None:
        for candidate in self.groups:
            if candidate.column == column and candidate.key == key:
                return candidate
        return None


def _problem(
    row: int | None, column: str, value: str | None, key: str, params: dict[str, Any]
) -> Problem:
    template = MESSAGES.get(key, key)
    try:
        message = template.format(column=column, value=value, **params)
    except (KeyError, IndexError, ValueError):
        message = template
    return Problem(row, column, value, key, dict(params), message)


def _connect(path: Path) -> duckdb.DuckDBPyConnection:
    connection = analytics.open_duckdb()
    location = quote_literal(path)
    connection.execute(
        "CREATE TEMP VIEW base AS SELECT * EXCLUDE (file_row_number), "
        f"file_row_number + 1 AS __row FROM read_parquet({location}, file_row_number=true)"
    )
    return connection


def _problem_table(connection: duckdb.DuckDBPyConnection, checks: list[Check]) -> None:
    """Materialise every row-level problem as (__row, check_id, value) in a temp table."""
    if not checks:
        connection.execute(
            "CREATE TEMP TABLE problems (__row BIGINT, check_id INTEGER, value VARCHAR)"
        )
        return
    union = " UNION ALL ".join(
        f"SELECT __row, {index} AS check_id, value FROM ({check.sql})"
        for index, check in enumerate(checks)
    )
    try:
        connection.execute(f"CREATE TEMP TABLE problems AS {union}")
    except duckdb.Error as error:
        raise SchemaError(
            f"The schema could not be applied: {str(error).splitlines()[0]}",
            detail=str(error).splitlines()[0],
        ) from error


def validate_parquet(
    path: Path,
    schema: dict[str, Any],
    *,
    councils: Sequence[Council] = (),
    max_examples: int = 20,
) -> ValidationReport:
    """Check every row of ``path`` against ``schema``; see the module docstring for the rules.

    Returns a :class:`ValidationReport` grouped by (column, message key), with exact counts and
    the first ``max_examples`` problems of each group in row order. Raises :class:`SchemaError`
    when the schema itself is malformed.
    """
    connection = _connect(path)
    try:
        described = connection.execute("DESCRIBE SELECT * EXCLUDE (__row) FROM base").fetchall()
        columns = {str(row[0]): str(row[1]) for row in described}
        checks, missing_or_unexpected = build_checks(schema, columns, councils)
        _problem_table(connection, checks)
        row_count_row = connection.execute("SELECT count(*) FROM base").fetchone()
        invalid_row = connection.execute("SELECT count(DISTINCT __row) FROM problems").fetchone()
        counts = dict(
            connection.execute(
                "SELECT check_id, count(*) FROM problems GROUP BY check_id"
            ).fetchall()
        )
        # A literal, not a parameter: DuckDB imports pandas (0.5 s) to inspect parameters.
        examples = connection.execute(
            "SELECT check_id, __row, value FROM problems QUALIFY row_number() OVER "
            f"(PARTITION BY check_id ORDER BY __row) <= {int(max_examples)} "
            "ORDER BY check_id, __row"
        ).fetchall()
    finally:
        connection.close()

    grouped: dict[tuple[str, str], tuple[int, list[Problem]]] = {}
    for column, key in missing_or_unexpected:
        grouped[(column, key)] = (1, [_problem(None, column, None, key, {})])
    by_check: dict[int, list[Problem]] = {}
    for check_id, row, value in examples:
        check = checks[check_id]
        by_check.setdefault(check_id, []).append(
            _problem(int(row), check.column, value, check.key, check.params)
        )
    for check_id, count in sorted(counts.items()):
        check = checks[check_id]
        previous_count, previous = grouped.get((check.column, check.key), (0, []))
        merged = sorted(
            previous + by_check.get(check_id, []), key=lambda problem: problem.row or 0
        )[:max_examples]
        grouped[(check.column, check.key)] = (previous_count + int(count), merged)
    groups = [
        ProblemGroup(column, key, count, found) for (column, key), (count, found) in grouped.items()
    ]
    assert row_count_row is not None and invalid_row is not None
    return ValidationReport(
        path=path,
        schema=schema,
        councils=tuple(councils),
        row_count=int(row_count_row[0]),
        invalid_row_count=int(invalid_row[0]),
        groups=groups,
        max_examples=max_examples,
    )


def _write_atomically(connection: duckdb.DuckDBPyConnection, select: str, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=dest.parent, prefix=".incoming-", suffix=".parquet")
    os.close(handle)
    temporary = Path(name)
    try:
        location = quote_literal(temporary)
        connection.execute(f"COPY ({select}) TO {location} (FORMAT parquet, COMPRESSION zstd)")
        descriptor = os.open(temporary, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        os.replace(temporary, dest)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def split_valid_rows(
    path: Path, report: ValidationReport, valid_dest: Path, quarantine_dest: Path
) -> tuple[int, int]:
    """Write the rows without problems to ``valid_dest`` and every other row to
    ``quarantine_dest``, each written atomically; returns (valid rows, quarantined rows).

    The quarantine file keeps the row's original columns plus ``_row`` (its 1-based row in the
    source Parquet) and ``_problems`` (a list of {column_name, key, value}), so nothing is
    silently dropped. Whole-column problems (a missing column) do not mark rows; a caller who
    wants to reject those should look at ``report.has_column_problems``.
    """
    connection = _connect(path)
    try:
        described = connection.execute("DESCRIBE SELECT * EXCLUDE (__row) FROM base").fetchall()
        columns = {str(row[0]): str(row[1]) for row in described}
        checks, _ = build_checks(report.schema, columns, report.councils)
        _problem_table(connection, checks)
        labels = ", ".join(
            f"({index}, {sql_value(check.column)}, {sql_value(check.key)})"
            for index, check in enumerate(checks)
        )
        if checks:
            connection.execute(
                "CREATE TEMP TABLE check_labels "
                "(check_id INTEGER, column_name VARCHAR, key VARCHAR)"
            )
            connection.execute(f"INSERT INTO check_labels VALUES {labels}")
            connection.execute(
                "CREATE TEMP TABLE row_problems AS SELECT p.__row, list(struct_pack("
                "column_name := l.column_name, key := l.key, value := p.value) "
                "ORDER BY p.check_id) AS _problems FROM problems p JOIN check_labels l "
                "USING (check_id) GROUP BY p.__row"
            )
        else:
            connection.execute(
                "CREATE TEMP TABLE row_problems AS SELECT NULL::BIGINT AS __row, "
                'NULL::STRUCT("column" VARCHAR, key VARCHAR, value VARCHAR)[] AS _problems '
                "WHERE false"
            )
        _write_atomically(
            connection,
            "SELECT * EXCLUDE (__row) FROM base WHERE __row NOT IN "
            "(SELECT __row FROM row_problems) ORDER BY __row",
            valid_dest,
        )
        _write_atomically(
            connection,
            "SELECT b.* EXCLUDE (__row), b.__row AS _row, r._problems FROM base b "
            "JOIN row_problems r USING (__row) ORDER BY b.__row",
            quarantine_dest,
        )
        counts = connection.execute(
            "SELECT (SELECT count(*) FROM base) - (SELECT count(*) FROM row_problems), "
            "(SELECT count(*) FROM row_problems)"
        ).fetchone()
    finally:
        connection.close()
    assert counts is not None
    return int(counts[0]), int(counts[1])
