"""Column profiles of a dataset version: what an officer needs to see before trusting a column.

For every column: its type, how many values are missing, how many are distinct, the smallest and
largest; for numbers and dates the quartiles (0.25, 0.5, 0.75); the ten commonest values with
their counts; and a histogram — equal-width bins for numbers, one bin per calendar month for dates
(per year when the dates span more than :data:`MAX_MONTH_BINS` months, so a chart stays legible).

Everything is an Ibis expression, so it runs where the indicators run (on DuckDB the rows are
fetched without Ibis's pandas converter: :func:`~infuse.analytics.engine.records`). The work is
one aggregate over all columns (counts, distinct counts, extremes, quartiles) plus one small
grouped query per column for the top values and one for the histogram; DuckDB reads only the
column it needs from Parquet for each, so a wide file costs little more than a narrow one.

Definitions (stated so they can be checked independently):

- Quartiles of numbers use linear interpolation between order statistics, numpy's default
  (Hyndman & Fan 1996, definition 7), computed in float64. Quartiles of dates are the same
  computation on day numbers, rounded down to a day; of timestamps, on seconds.
- Histogram bins for numbers split [min, max] into ``bins`` equal widths; each bin holds
  ``lower <= x < upper`` except the last, which includes ``max`` (as numpy.histogram does).
- Top values exclude nulls (counted separately) and break ties by the value, ascending.
- In floating-point columns NaN and ±infinity count as values (not nulls) for the counts, the
  extremes and the top values, but are left out of the quartiles and the histogram.
- Above ``exact_rows`` rows (:data:`EXACT_ROWS` by default) quartiles are approximate (t-digest)
  and so are distinct counts above :data:`MAX_DISTINCT_FOR_TOP` (HyperLogLog, as DuckDB's own
  ``SUMMARIZE``), so memory stays flat however large the version: exact ones hold every value or
  every distinct value in memory. Such near-unique columns get no top values (every count would
  be 1 anyway); columns with fewer distinct values are counted exactly. The profile says when it is
  approximate. Counts of rows and nulls, extremes and histograms are always exact.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ibis
import ibis.expr.types as ir

from infuse.analytics.engine import connect, read_parquet, records

if TYPE_CHECKING:
    from ibis.backends import BaseBackend

QUANTILES = (0.25, 0.5, 0.75)
DEFAULT_BINS = 20
DEFAULT_TOP = 10
EXACT_ROWS = 2_000_000
MAX_DISTINCT_FOR_TOP = 100_000
MAX_MONTH_BINS = 240  # 20 years of months; longer spans are binned by year
EPOCH = dt.date(1970, 1, 1)
EPOCH_TIME = dt.datetime(1970, 1, 1)


@dataclass(frozen=True)
class ValueCount:
    value: Any
    count: int


@dataclass(frozen=True)
class HistogramBin:
    """``lower <= value < upper`` (the last number bin includes its upper edge)."""

    lower: Any
    upper: Any
    count: int
    label: str


@dataclass(frozen=True)
class ColumnProfile:
    name: str
    type: str  # Ibis type, e.g. "decimal(12, 2)", "date", "string"
    kind: str  # "number", "date", "datetime", "text", "boolean" or "other"
    rows: int
    nulls: int
    distinct: int
    minimum: Any = None
    maximum: Any = None
    quantiles: dict[float, Any] = field(default_factory=dict)
    top_values: list[ValueCount] = field(default_factory=list)
    histogram: list[HistogramBin] = field(default_factory=list)
    histogram_grain: str | None = None  # "equal_width", "month" or "year"

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict: dates as ISO text, decimals as text, quantile keys as text."""
        data = asdict(self)
        data["quantiles"] = {str(k): v for k, v in self.quantiles.items()}
        return _jsonable(data)


@dataclass(frozen=True)
class TableProfile:
    rows: int
    columns: list[ColumnProfile]
    approximate: bool = False  # distinct counts and quartiles estimated (a large table)

    def to_json(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "approximate": self.approximate,
            "columns": [c.to_json() for c in self.columns],
        }


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _kind(dtype: Any) -> str:
    if dtype.is_boolean():
        return "boolean"
    if dtype.is_numeric():
        return "number"
    if dtype.is_date():
        return "date"
    if dtype.is_timestamp():
        return "datetime"
    if dtype.is_string():
        return "text"
    return "other"


def _ordered(column: ir.Value, kind: str) -> ir.NumericValue | None:
    """The column as a float64 number line for quartiles and bins, or None if it has none."""
    if kind == "number":
        return column.cast("float64")
    if kind == "date":
        return column.epoch_days().cast("float64")
    if kind == "datetime":
        return column.epoch_seconds().cast("float64")
    return None


