"""Read-only SQL over dataset versions, in a DuckDB sandbox.

Each query gets a new in-memory DuckDB connection that can read only the Parquet files of the
versions the person may see (``allowed_paths``), with every other file and network access
disabled and the configuration locked, so a query cannot read ``/etc/passwd``, write a file,
install an extension or attach a database. Only one SELECT statement is accepted; results stop
at a row limit and the query is interrupted at a time limit.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from infuse.analytics.connection import open_confined


class QueryError(ValueError):
    """A query the sandbox refuses or DuckDB cannot run; ``key`` says which, for translation."""

    def __init__(self, key: str, message: str, **params: Any) -> None:
        super().__init__(message)
        self.key = key
        self.params = params


@dataclass
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]
    truncated: bool
    seconds: float
    tables: list[str] = field(default_factory=list)


def check_read_only(sql: str) -> str:
    """The single SELECT statement in ``sql``; anything else is refused with its reason."""
    text = sql.strip().rstrip(";").strip()
    if not text:
        raise QueryError("sql.empty", "Write a query.")
    try:
        statements = duckdb.extract_statements(text)
    except duckdb.Error as error:
        raise QueryError(
            "sql.syntax", f"The query is not valid SQL: {error}", detail=str(error)
        ) from error
    if len(statements) != 1:
        raise QueryError("sql.one-statement", "Run one statement at a time.", count=len(statements))
    if statements[0].type != duckdb.StatementType.SELECT:
        raise QueryError(
            "sql.read-only",
            "Only SELECT queries can run here.",
            statement=str(statements[0].type.name),
        )
    return text


def run_query(
    sql: str, tables: Mapping[str, Path], *, row_limit: int = 1000, timeout_seconds: float = 10.0
) -> QueryResult:
    """Run one read-only query; at most ``row_limit`` rows, at most ``timeout_seconds``."""
    text = check_read_only(sql)
    connection = open_confined(tables)
    timer = threading.Timer(timeout_seconds, connection.interrupt)
    started = time.perf_counter()
    timer.start()
    try:
        cursor = connection.execute(text)
        rows = cursor.fetchmany(row_limit + 1)
        columns = [column[0] for column in cursor.description or []]
    except duckdb.InterruptException as error:
        raise QueryError(
            "sql.timeout",
            f"The query took longer than {timeout_seconds:g} seconds and was stopped.",
            seconds=timeout_seconds,
        ) from error
    except duckdb.PermissionException as error:
        raise QueryError(
            "sql.forbidden", "Queries here can read only the datasets listed.", detail=str(error)
        ) from error
    except duckdb.Error as error:
        raise QueryError(
            "sql.failed", f"The query could not run: {error}", detail=str(error).splitlines()[0]
        ) from error
    finally:
        timer.cancel()
        connection.close()
    return QueryResult(
        columns=columns,
        rows=rows[:row_limit],
        truncated=len(rows) > row_limit,
        seconds=time.perf_counter() - started,
        tables=sorted(tables),
    )
