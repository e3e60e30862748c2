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

import datetime as dt
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from infuse.analytics.connection import open_duckdb
from infuse.analytics.quoting import quote_identifier, quote_literal, sql_value
from infuse.core.councils import COUNCIL_SUFFIX, normalise_council_name

Council = tuple[str, str, str]  # (GSS code, English name, Welsh name)

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

_TYPE_KEYS = {
    "integer": "validation.not-an-integer",
    "year": "validation.not-an-integer",
    "number": "validation.not-a-number",
    "boolean": "validation.not-a-boolean",
    "date": "validation.not-a-date",
    "datetime": "validation.not-a-datetime",
}
_KNOWN_TYPES = {*_TYPE_KEYS, "string", "any"}
_INTEGER_TYPES = {
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
}


class SchemaError(ValueError):
    """The declared schema itself is malformed (a person can fix it)."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message)
        self.key = "validation.invalid-schema"
        self.params: dict[str, Any] = params
        self.problems: list[dict[str, Any]] = []


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


@dataclass(frozen=True)
class _Check:
    column: str
    key: str
    params: dict[str, Any]
    sql: str  # SELECT __row, value FROM ... WHERE <problem>


_COUNCIL_SQL = (
    "regexp_replace(regexp_replace(trim(regexp_replace(replace(replace(lower(CAST({} AS VARCHAR)),"
    " '&', ' and '), '-', ' '), '\\s+', ' ', 'g')), '^the ', ''), '" + COUNCIL_SUFFIX + "', '')"
)


def _typed_expression(
    column: str, declared: str, actual: str, field_format: str | None
) -> tuple[str, str | None]:
    """The column as its declared type, and a predicate that is true where it is not that type."""
    col = quote_identifier(column)
    actual = actual.upper()
    text = f"trim(CAST({col} AS VARCHAR))"
    is_integer = actual in _INTEGER_TYPES
    is_numeric = is_integer or actual in ("FLOAT", "DOUBLE", "REAL") or actual.startswith("DECIMAL")
    if declared in ("string", "any"):
        return col, None
    if declared in ("integer", "year"):
        if is_integer:
            return col, None
        if is_numeric:
            return f"TRY_CAST({col} AS BIGINT)", f"{col} <> floor({col})"
        typed = f"TRY_CAST({text} AS BIGINT)"
    elif declared == "number":
        if is_numeric:
            return col, None
        typed = f"TRY_CAST(replace({text}, ',', '') AS DOUBLE)"
    elif declared == "boolean":
        if actual == "BOOLEAN":
            return col, None
        typed = (
            f"CASE WHEN lower({text}) IN ('true','yes','1') THEN true "
            f"WHEN lower({text}) IN ('false','no','0') THEN false END"
        )
    elif declared == "date":
        if actual == "DATE":
            return col, None
        if actual.startswith("TIMESTAMP"):
            return f"CAST({col} AS DATE)", None
        if field_format and field_format not in ("default", "any"):
            typed = f"CAST(try_strptime({text}, {sql_value(field_format)}) AS DATE)"
        else:
            typed = f"TRY_CAST({text} AS DATE)"
    elif declared == "datetime":
        if actual.startswith("TIMESTAMP") or actual == "DATE":
            return f"CAST({col} AS TIMESTAMP)", None
        if field_format and field_format not in ("default", "any"):
            typed = f"try_strptime({text}, {sql_value(field_format)})"
        else:
            typed = f"TRY_CAST({text} AS TIMESTAMP)"
    else:
        raise SchemaError(f"Unknown field type {declared!r}.", type=declared)
    return typed, f"{col} IS NOT NULL AND ({typed}) IS NULL"


def _checks(
    schema: dict[str, Any],
    columns: dict[str, str],
    councils: Sequence[Council],
) -> tuple[list[_Check], list[Problem]]:
    """SQL checks for the present columns, and the whole-column problems found already."""
    if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list):
        raise SchemaError("The schema must be an object with a list of fields.")
    base = "base"
    checks: list[_Check] = []
    column_problems: list[Problem] = []
    by_folded = {name.strip().casefold(): name for name in columns}
    declared_names: set[str] = set()
    resolved: dict[str, str] = {}
    for spec in schema["fields"]:
        if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
            raise SchemaError("Every field needs a name.")
        name = spec["name"]
        declared = spec.get("type", "string")
        if declared not in _KNOWN_TYPES:
            raise SchemaError(f"Unknown field type {declared!r}.", field=name, type=declared)
        declared_names.add(name.strip().casefold())
        actual_name = name if name in columns else by_folded.get(name.strip().casefold())
        if actual_name is None:
            column_problems.append(_problem(None, name, None, "validation.column-missing", {}))
            continue
        resolved[name] = actual_name
        col = quote_identifier(actual_name)
        typed, not_typed = _typed_expression(
            actual_name, declared, columns[actual_name], spec.get("format")
        )
        constraints = spec.get("constraints") or {}

        def add(
            key: str,
            predicate: str,
            params: dict[str, Any] | None = None,
            name: str = name,
            col: str = col,
        ) -> None:
            checks.append(
                _Check(
                    name,
                    key,
                    params or {},
                    f"SELECT __row, CAST({col} AS VARCHAR) AS value FROM {base} WHERE {predicate}",
                )
            )

        if constraints.get("required"):
            add("validation.required-missing", f"{col} IS NULL")
        if not_typed is not None:
            add(_TYPE_KEYS[declared], not_typed)
        present = f"({typed}) IS NOT NULL"
        for bound, key, operator in (
            ("minimum", "validation.below-minimum", "<"),
            ("exclusiveMinimum", "validation.below-minimum", "<="),
            ("maximum", "validation.above-maximum", ">"),
            ("exclusiveMaximum", "validation.above-maximum", ">="),
        ):
            if bound in constraints:
                limit = constraints[bound]
                if declared == "date" and isinstance(limit, str):
                    limit = dt.date.fromisoformat(limit)
                elif declared == "datetime" and isinstance(limit, str):
                    limit = dt.datetime.fromisoformat(limit)
                param = "minimum" if "inimum" in bound else "maximum"
                add(
                    key,
                    f"{present} AND ({typed}) {operator} {sql_value(limit)}",
                    {param: constraints[bound]},
                )
        if "minLength" in constraints:
            add(
                "validation.too-short",
                f"{col} IS NOT NULL AND length(CAST({col} AS VARCHAR)) < "
                f"{int(constraints['minLength'])}",
                {"min_length": constraints["minLength"]},
            )
        if "maxLength" in constraints:
            add(
                "validation.too-long",
                f"{col} IS NOT NULL AND length(CAST({col} AS VARCHAR)) > "
                f"{int(constraints['maxLength'])}",
                {"max_length": constraints["maxLength"]},
            )
        if "pattern" in constraints:
            add(
                "validation.pattern-mismatch",
                f"{col} IS NOT NULL AND NOT regexp_full_match(CAST({col} AS VARCHAR), "
                f"{sql_value(constraints['pattern'])})",
                {"pattern": constraints["pattern"]},
            )
        if "enum" in constraints:
            allowed = constraints["enum"]
            if not isinstance(allowed, list) or not allowed:
                raise SchemaError(f"The enum of {name!r} must be a non-empty list.", field=name)
            if declared in ("integer", "number", "year"):
                listed = ", ".join(sql_value(value) for value in allowed)
                add("validation.not-in-enum", f"{present} AND ({typed}) NOT IN ({listed})")
            else:
                listed = ", ".join(sql_value(str(value)) for value in allowed)
                add(
                    "validation.not-in-enum",
                    f"{col} IS NOT NULL AND CAST({col} AS VARCHAR) NOT IN ({listed})",
                    {"allowed": allowed},
                )
        if constraints.get("unique"):
            checks.append(
                _Check(
                    name,
                    "validation.duplicate-value",
                    {},
                    f"SELECT __row, value FROM (SELECT __row, CAST({col} AS VARCHAR) AS value, "
                    f"row_number() OVER (PARTITION BY {col} ORDER BY __row) AS occurrence "
                    f"FROM {base} WHERE {col} IS NOT NULL) WHERE occurrence > 1",
                )
            )
        if spec.get("council"):
            known = sorted(
                {normalise_council_name(part) for council in councils for part in council if part}
            )
            if not known:
                raise SchemaError("A council field needs the list of councils.", field=name)
            listed = ", ".join(sql_value(value) for value in known)
            add(
                "validation.unknown-council",
                f"{col} IS NOT NULL AND {_COUNCIL_SQL.format(col)} NOT IN ({listed})",
            )

    primary_key = schema.get("primaryKey")
    if primary_key:
        keys = [primary_key] if isinstance(primary_key, str) else list(primary_key)
        if all(key in resolved for key in keys):
            cols = [quote_identifier(resolved[key]) for key in keys]
            joined = " || ' | ' || ".join(f"coalesce(CAST({c} AS VARCHAR), '')" for c in cols)
            label = ", ".join(keys)
            for key_name, c in zip(keys, cols, strict=True):
                checks.append(
                    _Check(
                        key_name,
                        "validation.required-missing",
                        {"primary_key": True},
                        f"SELECT __row, NULL AS value FROM {base} WHERE {c} IS NULL",
                    )
                )
            checks.append(
                _Check(
                    label,
                    "validation.duplicate-key",
                    {"key": keys},
                    f"SELECT __row, value FROM (SELECT __row, {joined} AS value, "
                    f"row_number() OVER (PARTITION BY {', '.join(cols)} ORDER BY __row) AS n "
                    f"FROM {base}) WHERE n > 1",
                )
            )
    for actual_name in columns:
        if actual_name.strip().casefold() not in declared_names:
            column_problems.append(
                _problem(None, actual_name, None, "validation.unexpected-column", {})
            )
    return checks, column_problems


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
    connection = open_duckdb()
    location = quote_literal(path)
    connection.execute(
        "CREATE TEMP VIEW base AS SELECT * EXCLUDE (file_row_number), "
        f"file_row_number + 1 AS __row FROM read_parquet({location}, file_row_number=true)"
    )
    return connection


def _problem_table(connection: duckdb.DuckDBPyConnection, checks: list[_Check]) -> None:
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
        checks, column_problems = _checks(schema, columns, councils)
        _problem_table(connection, checks)
        row_count_row = connection.execute("SELECT count(*) FROM base").fetchone()
        invalid_row = connection.execute("SELECT count(DISTINCT __row) FROM problems").fetchone()
        counts = dict(
            connection.execute(
                "SELECT check_id, count(*) FROM problems GROUP BY check_id"
            ).fetchall()
        )
        examples = connection.execute(
            "SELECT check_id, __row, value FROM problems QUALIFY row_number() OVER "
            "(PARTITION BY check_id ORDER BY __row) <= ? ORDER BY check_id, __row",
            [max_examples],
        ).fetchall()
    finally:
        connection.close()

    grouped: dict[tuple[str, str], tuple[int, list[Problem]]] = {}
    for problem in column_problems:
        grouped[(problem.column, problem.key)] = (1, [problem])
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
        checks, _ = _checks(report.schema, columns, report.councils)
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
