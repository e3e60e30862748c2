"""Indicators as Ibis expressions, and the one call that computes one over Parquet files.

See :mod:`infuse.analytics.indicators` for what the expression returns and the semantics it
keeps on every engine.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir

from infuse.analytics.connection import DEFAULT_MEMORY_LIMIT
from infuse.analytics.engine import connect, read_parquet
from infuse.analytics.indicators.spec import (
    UNIT_MULTIPLIER,
    Aggregation,
    Condition,
    IndicatorSpec,
    Measure,
    Operator,
    PeriodGrain,
    PopulationDenominator,
    Unit,
)
from infuse.analytics.indicators.validation import coerce_value, validate_spec


def _condition_expression(table: ir.Table, condition: Condition) -> ir.BooleanValue:
    column = table[condition.column]
    dtype = column.type()
    op = Operator(condition.operator)
    if op is Operator.IS_NULL:
        return column.isnull()
    if op is Operator.IS_NOT_NULL:
        return column.notnull()
    value = condition.value
    if op in (Operator.IN, Operator.NOT_IN):
        assert isinstance(value, tuple)
        items = [coerce_value(dtype, v) for v in value]
        return column.isin(items) if op is Operator.IN else column.notin(items)
    if op is Operator.BETWEEN:
        assert isinstance(value, tuple)
        low, high = (coerce_value(dtype, v) for v in value)
        return column.between(low, high)
    literal = coerce_value(dtype, value)
    comparisons = {
        Operator.EQUAL: column.__eq__,
        Operator.NOT_EQUAL: column.__ne__,
        Operator.LESS: column.__lt__,
        Operator.LESS_OR_EQUAL: column.__le__,
        Operator.GREATER: column.__gt__,
        Operator.GREATER_OR_EQUAL: column.__ge__,
    }
    result: ir.BooleanValue = comparisons[op](literal)
    if op is Operator.NOT_EQUAL:
        # SQL already excludes nulls from != ; stated so the intent survives any backend.
        result = result & column.notnull()
    return result


def all_conditions(table: ir.Table, conditions: tuple[Condition, ...]) -> ir.BooleanValue | None:
    expression: ir.BooleanValue | None = None
    for condition in conditions:
        part = _condition_expression(table, condition)
        expression = part if expression is None else expression & part
    return expression


def period_key(column: ir.Value, grain: PeriodGrain) -> ir.Value:
    """An integer that identifies the period of a date or timestamp column at ``grain``.

    Rows are grouped by this number, and only the few groups are given text labels (see
    :func:`period_label`): formatting a label on every row would cost more than the aggregation.
    """
    if grain is PeriodGrain.AS_RECORDED:
        return column
    year = column.year()
    if grain is PeriodGrain.YEAR:
        return year
    if grain is PeriodGrain.FINANCIAL_YEAR:
        # April–March: 31 March 2024 is in 2023-24, 1 April 2024 in 2024-25.
        return ibis.ifelse(column.month() >= 4, year, year - 1)
    if grain is PeriodGrain.QUARTER:
        return year * 10 + column.quarter()
    return year * 100 + column.month()


def period_label(key: ir.Value, grain: PeriodGrain) -> ir.StringValue:
    """The text label of a :func:`period_key`: "2023", "2023-24", "2023-Q1" or "2023-04"."""
    if grain is PeriodGrain.AS_RECORDED:
        return key.cast("string")
    number: Any = key
    if grain is PeriodGrain.YEAR:
        return number.cast("string")
    if grain is PeriodGrain.FINANCIAL_YEAR:
        return number.cast("string") + "-" + ((number + 1) % 100).cast("string").lpad(2, "0")
    if grain is PeriodGrain.QUARTER:
        return (number // 10).cast("string") + "-Q" + (number % 10).cast("string")
    return (number // 100).cast("string") + "-" + (number % 100).cast("string").lpad(2, "0")


def _aggregate(table: ir.Table, measure: Measure) -> ir.Scalar:
    where = all_conditions(table, measure.where)
    if measure.aggregation is Aggregation.COUNT:
        return table.count(where=where)
    assert measure.column is not None
    if measure.aggregation is Aggregation.SUM:
        return row_sum(table, measure.columns).sum(where=where)
    return table[measure.column].nunique(where=where)


def row_sum(table: ir.Table, names: tuple[str, ...]) -> ir.NumericValue:
    """One column, or the sum of several in each row: missing values left out, a row with
    none missing in all of them has none (as a spreadsheet's SUM over blanks, but not 0)."""
    columns = [table[name] for name in names]
    if len(columns) == 1:
        return columns[0]
    total = functools.reduce(operator.add, (column.fill_null(0) for column in columns))
    none = functools.reduce(operator.and_, (column.isnull() for column in columns))
    return ibis.ifelse(none, ibis.null(total.type()), total)


def _value(spec: IndicatorSpec, numerator: ir.Value, denominator: ir.Value) -> ir.FloatingValue:
    if spec.unit is Unit.COUNT:
        return numerator.cast("float64")
    if spec.unit is Unit.VALUE:  # the mean of the rows' published values
        return numerator.cast("float64") / denominator.cast("float64").nullif(0)
    multiplier = UNIT_MULTIPLIER[Unit(spec.unit)]
    # Multiply before dividing: 30 × 100 / 200 is exactly 15.0; 30 / 200 × 100 is not.
    return (numerator.cast("float64") * multiplier) / denominator.cast("float64").nullif(0)


def indicator_expression(
    table: ir.Table,
    spec: IndicatorSpec,
    *,
    population: ir.Table | None = None,
    councils: Mapping[Any, str] | None = None,
) -> ir.Table:
    """The indicator's values per council × period plus a region row per period.

    Parameters
    ----------
    table:
        The dataset version (e.g. from :func:`infuse.analytics.engine.read_parquet`).
    spec:
        What to compute; validated against ``table`` first.
    population:
        Required when ``spec.denominator`` is a :class:`PopulationDenominator`; a table on the
        same backend (e.g. another Parquet file, or ``ibis.memtable``).
    councils:
        The region's councils as the data spells them: each raw value of the council column
        mapped to the council's code. Given, rows are grouped by code (two spellings of one
        council are one council) and rows of anywhere else count nowhere, not even in the
        region. Without it, each raw value is its own council and every row is in the region.

    Returns
    -------
    An unexecuted Ibis table with columns ``council`` (None on the region row), ``period``
    (text label), ``numerator``, ``denominator`` (None without a denominator) and ``value``
    (float64), ordered by period then council with the region last. The region row is always
    computed from the region's own rows where the aggregation does not add up.
    """
    validate_spec(spec, table.schema(), population.schema() if population is not None else None)
    grain = PeriodGrain(spec.period.grain)
    rows = _kept_rows(table, spec)
    council = rows[spec.council_column]
    if councils is not None:
        council = _council_code(council, councils)
        rows = rows.filter(council.notnull())
        council = _council_code(rows[spec.council_column], councils)
    council_type = council.type()
    period = period_key(rows[spec.period.column], grain)

    measures = {"numerator": spec.numerator}
    if isinstance(spec.denominator, Measure):
        measures["denominator"] = spec.denominator
    elif spec.unit is Unit.VALUE:
        # A published value is averaged over a council's rows: the rows that have one count.
        present = Condition(spec.numerator.columns[0], Operator.IS_NOT_NULL)
        measures["denominator"] = Measure(Aggregation.COUNT, where=(*spec.numerator.where, present))
    aggregates = {name: _aggregate(rows, measure) for name, measure in measures.items()}
    by_council = rows.group_by(council=council, period=period).aggregate(**aggregates)
    region = _region(rows, council, by_council, spec, measures, population)
    region = region.mutate(
        council=ibis.null().cast(council_type), period=period_label(region.period, grain)
    )
    by_council = by_council.mutate(period=period_label(by_council.period, grain))

    if isinstance(spec.denominator, PopulationDenominator):
        assert population is not None
        by_council, region = _join_population(by_council, region, population, spec.denominator)
    elif spec.denominator is None and spec.unit is not Unit.VALUE:
        none = ibis.null().cast("int64")
        by_council = by_council.mutate(denominator=none)
        region = region.mutate(denominator=none)

    columns = ["council", "period", "numerator", "denominator"]
    combined = by_council.select(columns).union(region.select(columns))
    combined = combined.mutate(value=_value(spec, combined.numerator, combined.denominator))
    if spec.unit is Unit.VALUE:
        # The mean of published values over the region's rows is no value of the region's:
        # without the counts behind them, the region has none.
        combined = combined.mutate(
            value=ibis.ifelse(combined.council.isnull(), ibis.null("float64"), combined.value)
        )
    return combined.order_by(["period", ibis.asc("council", nulls_first=False)])


def _kept_rows(table: ir.Table, spec: IndicatorSpec) -> ir.Table:
    """The rows the indicator counts: a council and a period, and every filter met.

    Filters and measures name the dataset's own columns, so they apply to the table as it is;
    the council and period keys are named only in the grouping (no clash with a column that is
    already called "council" or "period").
    """
    keep = table[spec.council_column].notnull() & table[spec.period.column].notnull()
    filters = all_conditions(table, spec.filters)
    if filters is not None:
        keep = keep & filters
    return table.filter(keep)


def council_values(table: ir.Table, spec: IndicatorSpec) -> list[tuple[Any, int]]:
    """The council column's distinct values among the rows the indicator counts, each with its
    number of rows, so a caller can say which are the region's councils (and which are not, and
    how much of the data they hold) before computing."""
    rows = _kept_rows(table, spec)
    counted = rows.group_by(value=rows[spec.council_column]).aggregate(rows=ibis._.count())
    found = counted.to_pyarrow()
    return list(
        zip(found.column("value").to_pylist(), found.column("rows").to_pylist(), strict=True)
    )


def flags_by_council(
    table: ir.Table, spec: IndicatorSpec, councils: Mapping[Any, str], flag_columns: Sequence[str]
) -> list[tuple[str, str, list[str]]]:
    """The different flags (``flag_columns``: the flags kept beside the measures' values) on
    the rows behind each council's value: (council code, period label, flags), for the
    councils of ``councils`` and the periods they have flagged rows in."""
    if not flag_columns or not councils:
        return []
    rows = _kept_rows(table, spec)
    grain = PeriodGrain(spec.period.grain)
    rows = rows.mutate(
        infuse_council=_council_code(rows[spec.council_column], councils),
        infuse_period=period_key(rows[spec.period.column], grain),
    )
    found: dict[tuple[str, str], set[str]] = {}
    for column in flag_columns:
        flagged = rows.filter(rows.infuse_council.notnull() & rows[column].notnull())
        grouped = flagged.group_by(["infuse_council", "infuse_period", column]).aggregate(
            n=flagged.count()
        )
        labelled = grouped.mutate(label=period_label(grouped.infuse_period, grain))
        for row in labelled.select("infuse_council", "label", column).to_pyarrow().to_pylist():
            found.setdefault((row["infuse_council"], row["label"]), set()).add(str(row[column]))
    return [(code, period, sorted(flags)) for (code, period), flags in sorted(found.items())]


def _council_code(column: ir.Value, councils: Mapping[Any, str]) -> ir.StringValue:
    """Each raw spelling of a council as its code; anything else null."""
    branches = [(column == raw, ibis.literal(code)) for raw, code in councils.items()]
    if not branches:
        return ibis.null().cast("string")
    return ibis.cases(*branches, else_=ibis.null().cast("string"))


def _region(
    rows: ir.Table,
    council: ir.Value,
    by_council: ir.Table,
    spec: IndicatorSpec,
    measures: dict[str, Measure],
    population: ir.Table | None,
) -> ir.Table:
    """The region's numerator (and denominator) per period key, from its own rows.

    Counts and sums add up: the region is the sum of the councils' few aggregated rows, which
    spares a second pass over the data. Distinct counts do not add up (a person seen in two
    councils is one person in the region), so they take the second pass. With a population
    denominator the population table says which councils make the region.
    """
    region_councils = None
    if isinstance(spec.denominator, PopulationDenominator):
        assert population is not None
        region_councils = population[spec.denominator.council_column]
    if all(m.aggregation is not Aggregation.COUNT_DISTINCT for m in measures.values()):
        source = by_council
        if region_councils is not None:
            source = source.filter(source.council.isin(region_councils))
        return source.group_by("period").aggregate(
            **{name: source[name].sum() for name in measures}
        )
    source = rows
    if region_councils is not None:
        source = source.filter(council.isin(region_councils))
    grain = PeriodGrain(spec.period.grain)
    return source.group_by(period=period_key(source[spec.period.column], grain)).aggregate(
        **{name: _aggregate(source, measure) for name, measure in measures.items()}
    )


def _join_population(
    by_council: ir.Table,
    region: ir.Table,
    population: ir.Table,
    denominator: PopulationDenominator,
) -> tuple[ir.Table, ir.Table]:
    """Attach population denominators; councils without rows in a period get numerator 0."""
    pop_council = population[denominator.council_column]
    keys = {"council": pop_council}
    if denominator.period_column is not None:
        keys["period"] = population[denominator.period_column].cast("string")
    pop = (
        population.filter(pop_council.notnull())
        .group_by(keys)
        .aggregate(denominator=population[denominator.value_column].sum())
    )
    periods = by_council.select("period").distinct()
    if denominator.period_column is None:
        expected = pop.cross_join(periods)
    else:
        expected = pop.join(periods, "period")
    # Each (council, period) that has rows or is expected from the population table.
    numerator_type = by_council.schema()["numerator"]
    joined = by_council.join(
        expected,
        [by_council.council == expected.council, by_council.period == expected.period],
        how="outer",
        rname="{name}_expected",
    )
    councils = joined.select(
        council=ibis.coalesce(joined.council, joined.council_expected),
        period=ibis.coalesce(joined.period, joined.period_expected),
        numerator=ibis.coalesce(joined.numerator, ibis.literal(0).cast(numerator_type)),
        denominator=joined.denominator,
    )
    region_population = expected.group_by("period").aggregate(
        denominator=expected.denominator.sum()
    )
    region = region.join(region_population, "period", how="left").select(
        "council", "period", "numerator", "denominator"
    )
    return councils, region


def compute_indicator(
    table: ir.Table, spec: IndicatorSpec, *, population: ir.Table | None = None
) -> Any:
    """Run :func:`indicator_expression` and return a ``pyarrow.Table`` (exact decimals kept)."""
    return indicator_expression(table, spec, population=population).to_pyarrow()


def compute_indicator_from_parquet(
    path_or_paths: str | Path | Sequence[str | Path],
    spec: IndicatorSpec,
    *,
    population_path: str | Path | None = None,
    engine: str = "duckdb",
    spark_master: str | None = None,
    threads: int | None = None,
    memory_limit: str = DEFAULT_MEMORY_LIMIT,
) -> Any:
    """Compute an indicator over a dataset version's Parquet file(s) on a connection of its own.

    The one call a service or background task needs: it opens the engine (a fresh in-memory
    DuckDB connection by default, closed afterwards), reads the file(s) and the population
    table if the spec has one, and returns a ``pyarrow.Table`` of
    ``council, period, numerator, denominator, value``.
    """
    con = connect(engine, spark_master=spark_master, threads=threads, memory_limit=memory_limit)
    try:
        table = read_parquet(con, path_or_paths)
        population = read_parquet(con, population_path) if population_path is not None else None
        return compute_indicator(table, spec, population=population)
    finally:
        if engine == "duckdb":
            con.disconnect()
