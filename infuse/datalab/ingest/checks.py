# ruff: noqa: S608 - SQL is assembled from quoted identifiers and escaped literals only.
"""The SQL checks of a declared schema: one ``SELECT __row, value … WHERE <problem>`` per rule.

Each field's rules become checks in a fixed order (required, type, bounds, lengths, pattern,
allowed values, uniqueness, councils), then the primary key's; :mod:`.validation` runs them all
as one ``UNION ALL`` and groups what they find. See that module for the schema's shape.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from infuse.analytics.quoting import quote_identifier, sql_value
from infuse.core.councils import COUNCIL_SUFFIX, normalise_council_name
from infuse.datalab.ingest.inference import INTEGER_TYPES

Council = tuple[str, str, str]  # (GSS code, English name, Welsh name)

TYPE_KEYS = {
    "integer": "validation.not-an-integer",
    "year": "validation.not-an-integer",
    "number": "validation.not-a-number",
    "boolean": "validation.not-a-boolean",
    "date": "validation.not-a-date",
    "datetime": "validation.not-a-datetime",
}
KNOWN_TYPES = {*TYPE_KEYS, "string", "any"}
BASE = "base"  # the view of the file's rows, with ``__row`` their 1-based number


class SchemaError(ValueError):
    """The declared schema itself is malformed (a person can fix it)."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message)
        self.key = "validation.invalid-schema"
        self.params: dict[str, Any] = params
        self.problems: list[dict[str, Any]] = []


@dataclass(frozen=True)
class Check:
    column: str
    key: str
    params: dict[str, Any]
    sql: str  # SELECT __row, value FROM ... WHERE <problem>


def _row_check(
    column: str, key: str, col: str, predicate: str, params: dict[str, Any] | None = None
) -> Check:
    """A check that reports the rows of ``col`` where ``predicate`` holds, with their value."""
    return Check(
        column,
        key,
        params or {},
        f"SELECT __row, CAST({col} AS VARCHAR) AS value FROM {BASE} WHERE {predicate}",
    )


_COUNCIL_SQL = (
    "regexp_replace(regexp_replace(trim(regexp_replace(replace(replace(lower(CAST({} AS VARCHAR)),"
    " '&', ' and '), '-', ' '), '\\s+', ' ', 'g')), '^the ', ''), '" + COUNCIL_SUFFIX + "', '')"
)


# --- Types --------------------------------------------------------------------------------------


def _parsed(col: str, typed: str) -> tuple[str, str | None]:
    """Text parsed as the type: present values that do not parse are the problem."""
    return typed, f"{col} IS NOT NULL AND ({typed}) IS NULL"


def _as_integer(
    col: str, text: str, actual: str, field_format: str | None
) -> tuple[str, str | None]:
    if actual in INTEGER_TYPES:
        return col, None
    if _is_numeric(actual):
        return f"TRY_CAST({col} AS BIGINT)", f"{col} <> floor({col})"
    return _parsed(col, f"TRY_CAST({text} AS BIGINT)")


def _as_number(
    col: str, text: str, actual: str, field_format: str | None
) -> tuple[str, str | None]:
    if _is_numeric(actual):
        return col, None
    return _parsed(col, f"TRY_CAST(replace({text}, ',', '') AS DOUBLE)")


def _as_boolean(
    col: str, text: str, actual: str, field_format: str | None
) -> tuple[str, str | None]:
    if actual == "BOOLEAN":
        return col, None
    return _parsed(
        col,
        f"CASE WHEN list_contains(['true','yes','1'], lower({text})) THEN true "
        f"WHEN list_contains(['false','no','0'], lower({text})) THEN false END",
    )


def _as_date(col: str, text: str, actual: str, field_format: str | None) -> tuple[str, str | None]:
    if actual == "DATE":
        return col, None
    if actual.startswith("TIMESTAMP"):
        return f"CAST({col} AS DATE)", None
    if field_format and field_format not in ("default", "any"):
        return _parsed(col, f"CAST(try_strptime({text}, {sql_value(field_format)}) AS DATE)")
    return _parsed(col, f"TRY_CAST({text} AS DATE)")


def _as_datetime(
    col: str, text: str, actual: str, field_format: str | None
) -> tuple[str, str | None]:
    if actual.startswith("TIMESTAMP") or actual == "DATE":
        return f"CAST({col} AS TIMESTAMP)", None
    if field_format and field_format not in ("default", "any"):
        return _parsed(col, f"try_strptime({text}, {sql_value(field_format)})")
    return _parsed(col, f"TRY_CAST({text} AS TIMESTAMP)")


