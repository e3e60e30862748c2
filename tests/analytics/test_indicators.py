"""Indicator values checked three ways, and the same specs on DuckDB and on Spark.

Each case is an indicator spec together with the same aggregation written independently twice:
by hand in plain DuckDB SQL (GROUPING SETS for the region row, FILTER clauses, no Ibis), and in
pandas (group by, then arithmetic in Python on integer pence). The generated data has nulls in
every column, councils outside the region and rows on 31 March / 1 April.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import ibis
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from infuse.analytics import (
    Condition,
    IndicatorSpec,
    IndicatorSpecError,
    Measure,
    Period,
    PopulationDenominator,
    compute_indicator,
    compute_indicator_from_parquet,
    connect,
    indicator_expression,
    read_parquet,
)

Row = tuple[Any, ...]


def normalise(rows: list[Row]) -> list[Row]:
    """Rows as (council, period, numerator, denominator, value), with Decimals made canonical,
    sorted by period then council with the region (None) last."""

    def clean(value: Any) -> Any:
        if isinstance(value, Decimal):
            return value.normalize()
        if isinstance(value, float) and value != value:  # NaN from pandas is a missing value
            return None
        return value

    cleaned = [tuple(clean(v) for v in row) for row in rows]
    return sorted(cleaned, key=lambda r: (r[1], r[0] is None, r[0] or ""))


def arrow_rows(table: pa.Table) -> list[Row]:
    columns = ["council", "period", "numerator", "denominator", "value"]
    return [tuple(row[c] for c in columns) for row in table.to_pylist()]


# ----------------------------------------------------------------------------------------------
# pandas reference: groups, then Python arithmetic
# ----------------------------------------------------------------------------------------------


def financial_year(day: dt.date) -> str:
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def pandas_frame(path: Path) -> pd.DataFrame:
    frame = pq.read_table(path).to_pandas()
    frame = frame[frame["council"].notna() & frame["event_date"].notna()].copy()
    frame["cents"] = [None if a is None else int(a * 100) for a in frame["amount"]]
    frame["year"] = [str(d.year) for d in frame["event_date"]]
    frame["financial_year"] = [financial_year(d) for d in frame["event_date"]]
    frame["quarter"] = [f"{d.year}-Q{(d.month - 1) // 3 + 1}" for d in frame["event_date"]]
    frame["month"] = [f"{d.year}-{d.month:02d}" for d in frame["event_date"]]
    return frame


def grouped(
    frame: pd.DataFrame,
    period: str,
    measure: Callable[[pd.DataFrame], tuple[Any, Any]],
    multiplier: int | None,
) -> list[Row]:
    rows: list[Row] = []
    groups = [((c, p), g) for (c, p), g in frame.groupby(["council", period])]
    groups += [((None, p), g) for p, g in frame.groupby(period)]
    for (council, label), group in groups:
        numerator, denominator = measure(group)
        if multiplier is None:
            value = None if numerator is None else float(numerator)
        elif numerator is None or not denominator:
            value = None
        else:
            value = float(numerator) * multiplier / float(denominator)
        rows.append((council, label, numerator, denominator, value))
    return rows


def cents_sum(values: pd.Series) -> Decimal | None:
    present = [int(v) for v in values if v is not None and v == v]
    return Decimal(sum(present)).scaleb(-2) if present else None


# ----------------------------------------------------------------------------------------------
# The cases
# ----------------------------------------------------------------------------------------------

BASE = "council IS NOT NULL AND event_date IS NOT NULL"
FY = (
    "format('{}-{:02d}', fy, (fy + 1) % 100)",
    "CASE WHEN month(event_date) >= 4 THEN year(event_date) ELSE year(event_date) - 1 END",
)


@dataclass(frozen=True)
class Case:
    name: str
    spec: IndicatorSpec
    sql: str  # EVENTS and POPULATION are replaced by read_parquet(...) calls
    pandas: Callable[[pd.DataFrame, pd.DataFrame], list[Row]]


def _pandas_social_count(frame: pd.DataFrame, _: pd.DataFrame) -> list[Row]:
    rows = frame[frame["category"].isin(["housing", "social care"])]
    return grouped(rows, "financial_year", lambda g: (len(g), None), None)


def _pandas_urgent_share(frame: pd.DataFrame, _: pd.DataFrame) -> list[Row]:
    rows = frame[frame["cents"].map(lambda c: c is not None and c == c and c > 0)]
    return grouped(
        rows,
        "month",
        lambda g: (cents_sum(g.loc[g["urgent"] == True, "cents"]), cents_sum(g["cents"])),  # noqa: E712
        100,
    )


def _pandas_people(frame: pd.DataFrame, _: pd.DataFrame) -> list[Row]:
    rows = frame[frame["category"].notna() & (frame["category"] != "waste")]
    return grouped(rows, "quarter", lambda g: (g["person_id"].nunique(), None), None)


def _pandas_rate(frame: pd.DataFrame, population: pd.DataFrame) -> list[Row]:
    rows = frame[
        frame["category"].notna()
        & frame["event_date"].map(lambda d: dt.date(2022, 4, 1) <= d <= dt.date(2024, 3, 31))
    ]
    counts = rows.groupby(["council", "year"]).size().to_dict()
    periods = sorted(rows["year"].unique())
    pop = population[population["year"].isin(periods)]
    expected = {(r.council_code, r.year): int(r.population) for r in pop.itertuples()}
    result: list[Row] = []
    for key in sorted(set(counts) | set(expected)):
        numerator = int(counts.get(key, 0))
        denominator = expected.get(key)
        value = None if denominator is None else numerator * 1000 / denominator
        result.append((key[0], key[1], numerator, denominator, value))
    in_region = rows[rows["council"].isin(set(population["council_code"]))]
    for year in periods:
        numerator = int((in_region["year"] == year).sum())
        denominator = int(pop.loc[pop["year"] == year, "population"].sum())
        result.append((None, year, numerator, denominator, numerator * 1000 / denominator))
    return result


def _pandas_spend_not_waste(frame: pd.DataFrame, _: pd.DataFrame) -> list[Row]:
    # SQL semantics: "not in" and "= true" never match a null.
    rows = frame[
        frame["category"].notna() & ~frame["category"].isin(["waste"]) & (frame["urgent"] == True)  # noqa: E712
    ]
    return grouped(rows, "year", lambda g: (cents_sum(g["cents"]), None), None)


CASES = [
    Case(
        "count rows by financial year, 'in' filter",
        IndicatorSpec(
            numerator=Measure("count"),
            council_column="council",
            period=Period("event_date", "financial_year"),
            filters=(Condition("category", "in", ["housing", "social care"]),),
        ),
        f"""
        WITH r AS (SELECT council, {FY[1]} AS fy FROM EVENTS
                   WHERE {BASE} AND category IN ('housing', 'social care'))
        SELECT council, {FY[0]} AS period, count(*) AS numerator, NULL AS denominator,
               count(*)::DOUBLE AS value
        FROM r GROUP BY GROUPING SETS ((council, fy), (fy))
        """,
        _pandas_social_count,
    ),
    Case(
        "percentage of spend that is urgent, by month, amount > 0",
        IndicatorSpec(
            numerator=Measure("sum", "amount", where=(Condition("urgent", "=", True),)),
            denominator=Measure("sum", "amount"),
            council_column="council",
            period=Period("event_date", "month"),
            filters=(Condition("amount", ">", 0),),
            unit="percentage",
            polarity="lower_is_better",
        ),
        f"""
        WITH r AS (SELECT council, strftime(event_date, '%Y-%m') AS m, amount, urgent
                   FROM EVENTS WHERE {BASE} AND amount > 0)
        SELECT council, m AS period, sum(amount) FILTER (WHERE urgent) AS numerator,
               sum(amount) AS denominator,
               (sum(amount) FILTER (WHERE urgent))::DOUBLE * 100
                 / nullif(sum(amount)::DOUBLE, 0) AS value
        FROM r GROUP BY GROUPING SETS ((council, m), (m))
        """,
        _pandas_urgent_share,
    ),
    Case(
        "distinct people by quarter (the region is not the sum of councils)",
        IndicatorSpec(
            numerator=Measure("count_distinct", "person_id"),
            council_column="council",
            period=Period("event_date", "quarter"),
            filters=(Condition("category", "!=", "waste"),),
        ),
        f"""
        WITH r AS (SELECT council, year(event_date) || '-Q' || quarter(event_date) AS q,
                          person_id FROM EVENTS WHERE {BASE} AND category <> 'waste')
        SELECT council, q AS period, count(DISTINCT person_id) AS numerator,
               NULL AS denominator, count(DISTINCT person_id)::DOUBLE AS value
        FROM r GROUP BY GROUPING SETS ((council, q), (q))
        """,
        _pandas_people,
    ),
    Case(
        "rate per 1,000 population by year, 'between' dates and 'is not null'",
        IndicatorSpec(
            numerator=Measure("count"),
            denominator=PopulationDenominator("population", "council_code", "year"),
            council_column="council",
            period=Period("event_date", "year"),
            filters=(
                Condition("event_date", "between", ["2022-04-01", dt.date(2024, 3, 31)]),
                Condition("category", "is not null"),
            ),
            unit="rate_per_1000",
            polarity="higher_is_better",
        ),
        f"""
        WITH r AS (SELECT council, year(event_date)::VARCHAR AS y FROM EVENTS
                   WHERE {BASE} AND category IS NOT NULL
                     AND event_date BETWEEN DATE '2022-04-01' AND DATE '2024-03-31'),
        n AS (SELECT council, y, count(*) AS n FROM r GROUP BY council, y),
        e AS (SELECT council_code AS council, year AS y, sum(population) AS pop
              FROM POPULATION WHERE year IN (SELECT y FROM r) GROUP BY ALL),
        councils AS (
          SELECT coalesce(n.council, e.council) AS council, coalesce(n.y, e.y) AS period,
                 coalesce(n.n, 0) AS numerator, e.pop AS denominator
          FROM n FULL OUTER JOIN e ON n.council = e.council AND n.y = e.y),
        region AS (
          SELECT NULL AS council, y AS period, count(*) AS numerator,
                 (SELECT sum(pop) FROM e WHERE e.y = r.y) AS denominator
          FROM r WHERE council IN (SELECT council_code FROM POPULATION) GROUP BY y)
        SELECT *, numerator::DOUBLE * 1000 / nullif(denominator::DOUBLE, 0) AS value
        FROM (SELECT * FROM councils UNION ALL SELECT * FROM region)
        """,
        _pandas_rate,
    ),
    Case(
        "sum of urgent spend by year, 'not in' with nulls present",
        IndicatorSpec(
            numerator=Measure("sum", "amount"),
            council_column="council",
            period=Period("event_date", "year"),
            filters=(
                Condition("category", "not in", ["waste"]),
                Condition("urgent", "=", True),
            ),
        ),
        f"""
        WITH r AS (SELECT council, year(event_date)::VARCHAR AS y, amount FROM EVENTS
                   WHERE {BASE} AND category NOT IN ('waste') AND urgent = true)
        SELECT council, y AS period, sum(amount) AS numerator, NULL AS denominator,
               sum(amount)::DOUBLE AS value
        FROM r GROUP BY GROUPING SETS ((council, y), (y))
        """,
        _pandas_spend_not_waste,
    ),
]
IDS = [case.name for case in CASES]


def run(con: Any, events: Path, population: Path, spec: IndicatorSpec) -> list[Row]:
    table = read_parquet(con, events)
    pop = read_parquet(con, population)
    return arrow_rows(compute_indicator(table, spec, population=pop))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_indicator_matches_hand_written_duckdb_sql(
    case: Case, events_path: Path, population_path: Path
) -> None:
    sql = case.sql.replace("EVENTS", f"read_parquet('{events_path}')").replace(
        "POPULATION", f"read_parquet('{population_path}')"
    )
    expected = duckdb.connect().sql(sql).fetchall()
    actual = run(connect(), events_path, population_path, case.spec)
    assert len(actual) > 10
    assert normalise(actual) == normalise(expected)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_indicator_matches_pandas(case: Case, events_path: Path, population_path: Path) -> None:
    expected = case.pandas(pandas_frame(events_path), pq.read_table(population_path).to_pandas())
    actual = run(connect(), events_path, population_path, case.spec)
    assert normalise(actual) == normalise(expected)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_duckdb_and_spark_give_identical_results(
    case: Case, events_path: Path, population_path: Path, spark: Any
) -> None:
    on_duckdb = run(connect("duckdb"), events_path, population_path, case.spec)
    on_spark = run(ibis.pyspark.connect(spark), events_path, population_path, case.spec)
    # Same rows in the same order, values bit for bit (decimals compared as numbers).
    assert [tuple(r[:2]) for r in on_spark] == [tuple(r[:2]) for r in on_duckdb]
    assert normalise(on_spark) == normalise(on_duckdb)


# ----------------------------------------------------------------------------------------------
# Behaviour on small, readable tables
# ----------------------------------------------------------------------------------------------


def small(con: Any, tmp_path: Path, columns: dict[str, pa.Array]) -> Any:
    path = tmp_path / "small.parquet"
    pq.write_table(pa.table(columns), path)
    return read_parquet(con, path)


def test_financial_year_edges_31_march_and_1_april(tmp_path: Path) -> None:
    table = small(
        connect(),
        tmp_path,
        {
            "council": pa.array(["A", "A", "A", "A"]),
            "day": pa.array(
                [
                    dt.date(2024, 3, 31),
                    dt.date(2024, 4, 1),
                    dt.date(2099, 4, 1),
                    dt.date(2000, 1, 1),
                ]
            ),
        },
    )
    spec = IndicatorSpec(Measure("count"), "council", Period("day", "financial_year"))
    rows = arrow_rows(compute_indicator(table, spec))
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("A", "1999-00", 1),
        (None, "1999-00", 1),
        ("A", "2023-24", 1),
        (None, "2023-24", 1),
        ("A", "2024-25", 1),
        (None, "2024-25", 1),
        ("A", "2099-00", 1),
        (None, "2099-00", 1),
    ]


def test_timestamps_existing_period_column_and_zero_denominator(tmp_path: Path) -> None:
    con = connect()
    table = small(
        con,
        tmp_path,
        {
            "council": pa.array(["A", "B", "B"]),
            "period": pa.array(["2023-24", "2023-24", "2024-25"]),
            "at": pa.array(
                [
                    dt.datetime(2024, 3, 31, 23, 59),
                    dt.datetime(2024, 4, 1),
                    dt.datetime(2024, 4, 2),
                ],
                pa.timestamp("us"),
            ),
            "cases": pa.array([3, 0, 5]),
            "births": pa.array([100, 0, 50]),
        },
    )
    recorded = IndicatorSpec(
        Measure("sum", "cases"),
        "council",
        Period("period", "as_recorded"),
        denominator=Measure("sum", "births"),
        unit="percentage",
    )
    rows = arrow_rows(compute_indicator(table, recorded))
    assert rows == [
        ("A", "2023-24", 3, 100, 3.0),
        ("B", "2023-24", 0, 0, None),  # 0 / 0 is missing, not an error or infinity
        (None, "2023-24", 3, 100, 3.0),
        ("B", "2024-25", 5, 50, 10.0),
        (None, "2024-25", 5, 50, 10.0),
    ]
    by_month = IndicatorSpec(Measure("count"), "council", Period("at", "month"))
    assert [r[1] for r in arrow_rows(compute_indicator(table, by_month))] == [
        "2024-03",
        "2024-03",
        "2024-04",
        "2024-04",
    ]
    filtered = IndicatorSpec(
        Measure("count"),
        "council",
        Period("at", "quarter"),
        filters=(Condition("at", ">=", "2024-04-01T00:00:00"),),
    )
    assert arrow_rows(compute_indicator(table, filtered)) == [
        ("B", "2024-Q2", 2, None, 2.0),
        (None, "2024-Q2", 2, None, 2.0),
    ]


def test_a_sum_of_several_columns_leaves_out_missing_values(tmp_path: Path) -> None:
    """Births under 2,000 g plus births of 2,000-2,499 g, per council: a missing count (".")
    is left out of its row's sum; a row missing both has no value. Checked by hand."""
    table = small(
        connect(),
        tmp_path,
        {
            "council": pa.array(["A", "A", "B", "B", "C"]),
            "year": pa.array([2023] * 5),
            "under_2000": pa.array([15, None, 23, None, None], pa.int64()),
            "from_2000": pa.array([16, 4, None, None, 7], pa.int64()),
            "total": pa.array([483, 50, 1000, 20, 100], pa.int64()),
        },
    )
    low = IndicatorSpec(
        Measure("sum", ["under_2000", "from_2000"]),
        "council",
        Period("year", "as_recorded"),
        denominator=Measure("sum", "total"),
        unit="percentage",
        polarity="lower is better",
    )
    assert low.polarity == "lower_is_better"
    rows = {r[0]: r[2:4] for r in arrow_rows(compute_indicator(table, low))}
    assert rows == {
        "A": (15 + 16 + 4, 533),
        "B": (23, 1020),  # the row with neither count adds nothing
        "C": (7, 100),
        None: (65, 1653),
    }
    assert IndicatorSpec.from_dict(low.to_dict()) == low
    assert low.to_dict()["numerator"]["column"] == ["under_2000", "from_2000"]


