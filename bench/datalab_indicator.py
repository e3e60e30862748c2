"""An indicator over 10 million rows: the Ibis/DuckDB layer against hand-written DuckDB SQL.

Generates a seeded Parquet file of 10,000,000 service events (ten councils, three years, decimal
amounts, categories, people, an urgency flag, a few nulls), then times, in one process and
interleaved, best of ``--repeat`` runs each on a fresh in-memory DuckDB connection:

- the layer: ``compute_indicator(read_parquet(connect(), path), spec)`` (Ibis builds the SQL);
- the baseline: the same aggregation written by hand in DuckDB SQL (GROUPING SETS for the region
  row, FILTER for the conditional sum), fetched as Arrow the same way.

Two indicators: the share of spend that is urgent (sums; by council × financial year) and
distinct people served (count distinct; by council × quarter; the region row needs its own pass).
The results are checked equal before the ratio is printed. Aim: ratio at most 1.2.

    .venv/bin/python bench/datalab_indicator.py [--rows 10000000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import duckdb
import ibis
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from infuse.analytics import (
    Condition,
    IndicatorSpec,
    Measure,
    Period,
    compute_indicator,
    connect,
    read_parquet,
)

COUNCILS = [f"W060000{n}" for n in (13, 14, 15, 16, 18, 19, 20, 21, 22, 24)]
CATEGORIES = ["housing", "social care", "transport", "waste"]


def decimal_from_cents(cents: np.ndarray) -> pa.Array:
    """Exact decimal(12, 2) amounts from integer pence: 128-bit two's complement words."""
    words = np.empty((len(cents), 2), dtype=np.int64)
    words[:, 0] = cents
    words[:, 1] = cents >> 63  # sign extension into the high word
    return pa.Array.from_buffers(pa.decimal128(12, 2), len(cents), [None, pa.py_buffer(words)])


def generate(path: Path, rows: int, seed: int = 500) -> None:
    rng = np.random.default_rng(seed)
    start = np.datetime64("2021-04-01")
    chunk = 1_000_000
    schema = pa.schema(
        [
            ("council", pa.string()),
            ("event_date", pa.date32()),
            ("amount", pa.decimal128(12, 2)),
            ("category", pa.string()),
            ("person_id", pa.int64()),
            ("urgent", pa.bool_()),
        ]
    )
    with pq.ParquetWriter(path, schema) as writer:
        for offset in range(0, rows, chunk):
            n = min(chunk, rows - offset)
            council_mask = rng.random(n) < 0.01
            councils = pa.array(np.array(COUNCILS)[rng.integers(0, 10, n)], mask=council_mask)
            dates = pa.array(start + rng.integers(0, 3 * 365, n).astype("timedelta64[D]"))
            amounts = decimal_from_cents(rng.integers(-1_000, 5_000_000, n))
            categories = pa.array(np.array(CATEGORIES)[rng.integers(0, 4, n)])
            people = pa.array(rng.integers(1, 2_000_000, n))
            urgent = pa.array(rng.random(n) < 0.3)
            writer.write_table(
                pa.table([councils, dates, amounts, categories, people, urgent], schema=schema)
            )


SHARE = IndicatorSpec(
    numerator=Measure("sum", "amount", where=(Condition("urgent", "=", True),)),
    denominator=Measure("sum", "amount"),
    council_column="council",
    period=Period("event_date", "financial_year"),
    filters=(Condition("category", "!=", "waste"),),
    unit="percentage",
)
SHARE_SQL = """
WITH r AS (
  SELECT council,
         CASE WHEN month(event_date) >= 4 THEN year(event_date) ELSE year(event_date) - 1 END
           AS fy,
         amount, urgent
  FROM read_parquet('{path}')
  WHERE council IS NOT NULL AND event_date IS NOT NULL AND category <> 'waste'
), g AS (
  SELECT council, fy, sum(amount) FILTER (WHERE urgent) AS numerator,
         sum(amount) AS denominator
  FROM r GROUP BY GROUPING SETS ((council, fy), (fy))
)
SELECT council, format('{{}}-{{:02d}}', fy, (fy + 1) % 100) AS period, numerator, denominator,
       numerator::DOUBLE * 100 / nullif(denominator::DOUBLE, 0) AS value
FROM g ORDER BY period, council NULLS LAST
"""

PEOPLE = IndicatorSpec(
    numerator=Measure("count_distinct", "person_id"),
    council_column="council",
    period=Period("event_date", "quarter"),
)
PEOPLE_SQL = """
WITH r AS (
  SELECT council, year(event_date) * 10 + quarter(event_date) AS q, person_id
  FROM read_parquet('{path}')
  WHERE council IS NOT NULL AND event_date IS NOT NULL
), g AS (
  SELECT council, q, count(DISTINCT person_id) AS numerator
  FROM r GROUP BY GROUPING SETS ((council, q), (q))
)
SELECT council, (q // 10)::VARCHAR || '-Q' || (q % 10)::VARCHAR AS period, numerator,
       NULL::BIGINT AS denominator, numerator::DOUBLE AS value
FROM g ORDER BY period, council NULLS LAST
"""


def best_of_interleaved(
    repeat: int, first: Callable[[], pa.Table], second: Callable[[], pa.Table]
) -> tuple[float, pa.Table, float, pa.Table]:
    """Best wall time of each over ``repeat`` alternating runs (fair under machine noise)."""
    times: list[list[float]] = [[], []]
    results: list[pa.Table] = [pa.table({}), pa.table({})]
    for _ in range(repeat):
        for i, run in enumerate((first, second)):
            start = time.perf_counter()
            results[i] = run()
            times[i].append(time.perf_counter() - start)
    return min(times[0]), results[0], min(times[1]), results[1]


def rows_of(table: pa.Table) -> list[tuple[object, ...]]:
    def clean(v: object) -> object:
        return v.normalize() if isinstance(v, Decimal) else v

    columns = ["council", "period", "numerator", "denominator", "value"]
    return [tuple(clean(r[c]) for c in columns) for r in table.to_pylist()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.parquet"
        start = time.perf_counter()
        generate(path, args.rows)
        print(
            f"datalab_indicator: {args.rows:,} rows, Parquet {path.stat().st_size / 1e6:.0f} MB "
            f"(generated in {time.perf_counter() - start:.1f} s)"
        )
        print(
            f"  duckdb {duckdb.__version__}, ibis {ibis.__version__}, Python "
            f"{platform.python_version()}, {dt.date.today():%Y-%m-%d}"
        )
        for name, spec, sql in (
            ("urgent share of spend (sum/sum, financial year)", SHARE, SHARE_SQL),
            ("distinct people (count distinct, quarter)", PEOPLE, PEOPLE_SQL),
        ):

            def layer(spec: IndicatorSpec = spec) -> pa.Table:
                con = connect()
                return compute_indicator(read_parquet(con, path), spec)

            def baseline(sql: str = sql) -> pa.Table:
                return duckdb.connect().sql(sql.format(path=path)).to_arrow_table()

            layer()  # warm the file cache for both
            layer_time, layer_result, baseline_time, baseline_result = best_of_interleaved(
                args.repeat, layer, baseline
            )
            assert rows_of(layer_result) == rows_of(baseline_result), "results differ"
            print(f"  {name}: {layer_result.num_rows} rows, identical results")
            print(f"    Ibis/DuckDB layer      {layer_time * 1000:8.1f} ms")
            print(f"    hand-written SQL       {baseline_time * 1000:8.1f} ms")
            print(f"    ratio layer / SQL      {layer_time / baseline_time:8.2f}x")


if __name__ == "__main__":
    main()