def _is_numeric(actual: str) -> bool:
    return (
        actual in INTEGER_TYPES
        or actual in ("FLOAT", "DOUBLE", "REAL")
        or actual.startswith("DECIMAL")
    )


_AS_TYPE: dict[str, Callable[[str, str, str, str | None], tuple[str, str | None]]] = {
    "integer": _as_integer,
    "year": _as_integer,
    "number": _as_number,
    "boolean": _as_boolean,
    "date": _as_date,
    "datetime": _as_datetime,
}


def typed_expression(
    column: str, declared: str, actual: str, field_format: str | None
) -> tuple[str, str | None]:
    """The column as its declared type, and a predicate that is true where it is not that type
    (None when every value already is)."""
    col = quote_identifier(column)
    if declared in ("string", "any"):
        return col, None
    if declared not in _AS_TYPE:
        raise SchemaError(f"Unknown field type {declared!r}.", type=declared)
    text = f"trim(CAST({col} AS VARCHAR))"
    return _AS_TYPE[declared](col, text, actual.upper(), field_format)


# --- The checks of a schema ---------------------------------------------------------------------


def build_checks(
    schema: dict[str, Any], columns: dict[str, str], councils: Sequence[Council]
) -> tuple[list[Check], list[tuple[str, str]]]:
    """SQL checks for the present columns, and the whole-column problems found already, as
    (column, key): a declared column that is missing, a column that is not declared."""
    if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list):
        raise SchemaError("The schema must be an object with a list of fields.")
    checks: list[Check] = []
    column_problems: list[tuple[str, str]] = []
    by_folded = {name.strip().casefold(): name for name in columns}
    declared_names: set[str] = set()
    resolved: dict[str, str] = {}
    for spec in schema["fields"]:
        if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
            raise SchemaError("Every field needs a name.")
        name = spec["name"]
        declared = spec.get("type", "string")
        if declared not in KNOWN_TYPES:
            raise SchemaError(f"Unknown field type {declared!r}.", field=name, type=declared)
        declared_names.add(name.strip().casefold())
        actual = name if name in columns else by_folded.get(name.strip().casefold())
        if actual is None:
            column_problems.append((name, "validation.column-missing"))
            continue
        resolved[name] = actual
        checks += _field_checks(name, actual, declared, columns[actual], spec, councils)
    checks += _primary_key_checks(schema.get("primaryKey"), resolved)
    column_problems += [
        (actual, "validation.unexpected-column")
        for actual in columns
        if actual.strip().casefold() not in declared_names
    ]
    return checks, column_problems


def _field_checks(
    name: str,
    actual: str,
    declared: str,
    actual_type: str,
    spec: dict[str, Any],
    councils: Sequence[Council],
) -> list[Check]:
    """Every rule of one declared field, in the order the report lists them."""
    col = quote_identifier(actual)
    typed, not_typed = typed_expression(actual, declared, actual_type, spec.get("format"))
    constraints = spec.get("constraints") or {}
    checks: list[Check] = []
    if constraints.get("required"):
        checks.append(_row_check(name, "validation.required-missing", col, f"{col} IS NULL"))
    if not_typed is not None:
        checks.append(_row_check(name, TYPE_KEYS[declared], col, not_typed))
    checks += _bound_checks(name, col, declared, typed, constraints)
    checks += _text_checks(name, col, constraints)
    checks += _enum_checks(name, col, declared, typed, constraints)
    if constraints.get("unique"):
        checks.append(
            Check(
                name,
                "validation.duplicate-value",
                {},
                f"SELECT __row, value FROM (SELECT __row, CAST({col} AS VARCHAR) AS value, "
                f"row_number() OVER (PARTITION BY {col} ORDER BY __row) AS occurrence "
                f"FROM {BASE} WHERE {col} IS NOT NULL) WHERE occurrence > 1",
            )
        )
    if spec.get("council"):
        checks.append(_council_check(name, col, councils))
    return checks