@pytest.mark.parametrize(
    ("words", "polarity"),
    [
        ("Lower is better", "lower_is_better"),
        ("higher-is-better", "higher_is_better"),
        ("higher_is_worse", "lower_is_better"),  # as specifications said before
        (" NEITHER ", "neither"),
        ("Neither higher nor lower is better", "neither"),  # as the form's choice says it
    ],
)
def test_polarity_in_words(words: str, polarity: str) -> None:
    spec = IndicatorSpec(Measure("count"), "council", Period("year"), polarity=words)
    assert spec.polarity == polarity


def test_an_unknown_polarity_says_which_words_to_use() -> None:
    with pytest.raises(IndicatorSpecError) as caught:
        IndicatorSpec(Measure("count"), "council", Period("year"), polarity="smaller")
    assert caught.value.params["choices"] == ["higher_is_better", "lower_is_better", "neither"]


def test_edge_cases_give_identical_results_on_spark(tmp_path: Path, spark: Any) -> None:
    """Timestamps at midnight boundaries, a zero denominator, an existing period column, distinct
    counts across councils and an empty filter result behave the same on both engines."""
    path = tmp_path / "edges.parquet"
    pq.write_table(
        pa.table(
            {
                "council": pa.array(["A", "A", "B", "B", None, "C"]),
                "period": pa.array(["2023-24", "2023-24", "2023-24", "2024-25", "2024-25", None]),
                "at": pa.array(
                    [
                        dt.datetime(2024, 3, 31, 23, 59, 59),
                        dt.datetime(2024, 4, 1, 0, 0, 0),
                        dt.datetime(2023, 12, 31, 23, 59, 59),
                        dt.datetime(2024, 1, 1, 0, 0, 0),
                        dt.datetime(2024, 6, 1),
                        None,
                    ],
                    pa.timestamp("us"),
                ),
                "who": pa.array([1, 2, 1, 1, 3, 4]),
                "cases": pa.array([3, 0, 5, None, 2, 1]),
                "births": pa.array(
                    [Decimal("100.5"), Decimal("0"), Decimal("0"), Decimal("7"), None, None],
                    pa.decimal128(6, 1),
                ),
            }
        ),
        path,
    )
    specs = [
        IndicatorSpec(
            Measure("sum", "cases"),
            "council",
            Period("period", "as_recorded"),
            denominator=Measure("sum", "births"),
            unit="rate_per_100000",
        ),
        IndicatorSpec(Measure("count_distinct", "who"), "council", Period("at", "financial_year")),
        IndicatorSpec(
            Measure("count"),
            "council",
            Period("at", "month"),
            filters=(
                Condition("at", "between", ["2023-12-31T23:59:59", "2024-04-01T00:00:00"]),
                Condition("who", "not in", [3]),
            ),
        ),
        # Columns added up in each row, a missing one left out, a row missing all of them.
        IndicatorSpec(
            Measure("sum", ["cases", "births", "who"]),
            "council",
            Period("period", "as_recorded"),
        ),
        IndicatorSpec(
            Measure("count"),
            "council",
            Period("at", "quarter"),
            filters=(Condition("who", ">", 100),),
        ),
    ]
    for spec in specs:
        on_duckdb = arrow_rows(compute_indicator(read_parquet(connect(), path), spec))
        on_spark = arrow_rows(
            compute_indicator(read_parquet(ibis.pyspark.connect(spark), path), spec)
        )
        assert on_spark == on_duckdb, spec
    assert on_duckdb == []  # nothing matched the last filter


