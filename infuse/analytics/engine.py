"""Backend selection: one place that knows how to open DuckDB or Spark behind Ibis.

Every aggregation in :mod:`infuse.analytics` is an Ibis expression, so it is written once and runs
on whichever backend :func:`connect` returns:

- ``"duckdb"`` (the default): a fresh in-memory DuckDB connection per query or task, reading the
  immutable Parquet files of dataset versions directly. There is no shared DuckDB database file,
  hence no single-writer lock between web workers and the task worker (DESIGN.md, "Storage of
  analytical data").
- ``"spark"``: PySpark through ``ibis.pyspark.connect(SparkSession)``, for data too large for one
  machine. In tests it is a local session (``local[2]``); in production ``spark_master`` names the
  cluster (``spark://host:7077``, ``yarn``, ``k8s://…``), and the Parquet paths must be readable by
  the executors (a shared file system or object store).

Errors a caller can cause (an unknown engine name, a missing file) raise :class:`EngineError`, a
``ValueError`` with a stable message key and parameters.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ibis

from infuse.analytics.connection import DEFAULT_MEMORY_LIMIT, open_duckdb

if TYPE_CHECKING:
    from ibis.backends import BaseBackend

ENGINES = ("duckdb", "spark")
DEFAULT_SPARK_MASTER = "local[2]"


class EngineError(ValueError):
    """A problem a caller can cause when choosing an engine or reading data.

    ``key`` is a stable message key the Django side maps to bilingual text; ``params`` fills it.
    """

    def __init__(self, key: str, message: str, **params: Any) -> None:
        super().__init__(message)
        self.key = key
        self.params: dict[str, Any] = params
        self.problems: list[EngineError] = [self]


def connect(
    engine: str = "duckdb",
    *,
    spark_master: str | None = None,
    threads: int | None = None,
    memory_limit: str = DEFAULT_MEMORY_LIMIT,
    spark_config: dict[str, str] | None = None,
) -> BaseBackend:
    """Open an Ibis backend.

    Parameters
    ----------
    engine:
        ``"duckdb"`` or ``"spark"``.
    spark_master:
        Spark master URL; ``local[2]`` when omitted. Ignored for DuckDB.
    threads, memory_limit:
        DuckDB's ``threads`` and ``memory_limit`` (e.g. ``"2GB"``; the connection module's
        ``DEFAULT_MEMORY_LIMIT`` unless given) so no piece of work can take the whole machine.
        Ignored for Spark (size executors in the cluster instead).
    spark_config:
        Extra ``spark.*`` settings applied when a new session is built.

    Returns
    -------
    An Ibis backend. DuckDB connections are new and in-memory each call; close them with
    ``con.disconnect()`` (or let them be garbage collected). Spark sessions are per process
    (``getOrCreate``), as Spark allows only one active context per JVM.
    """
    if engine == "duckdb":
        return ibis.duckdb.from_connection(open_duckdb(threads=threads, memory_limit=memory_limit))
    if engine == "spark":
        session = spark_session(spark_master, spark_config)
        return ibis.pyspark.connect(session)
    raise EngineError(
        "analytics.unknown-engine",
        f"Unknown analytics engine {engine!r}; choose one of {', '.join(ENGINES)}.",
        engine=engine,
        choices=list(ENGINES),
    )


def spark_unavailable_reason() -> str | None:
    """Why Spark cannot run here (no pyspark, no Java), or None when it can.

    Used by tests to skip with a reason that says how to enable Spark.
    """
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed: pip install -e '.[spark]' (needs Java 17+)"
    java_home = os.environ.get("JAVA_HOME")
    java = Path(java_home, "bin", "java") if java_home else shutil.which("java")
    if java is None or not Path(java).exists():
        return "no Java runtime found: install Java 17+ (apt-get install openjdk-17-jre-headless)"
    return None


def spark_session(master: str | None = None, config: dict[str, str] | None = None) -> Any:
    """Get or build the process's SparkSession.

    Local masters are configured for a single machine: driver bound to 127.0.0.1 (no network), web
    UI off, few shuffle partitions (Spark's default of 200 costs seconds on small data), and worker
    Python set to this interpreter so Python workers match the driver's version. The session time
    zone is UTC so timestamps mean the same on both engines.
    """
    from pyspark.sql import SparkSession

    master = master or DEFAULT_SPARK_MASTER
    local = master.startswith("local")
    builder = SparkSession.builder.master(master).appName("infuse-analytics")
    settings: dict[str, str] = {"spark.sql.session.timeZone": "UTC"}
    if local:
        # Python workers (used for in-memory tables) must run the driver's interpreter.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        settings.update(
            {
                "spark.driver.host": "127.0.0.1",
                "spark.driver.bindAddress": "127.0.0.1",
                "spark.ui.enabled": "false",
                "spark.sql.shuffle.partitions": "4",
                "spark.default.parallelism": "4",
                "spark.pyspark.python": sys.executable,
            }
        )
    settings.update(config or {})
    for key, value in settings.items():
        builder = builder.config(key, value)
    # py4j logs every socket it closes at INFO; at interpreter exit that logging fails noisily.
    logging.getLogger("py4j").setLevel(logging.WARNING)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def records(expr: ibis.Expr) -> list[dict[str, Any]]:
    """The rows of a table or scalar expression as dicts of Python values.

    On DuckDB the compiled SQL runs on the backend's own connection and the rows are fetched
    as Python values: Ibis's ``to_pyarrow`` there loads its pandas converter (0.5 s of a
    command's start) to return what DuckDB gives directly. For expressions over tables the
    backend already holds (``read_parquet``, ``table``), not in-memory tables.
    """
    backend = ibis.get_backend(expr)
    if backend.name == "duckdb":
        cursor = backend.con.execute(backend.compile(expr))
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    if isinstance(expr, ibis.expr.types.Scalar):
        return [{str(expr.get_name()): expr.to_pyarrow().as_py()}]
    return list(expr.to_pyarrow().to_pylist())


def read_parquet(con: BaseBackend, path_or_paths: str | Path | Sequence[str | Path]) -> ibis.Table:
    """An Ibis table over one Parquet file, a directory of them, or a list of files.

    A list is read as one table (the files must share a schema), as a dataset version stored in
    parts would be. Nothing is loaded until the expression runs.
    """
    paths = (
        [str(path_or_paths)]
        if isinstance(path_or_paths, str | Path)
        else [str(p) for p in path_or_paths]
    )
    if not paths:
        raise EngineError("analytics.no-files", "No Parquet files were given.")
    for path in paths:
        if "://" not in path and not Path(path).exists():
            raise EngineError(
                "analytics.file-not-found", f"Parquet file not found: {path}", path=path
            )
    if con.name == "pyspark":
        # Ibis's PySpark read_parquet takes one path string; a list goes straight to Spark.
        session = con._session
        name = f"infuse_parquet_{uuid.uuid4().hex}"
        session.read.parquet(*paths).createOrReplaceTempView(name)
        return con.table(name)
    return con.read_parquet(paths if len(paths) > 1 else paths[0])
