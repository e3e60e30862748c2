# ruff: noqa: S608 - SQL is assembled from quoted identifiers and escaped literals only.
"""Type inference: which type each text column of an upload takes, and how it is cast.

Aggregate queries over the first ``inference_rows`` data rows (a copy of the file's head,
materialised once) count, per column, how many values look like booleans, integers, decimals,
money (£, "GBP", thousands commas, (brackets) for negatives), dates in UK day-first formats or
datetimes; a column takes the first type that every non-missing value fits, else stays text.
The money and date patterns run only on columns the first stage left untyped, and date formats
are tried one at a time. Each choice is a :class:`ColumnPlan`, which
:mod:`infuse.datalab.ingest.convert` turns into a checked cast.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from infuse.analytics.quoting import quote_array, quote_literal
from infuse.core import lazy
from infuse.datalab.ingest.sources import IngestWarning, PreparedSource, ReadOptions

if TYPE_CHECKING:
    import duckdb
else:
    duckdb = lazy.module("duckdb")

#: DuckDB's integer types (a column already typed as one of them is an integer column).
INTEGER_TYPES = frozenset(
    {
        "TINYINT",
        "SMALLINT",
        "INTEGER",
        "BIGINT",
        "HUGEINT",
        "UTINYINT",
        "USMALLINT",
        "UINTEGER",
        "UBIGINT",
    }
)

_BOOLEAN_TRUE = ("true", "yes")
_BOOLEAN_FALSE = ("false", "no")
_INTEGER_RE = r"[+-]?(0|[1-9][0-9]{0,17})"
_DECIMAL_RE = r"[+-]?((0|[1-9][0-9]*)(\.[0-9]+)?|\.[0-9]+)([eE][+-]?[0-9]+)?"
_MONEY_RE = (
    r"(?i)\(?\s*[+-]?\s*(£|gbp)?\s*[+-]?\s*([0-9]{1,3}(,[0-9]{3})+|0|[1-9][0-9]*)?(\.[0-9]+)?"
    r"\s*(gbp)?\s*\)?"
)
_DATE_LIKE_RE = r"[0-9]{1,4}[-/. ]([0-9]{1,2}|[A-Za-z]{3,9})[-/. ][0-9]{2,4}"
_DATETIME_LIKE_RE = (
    r"[0-9]{1,4}[-/.][0-9]{1,2}[-/.][0-9]{2,4}[ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?"
    r"(Z|[+-][0-9]{2}:?[0-9]{2})?"
)
#: Day-first first: these are UK files. ISO comes first of all (it is unambiguous). Two-digit
#: years come before four-digit ones because DuckDB's ``%Y`` also accepts "24" (as year 24),
#: while ``%y`` refuses "2024".
DAY_FIRST_DATE_FORMATS = (
    "%Y-%m-%d",
    "%d/%m/%y",
    "%d/%m/%Y",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d-%b-%y",
    "%d-%b-%Y",
    "%d %b %Y",
    "%d %B %Y",
    "%d-%B-%Y",
    "%Y/%m/%d",
)
MONTH_FIRST_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%y", "%m/%d/%Y", "%m-%d-%Y", "%Y/%m/%d")
DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
)
#: Excel serial day numbers from 1950 to 2100 (day 0 is 1899-12-30 in the 1900 date system).
_EXCEL_SERIAL_RANGE = (18_264, 73_051)


@dataclass(frozen=True)
class ColumnPlan:
    """How one source column becomes one typed Parquet column."""

    name: str
    source: str
    sql_type: str
    table_type: str
    format: str | None
    expression: str
    missing_values: tuple[str, ...]
    extra: dict[str, Any] = field(default_factory=dict)
    from_text: bool = True
    trim: bool = True


def _re(pattern: str) -> str:
    """A regular expression as an SQL literal, braces doubled for ``str.format`` templates."""
    return quote_literal(pattern).replace("{", "{{").replace("}", "}}")


def _money_clean(value: str) -> str:
    stripped = f"regexp_replace({value}, '(?i)gbp|£|,|\\s', '', 'g')"
    return f"regexp_replace({stripped}, '^\\((.*)\\)$', '-\\1')"


def _trimmed(column: str) -> str:
    """Leading and trailing spaces removed; the test first is much cheaper than ``trim`` on
    every value of a large file, most of which have none."""
    return (
        f"CASE WHEN starts_with({column}, ' ') OR ends_with({column}, ' ') "
        f"THEN trim({column}) ELSE {column} END"
    )


def non_blank_filter(prepared: PreparedSource) -> str:
    """Rows where every cell is empty (DuckDB reads an empty cell as NULL) are skipped."""
    if not prepared.columns:
        return "true"
    return "(" + " OR ".join(f"{column} IS NOT NULL" for column in prepared.columns) + ")"


def _sample(prepared: PreparedSource, limit: int | None) -> str:
    where = non_blank_filter(prepared) if prepared.varchar else "true"
    if limit is None:
        return f"(SELECT * FROM {prepared.relation} WHERE {where})"
    relation = prepared.sample_relation or prepared.relation
    return f"(SELECT * FROM {relation} WHERE {where} LIMIT {int(limit)})"


def with_values(
    prepared: PreparedSource,
    options: ReadOptions,
    text_columns: list[str],
    source: str,
    trim: set[str] | None = None,
) -> str:
    """``source`` plus ``t_<c>`` (trimmed) and ``v_<c>`` (missing markers as NULL) columns.

    ``trim`` limits trimming to those columns (``None``: all). Trimming every value of a large
    file costs a third of the conversion, so the copy trims only columns where inference saw
    spaces; a typed column that meets an untrimmed value later fails its strict cast and is
    re-inferred over all rows, so only text columns can keep a stray space.
    """
    if not text_columns:
        return source
    trimmed = ", ".join(
        f"{_trimmed(c) if trim is None or c in trim else c} AS t_{c}" for c in text_columns
    )
    # list_contains, not ``IN (…)``: DuckDB plans an IN list of constants as a join with its own
    # hash table, one per column; the 35 columns of the emissions file reserved 3.9 GB of address
    # space that way, and the sandbox (2 GB) stopped a 6,000-row upload. The function reserves
    # nothing (220 MB for the same file).
    markers = quote_array(options.missing_values)
    values = ", ".join(
        f"CASE WHEN list_contains({markers}, t_{c}) THEN NULL ELSE t_{c} END AS v_{c}"
        for c in text_columns
    )
    return f"(SELECT *, {values} FROM (SELECT *, {trimmed} FROM {source}))"


def describe(connection: duckdb.DuckDBPyConnection, relation: str) -> list[tuple[str, str]]:
    rows = connection.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
    return [(str(row[0]), str(row[1])) for row in rows]


# Stage 1, cheap for every text column: counts of booleans, integers, plain decimals.
# (``{c}`` is the raw column, ``{v}`` its value with missing markers as NULL, ``t_{c}`` trimmed.)
_SHAPES: dict[str, str] = {
    "total": "count({v})",
    "trimmed": "count(*) FILTER (WHERE {c} <> t_{c})",
    "booleans": "count(*) FILTER (WHERE list_contains("
    + quote_array(_BOOLEAN_TRUE + _BOOLEAN_FALSE)
    + ", lower({v})))",
    "integers": f"count(*) FILTER (WHERE regexp_full_match({{v}}, {_re(_INTEGER_RE)}))",
    "decimals": f"count(*) FILTER (WHERE regexp_full_match({{v}}, {_re(_DECIMAL_RE)}))",
    "scale": "max(CASE WHEN strpos({v}, '.') > 0 THEN length({v}) - strpos({v}, '.') END)",
    "digits": "max(CASE WHEN strpos({v}, '.') > 0 THEN strpos({v}, '.') - 1 ELSE length({v}) END)",
    "low": "min(TRY_CAST({v} AS BIGINT))",
    "high": "max(TRY_CAST({v} AS BIGINT))",
}
# Stage 2, only where stage 1 found no type: money, dates and datetimes by pattern.
_PATTERNS: dict[str, str] = {
    "money": f"count(*) FILTER (WHERE regexp_full_match({{v}}, {_re(_MONEY_RE)})"
    " AND regexp_matches({v}, '[0-9]'))",
    "date_like": "count(*) FILTER (WHERE regexp_full_match({v}, " + _re(_DATE_LIKE_RE) + "))",
    "datetime_like": "count(*) FILTER (WHERE regexp_full_match({v}, "
    + _re(_DATETIME_LIKE_RE)
    + "))",
}


@dataclass(frozen=True)
class ColumnStats:
    """What the inference sample holds in one text column: how many values of each shape."""

    total: int
    trimmed: int
    booleans: int
    integers: int
    decimals: int
    money: int
    scale: int
    digits: int
    low: int | None
    high: int | None
    dates: dict[str, int]  # values that parse, per date format tried
    datetimes: dict[str, int]


def infer_plan(
    connection: duckdb.DuckDBPyConnection,
    prepared: PreparedSource,
    options: ReadOptions,
    *,
    limit: int | None,
) -> tuple[list[ColumnPlan], list[IngestWarning]]:
    """Choose a type for each column from the first ``limit`` rows (``None``: all rows)."""
    described = dict(describe(connection, prepared.relation))
    text_columns = [c for c in prepared.columns if described.get(c) == "VARCHAR"]
    stats = _text_stats(connection, prepared, options, text_columns, limit)
    plans: list[ColumnPlan] = []
    warnings: list[IngestWarning] = []
    for column, name in zip(prepared.columns, prepared.names, strict=True):
        if column not in stats:
            plans.append(_typed_plan(column, name, described.get(column, "VARCHAR")))
            continue
        plan, found = _text_plan(column, name, stats[column], options, prepared, limit)
        plans.append(plan)
        warnings.extend(found)
    return plans, warnings


def _text_stats(
    connection: duckdb.DuckDBPyConnection,
    prepared: PreparedSource,
    options: ReadOptions,
    text_columns: list[str],
    limit: int | None,
) -> dict[str, ColumnStats]:
    """Counts of each shape of value in every text column, over the first ``limit`` rows."""
    if not text_columns:
        return {}
    sample = "inference_sample"
    # Materialised once: DuckDB would otherwise recompute each value expression per aggregate.
    source = with_values(prepared, options, text_columns, _sample(prepared, limit))
    connection.execute(f"CREATE OR REPLACE TEMP TABLE inference_sample AS SELECT * FROM {source}")
    raw: dict[str, dict[str, Any]] = {column: {} for column in text_columns}
    _aggregate_into(connection, sample, text_columns, _SHAPES, raw)
    rest = [
        c
        for c in text_columns
        if raw[c]["total"]
        and raw[c]["total"] not in (raw[c]["booleans"], raw[c]["integers"])
        and raw[c]["total"] != raw[c]["decimals"]
    ]
    _aggregate_into(connection, sample, rest, _PATTERNS, raw)
    date_formats = DAY_FIRST_DATE_FORMATS if options.day_first else MONTH_FIRST_DATE_FORMATS
    dates = _format_counts(connection, sample, raw, date_formats, "date_like")
    datetimes = _format_counts(connection, sample, raw, DATETIME_FORMATS, "datetime_like")
    return {
        column: ColumnStats(
            total=s["total"],
            trimmed=s["trimmed"],
            booleans=s["booleans"],
            integers=s["integers"],
            decimals=s["decimals"],
            money=s.get("money", 0),
            scale=s["scale"] or 0,
            digits=s["digits"] or 0,
            low=s["low"],
            high=s["high"],
            dates=dates.get(column, {}),
            datetimes=datetimes.get(column, {}),
        )
        for column, s in raw.items()
    }


def _text_plan(
    column: str,
    name: str,
    stats: ColumnStats,
    options: ReadOptions,
    prepared: PreparedSource,
    limit: int | None,
) -> tuple[ColumnPlan, list[IngestWarning]]:
    """A text column's plan, and what the uploader should know about it."""
    warnings: list[IngestWarning] = []
    if stats.trimmed:
        warnings.append(
            IngestWarning(
                "ingest.values-trimmed",
                f"Spaces around values in {name!r} were removed ({stats.trimmed} of them in the "
                + ("file)." if limit is None else f"first {limit} rows)."),
                # ``rows_examined`` None: the count covers the whole file.
                {"column": name, "count": stats.trimmed, "rows_examined": limit},
            )
        )
    plan = _choose(column, name, options, prepared, stats)
    total, numeric = stats.total, stats.decimals + stats.money
    if plan.table_type == "string" and total and numeric >= 0.9 * total:
        others = total - max(stats.decimals, stats.money)
        warnings.append(
            IngestWarning(
                "ingest.mostly-numeric",
                f"{name!r} is mostly numbers but {others} values are not, so it is kept as text.",
                {"column": name, "count": others},
            )
        )
    plan = dataclasses.replace(plan, trim=bool(stats.trimmed))
    if plan.extra.get("bareNumber") is False:
        warnings.append(
            IngestWarning(
                "ingest.currency-stripped",
                f"Currency signs and thousands separators were removed from {name!r}.",
                {"column": name},
            )
        )
    return plan, warnings