def test_columns_already_called_council_or_period_do_not_clash(tmp_path: Path) -> None:
    table = small(
        connect(),
        tmp_path,
        {
            "gss": pa.array(["A", "A", "B"]),
            "council": pa.array(["ward 1", "ward 2", "ward 3"]),  # not the council column
            "period": pa.array(["keep", "drop", "keep"]),  # not the period column
            "when": pa.array([dt.date(2023, 5, 1), dt.date(2023, 6, 1), dt.date(2024, 5, 1)]),
        },
    )
    spec = IndicatorSpec(
        Measure("count_distinct", "council"),
        "gss",
        Period("when", "year"),
        filters=(Condition("period", "=", "keep"),),
    )
    assert [r[:3] for r in arrow_rows(compute_indicator(table, spec))] == [
        ("A", "2023", 1),
        (None, "2023", 1),
        ("B", "2024", 1),
        (None, "2024", 1),
    ]


def test_decimal_sums_stay_exact(tmp_path: Path) -> None:
    # 0.1 added ten thousand times is 1000 exactly as a decimal, not 1000.0000000001588.
    table = small(
        connect(),
        tmp_path,
        {
            "council": pa.array(["A"] * 10_000),
            "day": pa.array([dt.date(2024, 1, 1)] * 10_000),
            "amount": pa.array([Decimal("0.10")] * 10_000, pa.decimal128(10, 2)),
        },
    )
    spec = IndicatorSpec(Measure("sum", "amount"), "council", Period("day", "year"))
    result = compute_indicator(table, spec)
    assert pa.types.is_decimal(result.schema.field("numerator").type)
    assert result.column("numerator").to_pylist() == [Decimal("1000.00")] * 2