def _from_number_line(value: float | None, kind: str) -> Any:
    if value is None:
        return None
    if kind == "date":
        return EPOCH + dt.timedelta(days=math.floor(value))
    if kind == "datetime":
        return EPOCH_TIME + dt.timedelta(seconds=math.floor(value))
    return value


def profile_parquet(
    path_or_paths: str | Path | Sequence[str | Path],
    *,
    con: BaseBackend | None = None,
    bins: int = DEFAULT_BINS,
    top: int = DEFAULT_TOP,
    columns: Sequence[str] | None = None,
    exact_rows: int = EXACT_ROWS,
) -> TableProfile:
    """Profile the columns of a Parquet file (or files) on a fresh DuckDB connection by default."""
    con = con if con is not None else connect()
    return profile_table(
        read_parquet(con, path_or_paths),
        bins=bins,
        top=top,
        columns=columns,
        exact_rows=exact_rows,
    )


def profile_table(
    table: ir.Table,
    *,
    bins: int = DEFAULT_BINS,
    top: int = DEFAULT_TOP,
    columns: Sequence[str] | None = None,
    exact_rows: int = EXACT_ROWS,
) -> TableProfile:
    """Profile ``columns`` (all by default) of an Ibis table. See the module docstring."""
    if bins < 1 or top < 1:
        raise ValueError("bins and top must be at least 1")
    schema = table.schema()
    names = list(columns) if columns is not None else list(schema.names)
    kinds = {name: _kind(schema[name]) for name in names}
    # Parquet keeps its row count in its footer, so this costs nothing.
    approximate = int(records(table.aggregate(rows=table.count()))[0]["rows"]) > exact_rows
    summary = _summary(table, names, kinds, approximate)
    rows = int(summary["__rows"])
    tops = _tops(table, names, kinds, summary, top=top, approximate=approximate)
    profiles = [
        _column_profile(table, name, kinds[name], i, summary, tops.get(i, []), bins)
        for i, name in enumerate(names)
    ]
    return TableProfile(rows=rows, columns=profiles, approximate=approximate)


def _summary(
    table: ir.Table, names: list[str], kinds: dict[str, str], approximate: bool
) -> dict[str, Any]:
    """One pass: every column's counts, extremes and quartiles, keyed by kind and position
    (``n3`` the values of column 3, ``lo3``/``hi3`` its extremes, ``q3`` its quartiles…)."""
    schema = table.schema()
    metrics: dict[str, ir.Scalar] = {"__rows": table.count()}
    for i, name in enumerate(names):
        column = table[name]
        kind = kinds[name]
        metrics[f"n{i}"] = column.count()
        if approximate:
            metrics[f"d{i}"] = column.approx_nunique()
        elif kind == "other":
            metrics[f"d{i}"] = column.nunique()  # no top values to count them with
        if kind in {"number", "date", "datetime", "text", "boolean"}:
            metrics[f"lo{i}"] = column.min()
            metrics[f"hi{i}"] = column.max()
        line = _ordered(column, kind)
        if line is not None:
            finite = _finite(line, schema[name])
            metrics[f"q{i}"] = (
                line.approx_quantile(list(QUANTILES), where=finite)
                if approximate
                else line.quantile(list(QUANTILES), where=finite)
            )
            metrics[f"flo{i}"] = line.min(where=finite)
            metrics[f"fhi{i}"] = line.max(where=finite)
    summary: dict[str, Any] = records(table.aggregate(**metrics))[0]
    return summary


def _tops(
    table: ir.Table,
    names: list[str],
    kinds: dict[str, str],
    summary: dict[str, Any],
    *,
    top: int,
    approximate: bool,
) -> dict[int, list[ValueCount]]:
    """The commonest values per column, setting each exact distinct count in ``summary``.

    Exact distinct counts come with the top values, from one grouped query per column. In a
    large table, estimated counts over MAX_DISTINCT_FOR_TOP stay estimates; those below are
    counted exactly too (estimates are poor for few values: 50 can read as 45).
    """
    rows = int(summary["__rows"])
    tops: dict[int, list[ValueCount]] = {}
    for i, name in enumerate(names):
        if kinds[name] == "other":
            continue
        if approximate and summary[f"d{i}"] > MAX_DISTINCT_FOR_TOP:
            tops[i] = []
            continue
        has_nulls = rows > int(summary[f"n{i}"])
        summary[f"d{i}"], tops[i] = _distinct_and_top(table, table[name], top, has_nulls)
    return tops


