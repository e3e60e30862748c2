"""SQL text built safely: identifiers and literals quoted in one place, never by hand.

DuckDB follows standard SQL: an identifier is wrapped in double quotes with inner double quotes
doubled; a string literal in single quotes with inner single quotes doubled. Every query the
platform writes (column names from uploaded files, paths of stored Parquet files, values from
validation rules) goes through these functions, so a column called ``a"b`` or a path with an
apostrophe can never end a quote early.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable
from os import PathLike


def quote_identifier(name: str) -> str:
    """``name`` as an SQL identifier: ``"a""b"`` for ``a"b``."""
    return '"' + str(name).replace('"', '""') + '"'


def quote_literal(value: str | PathLike[str]) -> str:
    """``value`` (text or a file path) as an SQL string literal: ``'it''s'`` for ``it's``."""
    return "'" + str(value).replace("'", "''") + "'"


def quote_list(values: Iterable[str | PathLike[str]]) -> str:
    """A parenthesised list of string literals, for ``IN (…)``: ``('a', 'b')``."""
    return "(" + ", ".join(quote_literal(value) for value in values) + ")"


def quote_array(values: Iterable[str | PathLike[str]]) -> str:
    """A DuckDB list of string literals: ``['a', 'b']`` (e.g. for ``read_parquet`` or settings)."""
    return "[" + ", ".join(quote_literal(value) for value in values) + "]"


def select_columns(columns: Iterable[str]) -> str:
    """A comma-separated list of quoted column names for a ``SELECT``."""
    return ", ".join(quote_identifier(column) for column in columns)


def sql_value(value: object) -> str:
    """A Python value as a typed SQL literal: booleans, numbers, dates and instants keep their
    type (``DATE '2024-03-31'``), anything else becomes a string literal."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, int | decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return f"TIMESTAMP {quote_literal(value.isoformat(sep=' '))}"
    if isinstance(value, dt.date):
        return f"DATE {quote_literal(value.isoformat())}"
    return quote_literal(str(value))