def test_one_call_from_parquet_files(events_path: Path, population_path: Path) -> None:
    case = CASES[3]
    result = compute_indicator_from_parquet(
        events_path, case.spec, population_path=population_path, threads=1, memory_limit="256MB"
    )
    expected = run(connect(), events_path, population_path, case.spec)
    assert arrow_rows(result) == expected


def test_spec_round_trips_through_json() -> None:
    spec = CASES[3].spec
    data = json.loads(json.dumps(spec.to_dict()))
    assert IndicatorSpec.from_dict(data).to_dict() == spec.to_dict()
    assert IndicatorSpec.from_dict(CASES[1].spec.to_dict()) == CASES[1].spec


# ----------------------------------------------------------------------------------------------
# Validation: typed errors with a message key and parameters
# ----------------------------------------------------------------------------------------------


@pytest.fixture
def events(events_path: Path) -> Any:
    return read_parquet(connect(), events_path)


def spec_error(table: Any, spec: IndicatorSpec, **kwargs: Any) -> IndicatorSpecError:
    with pytest.raises(IndicatorSpecError) as caught:
        indicator_expression(table, spec, **kwargs)
    assert isinstance(caught.value, ValueError)
    return caught.value


def test_unknown_column(events: Any) -> None:
    error = spec_error(events, IndicatorSpec(Measure("count"), "authority", Period("event_date")))
    assert error.key == "analytics.unknown-column"
    assert error.params["column"] == "authority"
    assert error.params["role"] == "council"
    assert "council" in error.params["available"]


