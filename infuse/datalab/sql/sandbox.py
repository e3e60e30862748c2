"""Read-only SQL over dataset versions, in a DuckDB sandbox in a process of its own.

The query runs in :mod:`infuse.core.sandbox`'s child process under the operating system's
limits (memory, CPU and wall time, result size), so neither a crash in the engine nor a function
that will not stop can touch the web or task worker. Inside, it gets a new in-memory DuckDB
connection that can read only the Parquet files of the versions the person may see, with every
other file and network access disabled, its spill files in the sandbox's private directory and
the configuration locked, so a query cannot read ``/etc/passwd``, write a file, install an
extension or attach a database. Only one SELECT statement is accepted; results stop at a row
limit and come back as plain JSON values (dates, decimals and the like as their text).
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from infuse import analytics
from infuse.core import lazy
from infuse.core.sandbox import Limits, Refusal, SandboxError, SlotPool
from infuse.core.sandbox import run as run_sandboxed

if TYPE_CHECKING:
    import duckdb
else:
    duckdb = lazy.module("duckdb")

EXECUTE = "infuse.datalab.sql.sandbox:execute"


class QueryError(Refusal):
    """A query the sandbox refuses or cannot run; ``key`` says which, for translation."""


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


def plain_value(cell: Any) -> Any:
    """A cell as JSON has it: numbers, text, true/false, null; anything else as its text."""
    if isinstance(cell, float) and not math.isfinite(cell):
        return None
    if isinstance(cell, int | float | str | bool) or cell is None:
        return cell
    return str(cell)


def _linked(tables: Mapping[str, str], workdir: Path) -> dict[str, Path]:
    """Each table as a link in the private directory, named by position. The connection's
    settings and view definitions, which a query can read, then name the link and not where
    the service keeps its files: a hard link, when the private directory is on the data's
    file system (DuckDB shows a symbolic link's target)."""
    (workdir / "tables").mkdir()
    linked = {}
    for number, (name, path) in enumerate(tables.items()):
        link = Path("tables") / f"t{number}.parquet"
        try:
            os.link(path, workdir / link)
        except OSError:  # another file system: the target's path can be read, nothing more
            (workdir / link).symlink_to(path)
        linked[name] = link
    return linked


def execute(payload: dict[str, Any], workdir: Path) -> bytes:
    """In the sandbox's child (working in ``workdir``): run the query, return ``{columns,
    rows, truncated}`` as JSON."""
    text = check_read_only(payload["sql"])
    row_limit = int(payload["row_limit"])
    connection = analytics.open_confined(
        _linked(payload["tables"], workdir),
        memory_limit=payload["memory_limit"],
        temp_directory=Path("spill"),
    )
    try:
        cursor = connection.execute(text)
        rows = cursor.fetchmany(row_limit + 1)
        columns = [column[0] for column in cursor.description or []]
    except duckdb.OutOfMemoryException as error:
        raise QueryError("sandbox.memory", "Stopped: it used too much memory.") from error
    except duckdb.PermissionException as error:
        raise QueryError(
            "sql.forbidden", "Queries here can read only the datasets listed.", detail=str(error)
        ) from error
    except duckdb.Error as error:
        raise QueryError(
            "sql.failed", f"The query could not run: {error}", detail=str(error).splitlines()[0]
        ) from error
    finally:
        connection.close()
    plain = [[plain_value(cell) for cell in row] for row in rows[:row_limit]]
    result = {"columns": columns, "rows": plain, "truncated": len(rows) > row_limit}
    return json.dumps(result).encode()


def run_query(
    sql: str,
    tables: Mapping[str, Path],
    *,
    limits: Limits,
    row_limit: int = 1000,
    memory_limit: str = "512MB",
    slots: SlotPool | None = None,
    owner: str | None = None,
    workspace: Path | None = None,
) -> QueryResult:
    """Run one read-only query in the sandbox; at most ``row_limit`` rows. ``workspace``: where
    the query's private directory is made (best on the data's file system, see ``_linked``)."""
    payload = {
        "sql": sql,
        "tables": {name: str(path) for name, path in tables.items()},
        "row_limit": row_limit,
        "memory_limit": memory_limit,
    }
    started = time.perf_counter()
    try:
        output = run_sandboxed(
            EXECUTE, payload, limits, slots=slots, owner=owner, workspace=workspace
        )
    except SandboxError as error:
        raise QueryError(error.key, str(error), **error.params) from error
    result = json.loads(output)
    return QueryResult(
        columns=result["columns"],
        rows=[tuple(row) for row in result["rows"]],
        truncated=result["truncated"],
        seconds=time.perf_counter() - started,
        tables=sorted(tables),
    )
