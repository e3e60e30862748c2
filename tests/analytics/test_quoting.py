"""Quoted SQL text survives the names and paths people's files bring, checked by DuckDB itself."""

from __future__ import annotations

import datetime as dt
import decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from infuse.analytics.connection import open_confined, open_duckdb, read_parquet_sql
from infuse.analytics.quoting import quote_identifier, quote_list, quote_literal, sql_value

AWKWARD = ['a"b', "it's", "x; DROP TABLE t; --", "naïve ✓", " spaced "]


def test_identifiers_and_literals_round_trip_through_duckdb():
    connection = open_duckdb()
    for text in AWKWARD:
        row = connection.execute(f"SELECT {quote_literal(text)} AS {quote_identifier(text)}")
        assert row.fetchone() == (text,)
        assert [c[0] for c in row.description or []] == [text]
    assert connection.execute(f"SELECT 'it''s' IN {quote_list(AWKWARD)}").fetchone() == (True,)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True),
        (3, 3),
        (2.5, 2.5),
        (decimal.Decimal("1.10"), decimal.Decimal("1.10")),
        (dt.date(2024, 3, 31), dt.date(2024, 3, 31)),
        (dt.datetime(2024, 3, 31, 12, 30), dt.datetime(2024, 3, 31, 12, 30)),
        ("O'Brien", "O'Brien"),
    ],
)
def test_values_keep_their_type(value, expected):
    assert open_duckdb().execute(f"SELECT {sql_value(value)}").fetchone() == (expected,)


def test_a_path_with_an_apostrophe_is_read_and_confined_connections_read_nothing_else(tmp_path):
    folder = tmp_path / "council's data"
    folder.mkdir()
    path = folder / "rows.parquet"
    pq.write_table(pa.table({'a"b': [1, 2]}), path)
    other = tmp_path / "other.parquet"
    pq.write_table(pa.table({"secret": [42]}), other)
    assert open_duckdb().execute(read_parquet_sql(path, ['a"b'])).fetchall() == [(1,), (2,)]
    confined = open_confined({"rows": path})
    assert confined.execute('SELECT sum("a""b") FROM rows').fetchone() == (3,)
    with pytest.raises(Exception, match=r"(?i)permission|not allowed|disabled"):
        confined.execute(f"SELECT * FROM read_parquet({quote_literal(other)})").fetchall()
    with pytest.raises(Exception, match=r"(?i)lock|configuration"):
        confined.execute("SET enable_external_access = true")
