"""Backend selection: fresh in-memory DuckDB connections with limits, and a local Spark session."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import ibis
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from infuse.analytics import EngineError, connect, read_parquet, spark_unavailable_reason
from infuse.analytics.connection import open_duckdb
from infuse.analytics.engine import records
from tests.imports import loaded_after


def test_duckdb_connection_is_in_memory_with_threads_and_memory_limit() -> None:
    con = connect("duckdb", threads=1, memory_limit="512MB")
    assert con.name == "duckdb"
    settings = dict(
        con.raw_sql(
            "SELECT name, value FROM duckdb_settings() WHERE name IN ('threads', 'memory_limit')"
        ).fetchall()
    )
    assert settings["threads"] == "1"
    assert settings["memory_limit"] in {"512.0 MB", "488.2 MiB"}
    assert con.raw_sql("SELECT database_name FROM duckdb_databases()").fetchall()[0][0] == "memory"


def test_duckdb_connections_share_nothing() -> None:
    first, second = connect(), connect()
    first.create_table("scratch", ibis.memtable({"x": [1, 2]}))
    count = "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'scratch'"
    assert first.raw_sql(count).fetchone() == (1,)
    assert second.raw_sql(count).fetchone() == (0,)


@pytest.mark.xfail(
    int(duckdb.__version__.split(".")[0]) >= 2,
    reason="ibis-framework 12 calls DuckDBPyConnection.fetch_arrow_table, which duckdb 2 removed: "
    "con.sql(), list_tables(), create_table() and to_pyarrow_batches() fail. "
    "Pin duckdb>=1.4,<2 until ibis supports duckdb 2.",
    strict=True,
)
def test_installed_duckdb_works_with_ibis_sql_and_listing() -> None:
    con = connect()
    assert con.sql("SELECT 1 AS x").execute()["x"].tolist() == [1]
    assert con.list_tables() == []


def test_read_parquet_one_file_or_several(tmp_path: Path) -> None:
    for part in (1, 2):
        pq.write_table(pa.table({"x": [part] * 3}), tmp_path / f"part-{part}.parquet")
    con = connect()
    assert read_parquet(con, tmp_path / "part-1.parquet").count().execute() == 3
    both = read_parquet(con, [tmp_path / "part-1.parquet", str(tmp_path / "part-2.parquet")])
    assert both.x.sum().execute() == 9


def test_unknown_engine_and_missing_file_are_typed_errors(tmp_path: Path) -> None:
    with pytest.raises(EngineError) as caught:
        connect("postgres")
    assert caught.value.key == "analytics.unknown-engine"
    assert caught.value.params == {"engine": "postgres", "choices": ["duckdb", "spark"]}
    with pytest.raises(EngineError) as caught:
        read_parquet(connect(), tmp_path / "absent.parquet")
    assert caught.value.key == "analytics.file-not-found"
    assert caught.value.params["path"].endswith("absent.parquet")
    with pytest.raises(EngineError) as caught:
        read_parquet(connect(), [])
    assert caught.value.key == "analytics.no-files"


def test_spark_unavailable_reason_says_how_to_enable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JAVA_HOME", "/nonexistent")
    reason = spark_unavailable_reason()
    assert reason is not None
    assert "Java 17" in reason


def test_spark_engine_reads_several_parquet_files(spark: Any, tmp_path: Path) -> None:
    for part in (1, 2):
        pq.write_table(pa.table({"x": [part] * 3}), tmp_path / f"part-{part}.parquet")
    con = connect("spark")  # the running local session (Spark allows one per process)
    assert con.name == "pyspark"
    assert spark.conf.get("spark.ui.enabled") == "false"
    assert spark.conf.get("spark.sql.session.timeZone") == "UTC"
    both = read_parquet(con, [tmp_path / "part-1.parquet", tmp_path / "part-2.parquet"])
    assert both.x.sum().execute() == 9


def test_records_are_the_rows_ibis_would_give(tmp_path: Path) -> None:
    path = tmp_path / "kinds.parquet"
    duckdb.sql(
        "SELECT * FROM (VALUES (1, 12.50::DECIMAL(12, 2), DATE '2024-04-01', 'Newport'), "
        "(2, NULL, DATE '2025-03-31', NULL)) t(n, amount, paid, council)"
    ).write_parquet(str(path))
    table = read_parquet(connect(), path)
    grouped = table.group_by("council").aggregate(
        rows=table.count(), total=table.amount.sum(), last=table.paid.max()
    )
    summary = table.aggregate(q=table.n.cast("float64").quantile([0.25, 0.75]), rows=table.count())
    for expr in (grouped.order_by("council"), summary, table.order_by("n")):
        assert records(expr) == expr.to_pyarrow().to_pylist()


def test_records_do_not_load_pandas(tmp_path: Path) -> None:
    """DuckDB's rows come back without Ibis's pandas converter (half a second of start-up)."""
    path = tmp_path / "n.parquet"
    duckdb.sql("SELECT range AS n FROM range(10)").write_parquet(str(path))
    code = (
        "from infuse.analytics import connect, read_parquet\n"
        "from infuse.analytics.engine import records\n"
        f"t = read_parquet(connect(), {str(path)!r})\n"
        "assert records(t.aggregate(total=t.n.sum())) == [{'total': 45}]"
    )
    assert loaded_after(code, {"pandas"}) == []


def test_every_duckdb_connection_has_a_memory_limit() -> None:
    """DuckDB's own default is 80% of the machine; no connection of the platform's keeps it."""
    query = "SELECT current_setting('memory_limit')"
    for con in (open_duckdb().execute(query), connect().raw_sql(query)):
        assert con.fetchone()[0] in {"1.0 GB", "953.6 MiB"}