def _aggregate_into(
    connection: duckdb.DuckDBPyConnection,
    sample: str,
    columns: list[str],
    templates: dict[str, str],
    stats: dict[str, dict[str, Any]],
) -> None:
    """Run one aggregate query of ``templates`` (with ``{c}`` raw, ``{v}`` value) per column."""
    if not columns:
        return
    parts = [
        template.format(c=column, v=f"v_{column}")
        for column in columns
        for template in templates.values()
    ]
    row = connection.execute(f"SELECT {', '.join(parts)} FROM {sample}").fetchone()
    assert row is not None
    width = len(templates)
    for index, column in enumerate(columns):
        for offset, name in enumerate(templates):
            value = row[index * width + offset]
            stats[column][name] = int(value) if isinstance(value, int) else value


def _format_counts(
    connection: duckdb.DuckDBPyConnection,
    sample: str,
    stats: dict[str, dict[str, Any]],
    formats: tuple[str, ...],
    like: str,
) -> dict[str, dict[str, int]]:
    """For columns whose every value looks like a date (or datetime): matches per format, tried
    in order and stopping, per column, at the first format every value fits."""
    remaining = [c for c, s in stats.items() if s["total"] and s.get(like) == s["total"]]
    counts: dict[str, dict[str, int]] = {c: {} for c in remaining}
    for pattern in formats:
        if not remaining:
            break
        aggregates = ", ".join(
            f"count(*) FILTER (WHERE try_strptime(v_{c}, {quote_literal(pattern)}) IS NOT NULL)"
            for c in remaining
        )
        row = connection.execute(f"SELECT {aggregates} FROM {sample}").fetchone()
        assert row is not None
        for column, count in zip(remaining, row, strict=True):
            counts[column][pattern] = int(count)
        remaining = [c for c in remaining if counts[c][pattern] != stats[c]["total"]]
    return counts