def _column_profile(
    table: ir.Table,
    name: str,
    kind: str,
    i: int,
    summary: dict[str, Any],
    top_values: list[ValueCount],
    bins: int,
) -> ColumnProfile:
    """One column's profile from the summary, with its histogram."""
    column = table[name]
    dtype = table.schema()[name]
    rows = int(summary["__rows"])
    quantiles: dict[float, Any] = {}
    if summary.get(f"q{i}") is not None:
        quantiles = {
            q: _from_number_line(v, kind) for q, v in zip(QUANTILES, summary[f"q{i}"], strict=True)
        }
    histogram: list[HistogramBin] = []
    grain: str | None = None
    low, high = summary.get(f"flo{i}"), summary.get(f"fhi{i}")
    if kind == "number" and low is not None and high is not None:
        finite = _finite(column.cast("float64"), dtype)
        histogram = _number_histogram(table, column, finite, low, high, bins)
        grain = "equal_width"
    elif kind in {"date", "datetime"} and low is not None and high is not None:
        histogram, grain = _calendar_histogram(table, column, summary[f"lo{i}"], summary[f"hi{i}"])
    return ColumnProfile(
        name=name,
        type=str(dtype),
        kind=kind,
        rows=rows,
        nulls=rows - int(summary[f"n{i}"]),
        distinct=int(summary[f"d{i}"]),
        minimum=summary.get(f"lo{i}"),
        maximum=summary.get(f"hi{i}"),
        quantiles=quantiles,
        top_values=top_values,
        histogram=histogram,
        histogram_grain=grain,
    )


def _distinct_and_top(
    table: ir.Table, column: ir.Value, top: int, has_nulls: bool
) -> tuple[int, list[ValueCount]]:
    """The number of distinct non-null values and the ``top`` commonest, in one query.

    The values are grouped once; a window over the groups counts them (the null group among
    them when there are nulls), and the commonest non-null groups are kept.
    """
    grouped = table.group_by(value=column).aggregate(count=ibis._.count())
    ranked = (
        grouped.mutate(groups=ibis._.count().over(ibis.window()))
        .filter(ibis._.value.notnull())
        .order_by([ibis.desc("count"), ibis.asc("value")])
        .limit(top)
    )
    found = records(ranked)
    distinct = int(found[0]["groups"]) - int(has_nulls) if found else 0
    return distinct, [ValueCount(r["value"], int(r["count"])) for r in found]


def _finite(line: Any, dtype: Any) -> Any:
    """Rows whose value is a finite number: NaN and ±infinity (possible only in floating
    columns) are values, not nulls, but have no place on a number line or in a bin."""
    if dtype.is_floating():
        return line.notnull() & ~line.isnan() & ~line.isinf()
    return line.notnull()


def _number_histogram(
    table: ir.Table, column: ir.Value, finite: Any, low: float, high: float, bins: int
) -> list[HistogramBin]:
    line: Any = column.cast("float64")
    if high == low:
        index = ibis.literal(0)
        edges = [low, high]
    else:
        width = (high - low) / bins
        raw = ((line - low) / width).floor()
        index = ibis.ifelse(raw >= bins, bins - 1, raw).cast("int64")
        edges = [low + k * width for k in range(bins)] + [high]
    counted = table.filter(finite).group_by(bin=index).aggregate(count=ibis._.count())
    counts = {int(r["bin"]): int(r["count"]) for r in records(counted)}
    return [
        HistogramBin(edges[k], edges[k + 1], counts.get(k, 0), f"{edges[k]:g} to {edges[k + 1]:g}")
        for k in range(len(edges) - 1)
    ]


def _month_start(value: dt.date) -> dt.date:
    return dt.date(value.year, value.month, 1)


def _next_month(value: dt.date) -> dt.date:
    return dt.date(value.year + value.month // 12, value.month % 12 + 1, 1)


def _calendar_histogram(
    table: ir.Table, column: ir.Value, minimum: dt.date, maximum: dt.date
) -> tuple[list[HistogramBin], str]:
    first, last = _month_start(_as_date(minimum)), _month_start(_as_date(maximum))
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    by_year = months > MAX_MONTH_BINS
    year: Any = column.year()
    key = year if by_year else year * 100 + column.month()
    counted = table.filter(column.notnull()).group_by(key=key).aggregate(count=ibis._.count())
    counts = {int(r["key"]): int(r["count"]) for r in records(counted)}
    histogram = []
    if by_year:
        for y in range(first.year, last.year + 1):
            histogram.append(
                HistogramBin(dt.date(y, 1, 1), dt.date(y + 1, 1, 1), counts.get(y, 0), str(y))
            )
        return histogram, "year"
    start = first
    while start <= last:
        code = start.year * 100 + start.month
        histogram.append(
            HistogramBin(start, _next_month(start), counts.get(code, 0), f"{start:%Y-%m}")
        )
        start = _next_month(start)
    return histogram, "month"


def _as_date(value: dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value