def test_sum_of_text_column(events: Any) -> None:
    error = spec_error(
        events, IndicatorSpec(Measure("sum", "category"), "council", Period("event_date"))
    )
    assert error.key == "analytics.sum-needs-number"
    assert error.params == {"role": "numerator", "column": "category", "type": "string"}


def test_bad_operator_and_bad_unit() -> None:
    with pytest.raises(IndicatorSpecError) as caught:
        Condition("category", "like", "hous%")
    assert caught.value.key == "analytics.bad-choice"
    assert caught.value.params["field"] == "operator"
    assert "not in" in caught.value.params["choices"]
    with pytest.raises(IndicatorSpecError) as caught:
        IndicatorSpec(Measure("count"), "council", Period("event_date"), unit="per cent")
    assert caught.value.params["field"] == "unit"


@pytest.mark.parametrize(
    ("condition", "key"),
    [
        (Condition("amount", "=", "lots"), "analytics.filter-value-type"),
        (Condition("event_date", "<", 2024), "analytics.filter-value-type"),
        (Condition("urgent", "=", 1), "analytics.filter-value-type"),
        (Condition("category", "in", []), "analytics.filter-needs-list"),
        (Condition("amount", "between", [1]), "analytics.filter-needs-two-values"),
        (Condition("amount", "is null", 3), "analytics.filter-takes-no-value"),
        (Condition("amount", ">"), "analytics.filter-needs-one-value"),
    ],
)
def test_filter_problems(events: Any, condition: Condition, key: str) -> None:
    spec = IndicatorSpec(Measure("count"), "council", Period("event_date"), filters=(condition,))
    error = spec_error(events, spec)
    assert error.key == key
    assert error.params["column"] == condition.column