def _typed_plan(column: str, name: str, sql_type: str) -> ColumnPlan:
    """A column DuckDB already typed (Parquet, JSON): keep it, name its Table Schema type."""
    upper = sql_type.upper()
    if upper in INTEGER_TYPES:
        table_type = "integer"
    elif upper in ("FLOAT", "DOUBLE", "REAL") or upper.startswith("DECIMAL"):
        table_type = "number"
    elif upper == "BOOLEAN":
        table_type = "boolean"
    elif upper == "DATE":
        table_type = "date"
    elif upper.startswith("TIMESTAMP"):
        table_type = "datetime"
    elif upper == "TIME":
        table_type = "time"
    elif upper.endswith("[]"):
        table_type = "array"
    elif upper.startswith(("STRUCT", "MAP", "JSON")):
        table_type = "object"
    else:
        table_type = "string"
    return ColumnPlan(name, column, sql_type, table_type, None, column, ("",), from_text=False)


def _text_column(column: str, name: str) -> ColumnPlan:
    return ColumnPlan(name, column, "VARCHAR", "string", None, f"NULLIF(t_{column}, '')", ("",))


def _choose(
    column: str, name: str, options: ReadOptions, prepared: PreparedSource, stats: ColumnStats
) -> ColumnPlan:
    """The first type every non-missing value of the column fits, else text."""
    value = f"v_{column}"
    missing = tuple(options.missing_values)
    total = stats.total
    if not total:
        return _text_column(column, name)
    if stats.booleans == total:
        attempt = (
            f"CASE WHEN list_contains({quote_array(_BOOLEAN_TRUE)}, lower({value})) THEN true "
            f"WHEN list_contains({quote_array(_BOOLEAN_FALSE)}, lower({value})) THEN false END"
        )
        return ColumnPlan(
            name,
            column,
            "BOOLEAN",
            "boolean",
            None,
            attempt,
            missing,
            {"trueValues": ["true", "yes"], "falseValues": ["false", "no"]},
        )
    if stats.integers == total:
        return _integer_plan(column, name, missing, prepared, stats)
    if stats.decimals == total or stats.money == total:
        return _number_plan(column, name, missing, stats)
    for pattern, count in stats.dates.items():
        if count == total:
            attempt = f"CAST(try_strptime({value}, {quote_literal(pattern)}) AS DATE)"
            table_format = "default" if pattern == "%Y-%m-%d" else pattern
            return ColumnPlan(name, column, "DATE", "date", table_format, attempt, missing)
    for pattern, count in stats.datetimes.items():
        if count == total:
            attempt = f"try_strptime({value}, {quote_literal(pattern)})"
            return ColumnPlan(name, column, "TIMESTAMP", "datetime", pattern, attempt, missing)
    return _text_column(column, name)


