"""The one way the platform opens DuckDB.

Every connection is in memory (dataset versions are immutable Parquet files read in place, so
there is no shared database file and no single-writer lock between processes) and never fetches
or loads extensions by itself (no network from a query). Callers choose only what differs
between uses: how much memory and how many threads a piece of work may take, where it may spill,
whether insertion order must be kept, and, for queries people write, which files alone may be
read (everything else, and the configuration itself, locked).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import duckdb

from infuse.analytics.quoting import quote_array, quote_identifier, quote_literal

#: What one connection may hold in memory unless its caller says otherwise: DuckDB's own default
#: is 80% of the machine, and a count-distinct over 5M rows reached 949 MB in a web worker.
#: Past it DuckDB spills to disk where it can, or stops the query with an out-of-memory error.
DEFAULT_MEMORY_LIMIT = "1GB"


def open_duckdb(
    *,
    memory_limit: str = DEFAULT_MEMORY_LIMIT,
    threads: int | None = None,
    temp_directory: Path | None = None,
    preserve_insertion_order: bool | None = None,
) -> duckdb.DuckDBPyConnection:
    """A new in-memory DuckDB connection with the platform's settings.

    Parameters
    ----------
    memory_limit:
        DuckDB's ``memory_limit`` (e.g. ``"2GB"``); :data:`DEFAULT_MEMORY_LIMIT` unless given.
    threads:
        DuckDB's ``threads``; DuckDB's default when None.
    temp_directory:
        Where DuckDB may spill when memory runs short (a task's private work directory).
    preserve_insertion_order:
        Keep rows in file order (conversion needs it for row numbers); DuckDB's default when None.
    """
    config: dict[str, Any] = {
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
    }
    config["memory_limit"] = str(memory_limit)
    if threads is not None:
        config["threads"] = int(threads)
    if temp_directory is not None:
        config["temp_directory"] = str(temp_directory)
    if preserve_insertion_order is not None:
        config["preserve_insertion_order"] = preserve_insertion_order
    return duckdb.connect(":memory:", config=config)


def open_confined(
    tables: Mapping[str, Path],
    *,
    memory_limit: str = "512MB",
    threads: int = 2,
    temp_directory: Path | None = None,
) -> duckdb.DuckDBPyConnection:
    """A connection that sees ``tables`` (name → Parquet file) as views and can read nothing else.

    For SQL that people write: after the views are made, every other file and the network are
    out of reach and the configuration is locked, so a query cannot lift its own limits. Spill
    files go to ``temp_directory`` (the sandbox's private directory), never the current one.
    """
    connection = open_duckdb(
        memory_limit=memory_limit, threads=threads, temp_directory=temp_directory
    )
    for name, path in tables.items():
        connection.execute(
            f"CREATE VIEW {quote_identifier(name)} AS "  # noqa: S608 - quoted names
            f"SELECT * FROM read_parquet({quote_literal(path)})"
        )
    connection.execute(f"SET allowed_paths = {quote_array(tables.values())}")
    connection.execute("SET enable_external_access = false")
    connection.execute("SET lock_configuration = true")
    return connection


def read_parquet_sql(path: Path, columns: list[str] | None = None) -> str:
    """``SELECT`` of ``columns`` (all when None) from one Parquet file, quoted safely."""
    wanted = "*" if columns is None else ", ".join(quote_identifier(c) for c in columns)
    return f"SELECT {wanted} FROM read_parquet({quote_literal(path)})"  # noqa: S608
