"""The SQL sandbox: reads the versions it is given, and nothing else."""

from __future__ import annotations

import duckdb
import pytest

from infuse.datalab.sql.sandbox import QueryError, run_query


@pytest.fixture
def tables(tmp_path):
    path = tmp_path / "spend.parquet"
    duckdb.sql(
        f"COPY (SELECT range AS id, range % 10 AS council FROM range(5000)) "
        f"TO '{path}' (FORMAT PARQUET)"
    )
    return {"spend": path}


def test_a_select_runs_with_a_row_limit(tables):
    result = run_query("select council, count(*) n from spend group by 1 order by 1", tables)
    assert result.columns == ["council", "n"] and result.rows[0] == (0, 500)
    limited = run_query("select * from spend", tables, row_limit=10)
    assert len(limited.rows) == 10 and limited.truncated


@pytest.mark.parametrize(
    ("sql", "key"),
    [
        ("", "sql.empty"),
        ("delete from spend", "sql.read-only"),
        ("create table x as select 1", "sql.read-only"),
        ("copy (select 1) to '/tmp/out.csv'", "sql.read-only"),
        ("select 1; select 2", "sql.one-statement"),
        ("selec 1", "sql.syntax"),
        ("select * from read_csv('/etc/passwd')", "sql.forbidden"),
        ("select * from read_text('/etc/hostname')", "sql.forbidden"),
        ("select * from 'https://example.org/x.parquet'", "sql.forbidden"),
        ("select * from no_such_table", "sql.failed"),
    ],
)
def test_anything_but_reading_the_given_tables_is_refused(tables, sql, key):
    with pytest.raises(QueryError) as raised:
        run_query(sql, tables)
    assert raised.value.key == key


def test_a_long_query_is_stopped(tables):
    with pytest.raises(QueryError) as raised:
        run_query("select count(*) from range(10000000000) a", tables, timeout_seconds=0.5)
    assert raised.value.key == "sql.timeout"