def _integer_plan(
    column: str,
    name: str,
    missing: tuple[str, ...],
    prepared: PreparedSource,
    stats: ColumnStats,
) -> ColumnPlan:
    """Whole numbers; in a spreadsheet, a "date" column of Excel serial day numbers is dates."""
    value = f"v_{column}"
    serial = (
        prepared.format == "xlsx"
        and "date" in name.casefold()
        and stats.low is not None
        and stats.high is not None
        and _EXCEL_SERIAL_RANGE[0] <= stats.low
        and stats.high <= _EXCEL_SERIAL_RANGE[1]
    )
    if serial:
        attempt = f"DATE '1899-12-30' + TRY_CAST({value} AS INTEGER)"
        return ColumnPlan(name, column, "DATE", "date", "excel-serial", attempt, missing)
    attempt = f"TRY_CAST({value} AS BIGINT)"
    return ColumnPlan(name, column, "BIGINT", "integer", None, attempt, missing)


def _number_plan(
    column: str, name: str, missing: tuple[str, ...], stats: ColumnStats
) -> ColumnPlan:
    """Decimals (exact when the sample's places fit), or money with its signs removed."""
    value = f"v_{column}"
    source = value if stats.decimals == stats.total else _money_clean(value)
    extra: dict[str, Any] = {}
    if stats.decimals != stats.total:
        extra = {"bareNumber": False, "groupChar": ","}
    scale, digits = stats.scale, stats.digits
    if scale <= 6 and digits + scale <= 18:
        sql_type = f"DECIMAL(18, {scale})"
        # A later value with more decimal places than the sample must not be rounded.
        attempt = (
            f"CASE WHEN strpos({source}, '.') = 0 "
            f"OR length({source}) - strpos({source}, '.') <= {scale} "
            f"THEN TRY_CAST({source} AS {sql_type}) END"
        )
    else:
        sql_type = "DOUBLE"
        attempt = f"TRY_CAST({source} AS DOUBLE)"
    return ColumnPlan(name, column, sql_type, "number", None, attempt, missing, extra)