def test_every_problem_is_reported_at_once(events: Any) -> None:
    spec = IndicatorSpec(
        Measure("count", "person_id"),
        "authority",
        Period("category", "month"),
        unit="percentage",
    )
    error = spec_error(events, spec)
    assert error.key == "analytics.invalid-indicator"
    assert error.params == {"count": 4}
    assert [p.key for p in error.problems] == [
        "analytics.unknown-column",
        "analytics.period-needs-date",
        "analytics.count-takes-no-column",
        "analytics.unit-needs-denominator",
    ]


def test_population_denominator_needs_a_population_table(events: Any) -> None:
    spec = IndicatorSpec(
        Measure("count"),
        "council",
        Period("event_date", "year"),
        denominator=PopulationDenominator("population"),
        unit="rate_per_100000",
    )
    assert spec_error(events, spec).key == "analytics.population-missing"
    population = ibis.memtable({"council": ["A"], "people": [10]})
    error = spec_error(events, spec, population=population)
    assert error.key == "analytics.unknown-column"
    assert error.params["role"] == "population"
    numbered = ibis.memtable({"council": [6000015], "population": [10]})
    error = spec_error(events, spec, population=numbered)
    assert error.key == "analytics.population-council-type"
    assert error.params == {"column": "council", "type": "int64", "expected": "string"}