def _bound_checks(
    name: str, col: str, declared: str, typed: str, constraints: dict[str, Any]
) -> list[Check]:
    present = f"({typed}) IS NOT NULL"
    checks = []
    for bound, key, operator in (
        ("minimum", "validation.below-minimum", "<"),
        ("exclusiveMinimum", "validation.below-minimum", "<="),
        ("maximum", "validation.above-maximum", ">"),
        ("exclusiveMaximum", "validation.above-maximum", ">="),
    ):
        if bound not in constraints:
            continue
        limit = constraints[bound]
        if declared == "date" and isinstance(limit, str):
            limit = dt.date.fromisoformat(limit)
        elif declared == "datetime" and isinstance(limit, str):
            limit = dt.datetime.fromisoformat(limit)
        param = "minimum" if "inimum" in bound else "maximum"
        checks.append(
            _row_check(
                name,
                key,
                col,
                f"{present} AND ({typed}) {operator} {sql_value(limit)}",
                {param: constraints[bound]},
            )
        )
    return checks


def _text_checks(name: str, col: str, constraints: dict[str, Any]) -> list[Check]:
    """Lengths and the pattern, on the value as text."""
    checks = [
        _row_check(
            name,
            key,
            col,
            f"{col} IS NOT NULL AND length(CAST({col} AS VARCHAR)) {operator} "
            f"{int(constraints[bound])}",
            {param: constraints[bound]},
        )
        for bound, key, operator, param in (
            ("minLength", "validation.too-short", "<", "min_length"),
            ("maxLength", "validation.too-long", ">", "max_length"),
        )
        if bound in constraints
    ]
    if "pattern" in constraints:
        checks.append(
            _row_check(
                name,
                "validation.pattern-mismatch",
                col,
                f"{col} IS NOT NULL AND NOT regexp_full_match(CAST({col} AS VARCHAR), "
                f"{sql_value(constraints['pattern'])})",
                {"pattern": constraints["pattern"]},
            )
        )
    return checks


def _enum_checks(
    name: str, col: str, declared: str, typed: str, constraints: dict[str, Any]
) -> list[Check]:
    if "enum" not in constraints:
        return []
    allowed = constraints["enum"]
    if not isinstance(allowed, list) or not allowed:
        raise SchemaError(f"The enum of {name!r} must be a non-empty list.", field=name)
    if declared in ("integer", "number", "year"):
        listed = ", ".join(sql_value(value) for value in allowed)
        predicate = f"({typed}) IS NOT NULL AND ({typed}) NOT IN ({listed})"
        return [_row_check(name, "validation.not-in-enum", col, predicate)]
    listed = ", ".join(sql_value(str(value)) for value in allowed)
    return [
        _row_check(
            name,
            "validation.not-in-enum",
            col,
            # list_contains, not NOT IN: an IN list is planned as a join per column, which
            # reserves address space the sandbox caps (see inference.with_values).
            f"{col} IS NOT NULL AND NOT list_contains([{listed}], CAST({col} AS VARCHAR))",
            {"allowed": allowed},
        )
    ]


def _council_check(name: str, col: str, councils: Sequence[Council]) -> Check:
    """Each value is one of the councils, by GSS code or English or Welsh name."""
    known = sorted(
        {normalise_council_name(part) for council in councils for part in council if part}
    )
    if not known:
        raise SchemaError("A council field needs the list of councils.", field=name)
    listed = ", ".join(sql_value(value) for value in known)
    return _row_check(
        name,
        "validation.unknown-council",
        col,
        f"{col} IS NOT NULL AND NOT list_contains([{listed}], {_COUNCIL_SQL.format(col)})",
    )


def _primary_key_checks(primary_key: Any, resolved: dict[str, str]) -> list[Check]:
    """Every key column present in each row, and no key twice (when all its columns exist)."""
    if not primary_key:
        return []
    keys = [primary_key] if isinstance(primary_key, str) else list(primary_key)
    if not all(key in resolved for key in keys):
        return []
    cols = [quote_identifier(resolved[key]) for key in keys]
    joined = " || ' | ' || ".join(f"coalesce(CAST({c} AS VARCHAR), '')" for c in cols)
    checks = [
        Check(
            key_name,
            "validation.required-missing",
            {"primary_key": True},
            f"SELECT __row, NULL AS value FROM {BASE} WHERE {c} IS NULL",
        )
        for key_name, c in zip(keys, cols, strict=True)
    ]
    checks.append(
        Check(
            ", ".join(keys),
            "validation.duplicate-key",
            {"key": keys},
            f"SELECT __row, value FROM (SELECT __row, {joined} AS value, "
            f"row_number() OVER (PARTITION BY {', '.join(cols)} ORDER BY __row) AS n "
            f"FROM {BASE}) WHERE n > 1",
        )
    )
    return checks
