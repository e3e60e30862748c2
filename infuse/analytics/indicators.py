"""Indicators as Ibis expressions: one definition, the same numbers on DuckDB and on Spark.

An :class:`IndicatorSpec` says how to turn rows of a dataset version into values per council and
period: a numerator aggregation (count rows, sum a column, count distinct values), an optional
denominator (a column summed over the same rows, or a population table joined by council and
optionally period), filters, the period grain, the unit and the polarity.

:func:`indicator_expression` builds one Ibis expression returning
``council, period, numerator, denominator, value`` with one row per council × period and one
region row per period (``council`` is None), computed from the rows themselves in the same
expression — so a count of distinct people in the region is not the sum of the councils' counts.

Exactness. Numerators and denominators are aggregated in the column's own type: integer sums stay
integers and decimal sums stay decimals (no float rounding in the totals). Only the final value
is computed in float64, as ``(numerator × multiplier) / denominator``; IEEE 754 makes that step
identical on every engine. A zero denominator gives a null value, not an error or infinity.

Semantics worth knowing (the same as SQL's, and therefore the same on both engines):

- Rows whose council or period is null are left out of every row, the region's included: they
  cannot be placed on a council or in time.
- A comparison filter (=, !=, <, in, not in, between …) never matches a null; use ``is null``.
- Financial years run April to March and are labelled ``"2023-24"``; years ``"2023"``, quarters
  ``"2023-Q1"`` (calendar quarters), months ``"2023-04"``. An existing period column is used as
  it is, as text.
- With a population denominator the population table defines the region: the region row
  counts only the rows of councils in that table, its denominator is the sum over all of them,
  and a council with no rows in a period in which other councils have rows gets a numerator of
  0 (a real zero rate), not a missing row. A council in the data but not in the population table
  still gets its own row, with no denominator and no value, so it is seen rather than dropped.

Errors in a specification are found all at once and raised as one :class:`IndicatorSpecError`
carrying a stable message key, parameters and the list of problems.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.datatypes as dtypes
import ibis.expr.types as ir

from infuse.analytics.engine import connect, read_parquet

# --------------------------------------------------------------------------------------------
# The specification
# --------------------------------------------------------------------------------------------


class Aggregation(StrEnum):
    COUNT = "count"
    SUM = "sum"
    COUNT_DISTINCT = "count_distinct"


class Operator(StrEnum):
    EQUAL = "="
    NOT_EQUAL = "!="
    LESS = "<"
    LESS_OR_EQUAL = "<="
    GREATER = ">"
    GREATER_OR_EQUAL = ">="
    IN = "in"
    NOT_IN = "not in"
    IS_NULL = "is null"
    IS_NOT_NULL = "is not null"
    BETWEEN = "between"


class PeriodGrain(StrEnum):
    YEAR = "year"
    FINANCIAL_YEAR = "financial_year"
    QUARTER = "quarter"
    MONTH = "month"
    AS_RECORDED = "as_recorded"  # an existing period column, used as it is


class Unit(StrEnum):
    COUNT = "count"
    PERCENTAGE = "percentage"
    RATE_PER_1000 = "rate_per_1000"
    RATE_PER_100000 = "rate_per_100000"


class Polarity(StrEnum):
    HIGHER_IS_BETTER = "higher_is_better"
    HIGHER_IS_WORSE = "higher_is_worse"
    NEITHER = "neither"


UNIT_MULTIPLIER: dict[Unit, int] = {
    Unit.PERCENTAGE: 100,
    Unit.RATE_PER_1000: 1_000,
    Unit.RATE_PER_100000: 100_000,
}


def _enum(kind: type[StrEnum], value: object, what: str) -> Any:
    try:
        return kind(str(value))
    except ValueError:
        raise IndicatorSpecError.single(
            SpecProblem(
                "analytics.bad-choice",
                f"{value!r} is not a valid {what}; choose one of "
                + ", ".join(repr(m.value) for m in kind),
                {"field": what, "value": value, "choices": [m.value for m in kind]},
            )
        ) from None


def _freeze(value: object) -> object:
    return tuple(value) if isinstance(value, list | tuple) else value


@dataclass(frozen=True)
class Condition:
    """``column operator value``; ``value`` is a sequence for in/not in/between, None for nulls."""

    column: str
    operator: Operator | str  # a string is converted to the Operator
    value: object = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "operator", _enum(Operator, self.operator, "operator"))
        object.__setattr__(self, "value", _freeze(self.value))


@dataclass(frozen=True)
class Measure:
    """An aggregation over the (filtered) rows, optionally only over rows meeting ``where``.

    ``where`` makes "the percentage of rows with X" expressible: numerator = count where X,
    denominator = count.
    """

    aggregation: Aggregation | str
    column: str | None = None
    where: tuple[Condition, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "aggregation", _enum(Aggregation, self.aggregation, "aggregation"))
        object.__setattr__(self, "where", tuple(self.where))


@dataclass(frozen=True)
class PopulationDenominator:
    """A denominator from a separate population table, joined by council (and period if given).

    ``period_column`` values must be the indicator's period labels (e.g. ``"2023-24"``).
    """

    value_column: str
    council_column: str = "council"
    period_column: str | None = None


@dataclass(frozen=True)
class Period:
    """Which column places a row in time, and at what grain."""

    column: str
    grain: PeriodGrain | str = PeriodGrain.FINANCIAL_YEAR

    def __post_init__(self) -> None:
        object.__setattr__(self, "grain", _enum(PeriodGrain, self.grain, "period grain"))


@dataclass(frozen=True)
class IndicatorSpec:
    """What an indicator computes. Polarity is not used here; it travels with the spec for the
    comparison pages (better / similar / worse)."""

    numerator: Measure
    council_column: str
    period: Period
    denominator: Measure | PopulationDenominator | None = None
    filters: tuple[Condition, ...] = ()
    unit: Unit | str = Unit.COUNT
    polarity: Polarity | str = Polarity.NEITHER

    def __post_init__(self) -> None:
        object.__setattr__(self, "filters", tuple(self.filters))
        object.__setattr__(self, "unit", _enum(Unit, self.unit, "unit"))
        object.__setattr__(self, "polarity", _enum(Polarity, self.polarity, "polarity"))

    # JSON round trip, for storing a spec in a model field. ---------------------------------
    def to_dict(self) -> dict[str, Any]:
        def condition(c: Condition) -> dict[str, Any]:
            return {"column": c.column, "operator": str(c.operator), "value": _jsonable(c.value)}

        def measure(m: Measure) -> dict[str, Any]:
            return {
                "kind": "measure",
                "aggregation": str(m.aggregation),
                "column": m.column,
                "where": [condition(c) for c in m.where],
            }

        denominator: dict[str, Any] | None
        if isinstance(self.denominator, Measure):
            denominator = measure(self.denominator)
        elif isinstance(self.denominator, PopulationDenominator):
            denominator = {
                "kind": "population",
                "value_column": self.denominator.value_column,
                "council_column": self.denominator.council_column,
                "period_column": self.denominator.period_column,
            }
        else:
            denominator = None
        return {
            "numerator": measure(self.numerator),
            "denominator": denominator,
            "council_column": self.council_column,
            "period": {"column": self.period.column, "grain": str(self.period.grain)},
            "filters": [condition(c) for c in self.filters],
            "unit": str(self.unit),
            "polarity": str(self.polarity),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> IndicatorSpec:
        """Rebuild a spec from :meth:`to_dict` output (dates and decimals come back as text and
        are converted against the column's type when the expression is built)."""

        def condition(c: dict[str, Any]) -> Condition:
            return Condition(c["column"], c["operator"], c.get("value"))

        def measure(m: dict[str, Any]) -> Measure:
            return Measure(
                m["aggregation"], m.get("column"), tuple(condition(c) for c in m.get("where", ()))
            )

        try:
            raw_den = data.get("denominator")
            denominator: Measure | PopulationDenominator | None = None
            if raw_den is not None and raw_den.get("kind") == "population":
                denominator = PopulationDenominator(
                    raw_den["value_column"],
                    raw_den.get("council_column", "council"),
                    raw_den.get("period_column"),
                )
            elif raw_den is not None:
                denominator = measure(raw_den)
            return cls(
                numerator=measure(data["numerator"]),
                council_column=data["council_column"],
                period=Period(data["period"]["column"], data["period"].get("grain", "year")),
                denominator=denominator,
                filters=tuple(condition(c) for c in data.get("filters", ())),
                unit=data.get("unit", "count"),
                polarity=data.get("polarity", "neither"),
            )
        except (KeyError, TypeError, AttributeError) as error:
            raise IndicatorSpecError.single(
                SpecProblem(
                    "analytics.malformed-spec",
                    f"The indicator definition is incomplete or malformed: {error}",
                    {"detail": str(error)},
                )
            ) from error


def _jsonable(value: object) -> object:
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):  # datetime is a date too
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpecProblem:
    key: str
    message: str
    params: dict[str, Any] = field(default_factory=dict)


class IndicatorSpecError(ValueError):
    """An indicator specification that cannot run on this table.

    ``key`` is the single problem's key, or ``"analytics.invalid-indicator"`` when there are
    several; ``problems`` lists each with its own key and parameters.
    """

    def __init__(self, problems: list[SpecProblem]) -> None:
        self.problems = problems
        if len(problems) == 1:
            self.key = problems[0].key
            self.params: dict[str, Any] = dict(problems[0].params)
            message = problems[0].message
        else:
            self.key = "analytics.invalid-indicator"
            self.params = {"count": len(problems)}
            message = f"{len(problems)} problems in the indicator definition: " + "; ".join(
                p.message for p in problems
            )
        super().__init__(message)

    @classmethod
    def single(cls, problem: SpecProblem) -> IndicatorSpecError:
        return cls([problem])


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


def _column_problem(schema: ibis.Schema, column: str | None, role: str) -> SpecProblem | None:
    if column is None or column not in schema:
        return SpecProblem(
            "analytics.unknown-column",
            f"The {role} column {column!r} is not in the data; columns are: "
            + ", ".join(schema.names),
            {"column": column, "role": role, "available": list(schema.names)},
        )
    return None


def _coerce_value(dtype: dtypes.DataType, value: object) -> object:
    """The filter value as a Python literal of the column's kind; raises ValueError if not."""
    if isinstance(value, bool):
        if dtype.is_boolean():
            return value
        raise ValueError
    if dtype.is_boolean():
        raise ValueError
    if dtype.is_numeric():
        if isinstance(value, int | float | Decimal):
            return value
        if isinstance(value, str):
            try:
                number = Decimal(value)
            except InvalidOperation:
                raise ValueError from None
            return int(number) if dtype.is_integer() and number == int(number) else number
        raise ValueError
    if dtype.is_string():
        if isinstance(value, str):
            return value
        raise ValueError
    if dtype.is_timestamp():
        if isinstance(value, dt.datetime):
            return value
        if isinstance(value, dt.date):
            return dt.datetime.combine(value, dt.time())
        if isinstance(value, str):
            return dt.datetime.fromisoformat(value)
        raise ValueError
    if dtype.is_date():
        if isinstance(value, dt.datetime):
            raise ValueError
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            return dt.date.fromisoformat(value)
        raise ValueError
    return value


def _condition_problems(schema: ibis.Schema, condition: Condition, role: str) -> list[SpecProblem]:
    missing = _column_problem(schema, condition.column, role)
    if missing:
        return [missing]
    dtype = schema[condition.column]
    op = Operator(condition.operator)
    value = condition.value
    params = {"column": condition.column, "operator": op.value, "value": _jsonable(value)}
    if op in (Operator.IS_NULL, Operator.IS_NOT_NULL):
        if value is not None:
            return [
                SpecProblem(
                    "analytics.filter-takes-no-value",
                    f"'{op.value}' on {condition.column!r} takes no value.",
                    params,
                )
            ]
        return []
    if op in (Operator.IN, Operator.NOT_IN):
        if not isinstance(value, tuple) or not value:
            return [
                SpecProblem(
                    "analytics.filter-needs-list",
                    f"'{op.value}' on {condition.column!r} needs a non-empty list of values.",
                    params,
                )
            ]
        values: tuple[object, ...] = value
    elif op is Operator.BETWEEN:
        if not isinstance(value, tuple) or len(value) != 2:
            return [
                SpecProblem(
                    "analytics.filter-needs-two-values",
                    f"'between' on {condition.column!r} needs exactly two values (low, high).",
                    params,
                )
            ]
        values = value
    else:
        if value is None or isinstance(value, tuple):
            return [
                SpecProblem(
                    "analytics.filter-needs-one-value",
                    f"'{op.value}' on {condition.column!r} needs one value.",
                    params,
                )
            ]
        values = (value,)
    for item in values:
        try:
            _coerce_value(dtype, item)
        except ValueError:
            return [
                SpecProblem(
                    "analytics.filter-value-type",
                    f"The value {item!r} cannot be compared with column {condition.column!r} "
                    f"of type {dtype}.",
                    {**params, "type": str(dtype)},
                )
            ]
    return []


def _measure_problems(schema: ibis.Schema, measure: Measure, role: str) -> list[SpecProblem]:
    problems: list[SpecProblem] = []
    if measure.aggregation is Aggregation.COUNT:
        if measure.column is not None:
            problems.append(
                SpecProblem(
                    "analytics.count-takes-no-column",
                    f"The {role} counts rows and takes no column (use count_distinct to count "
                    "distinct values of a column).",
                    {"role": role, "column": measure.column},
                )
            )
    else:
        missing = _column_problem(schema, measure.column, role)
        if missing:
            problems.append(missing)
        elif measure.aggregation is Aggregation.SUM:
            dtype = schema[measure.column]
            if not dtype.is_numeric() or dtype.is_boolean():
                problems.append(
                    SpecProblem(
                        "analytics.sum-needs-number",
                        f"The {role} sums column {measure.column!r}, which holds {dtype}, "
                        "not numbers.",
                        {"role": role, "column": measure.column, "type": str(dtype)},
                    )
                )
    for condition in measure.where:
        problems.extend(_condition_problems(schema, condition, f"{role} condition"))
    return problems


def validate_spec(
    spec: IndicatorSpec, schema: ibis.Schema, population_schema: ibis.Schema | None = None
) -> None:
    """Check ``spec`` against the data's schema (and the population table's); raise
    :class:`IndicatorSpecError` listing every problem found."""
    problems: list[SpecProblem] = []
    council = _column_problem(schema, spec.council_column, "council")
    if council:
        problems.append(council)
    period = _column_problem(schema, spec.period.column, "period")
    if period:
        problems.append(period)
    elif spec.period.grain is not PeriodGrain.AS_RECORDED:
        dtype = schema[spec.period.column]
        if not (dtype.is_date() or dtype.is_timestamp()):
            problems.append(
                SpecProblem(
                    "analytics.period-needs-date",
                    f"Grouping by {spec.period.grain} needs a date column; "
                    f"{spec.period.column!r} holds {dtype}.",
                    {
                        "column": spec.period.column,
                        "type": str(dtype),
                        "grain": str(spec.period.grain),
                    },
                )
            )
    problems.extend(_measure_problems(schema, spec.numerator, "numerator"))
    for condition in spec.filters:
        problems.extend(_condition_problems(schema, condition, "filter"))

    if spec.unit is Unit.COUNT and spec.denominator is not None:
        problems.append(
            SpecProblem(
                "analytics.count-unit-with-denominator",
                "An indicator in the count unit has no denominator; choose a percentage or a "
                "rate, or remove the denominator.",
                {"unit": str(spec.unit)},
            )
        )
    if spec.unit is not Unit.COUNT and spec.denominator is None:
        problems.append(
            SpecProblem(
                "analytics.unit-needs-denominator",
                f"The unit {spec.unit} needs a denominator.",
                {"unit": str(spec.unit)},
            )
        )
    if isinstance(spec.denominator, Measure):
        problems.extend(_measure_problems(schema, spec.denominator, "denominator"))
    elif isinstance(spec.denominator, PopulationDenominator):
        pop = spec.denominator
        if population_schema is None:
            problems.append(
                SpecProblem(
                    "analytics.population-missing",
                    "The denominator is a population table, but none was given.",
                    {},
                )
            )
        else:
            for column, role in (
                (pop.council_column, "population council"),
                (pop.value_column, "population"),
                (pop.period_column, "population period"),
            ):
                if column is None and role == "population period":
                    continue
                missing = _column_problem(population_schema, column, role)
                if missing:
                    problems.append(missing)
            data_council = schema.get(spec.council_column)
            pop_council = population_schema.get(pop.council_column)
            if data_council is not None and pop_council is not None:
                same_kind = (data_council.is_string() and pop_council.is_string()) or (
                    data_council.is_integer() and pop_council.is_integer()
                )
                if not same_kind:
                    problems.append(
                        SpecProblem(
                            "analytics.population-council-type",
                            f"Councils are {data_council} in the data but {pop_council} in the "
                            "population table, so they cannot be matched.",
                            {
                                "column": pop.council_column,
                                "type": str(pop_council),
                                "expected": str(data_council),
                            },
                        )
                    )
            if pop.value_column in population_schema and not (
                population_schema[pop.value_column].is_numeric()
                and not population_schema[pop.value_column].is_boolean()
            ):
                problems.append(
                    SpecProblem(
                        "analytics.sum-needs-number",
                        f"The population column {pop.value_column!r} does not hold numbers.",
                        {
                            "role": "population",
                            "column": pop.value_column,
                            "type": str(population_schema[pop.value_column]),
                        },
                    )
                )
    if problems:
        raise IndicatorSpecError(problems)


# --------------------------------------------------------------------------------------------
# Expressions
# --------------------------------------------------------------------------------------------


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
        items = [_coerce_value(dtype, v) for v in value]
        return column.isin(items) if op is Operator.IN else column.notin(items)
    if op is Operator.BETWEEN:
        assert isinstance(value, tuple)
        low, high = (_coerce_value(dtype, v) for v in value)
        return column.between(low, high)
    literal = _coerce_value(dtype, value)
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


def _all(table: ir.Table, conditions: tuple[Condition, ...]) -> ir.BooleanValue | None:
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
    where = _all(table, measure.where)
    if measure.aggregation is Aggregation.COUNT:
        return table.count(where=where)
    assert measure.column is not None
    column = table[measure.column]
    if measure.aggregation is Aggregation.SUM:
        return column.sum(where=where)
    return column.nunique(where=where)


def _value(spec: IndicatorSpec, numerator: ir.Value, denominator: ir.Value) -> ir.FloatingValue:
    if spec.unit is Unit.COUNT:
        return numerator.cast("float64")
    multiplier = UNIT_MULTIPLIER[Unit(spec.unit)]
    # Multiply before dividing: 30 × 100 / 200 is exactly 15.0; 30 / 200 × 100 is not.
    return (numerator.cast("float64") * multiplier) / denominator.cast("float64").nullif(0)


def indicator_expression(
    table: ir.Table, spec: IndicatorSpec, *, population: ir.Table | None = None
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

    Returns
    -------
    An unexecuted Ibis table with columns ``council`` (None on the region row), ``period``
    (text label), ``numerator``, ``denominator`` (None without a denominator) and ``value``
    (float64), ordered by period then council with the region last.
    """
    validate_spec(spec, table.schema(), population.schema() if population is not None else None)
    council_type = table.schema()[spec.council_column]
    grain = PeriodGrain(spec.period.grain)
    # Filters and measures name the dataset's own columns, so they apply to the table as it is;
    # the council and period keys are named only in the grouping (no clash with a column that is
    # already called "council" or "period").
    keep = table[spec.council_column].notnull() & table[spec.period.column].notnull()
    filters = _all(table, spec.filters)
    if filters is not None:
        keep = keep & filters
    rows = table.filter(keep)
    council = rows[spec.council_column]
    period = period_key(rows[spec.period.column], grain)

    aggregates: dict[str, ir.Scalar] = {"numerator": _aggregate(rows, spec.numerator)}
    if isinstance(spec.denominator, Measure):
        aggregates["denominator"] = _aggregate(rows, spec.denominator)
    by_council = rows.group_by(council=council, period=period).aggregate(**aggregates)

    # With a population denominator the population table says which councils make the region.
    region_councils = None
    if isinstance(spec.denominator, PopulationDenominator):
        assert population is not None
        region_councils = population[spec.denominator.council_column]

    measures = [spec.numerator]
    if isinstance(spec.denominator, Measure):
        measures.append(spec.denominator)
    if all(m.aggregation is not Aggregation.COUNT_DISTINCT for m in measures):
        # Counts and sums add up: the region is the sum of the councils' few aggregated rows,
        # which spares a second pass over the data. Distinct counts do not add up (a person seen
        # in two councils is one person in the region), so they take the second pass.
        source = by_council
        if region_councils is not None:
            source = source.filter(source.council.isin(region_councils))
        region = source.group_by("period").aggregate(
            **{name: source[name].sum() for name in aggregates}
        )
    else:
        source = rows
        if region_councils is not None:
            source = source.filter(council.isin(region_councils))
        region = source.group_by(period=period_key(source[spec.period.column], grain)).aggregate(
            **{name: _aggregate(source, m) for name, m in zip(aggregates, measures, strict=True)}
        )
    region = region.mutate(
        council=ibis.null().cast(council_type), period=period_label(region.period, grain)
    )
    by_council = by_council.mutate(period=period_label(by_council.period, grain))

    if isinstance(spec.denominator, PopulationDenominator):
        assert population is not None
        by_council, region = _join_population(by_council, region, population, spec.denominator)
    elif spec.denominator is None:
        none = ibis.null().cast("int64")
        by_council = by_council.mutate(denominator=none)
        region = region.mutate(denominator=none)

    columns = ["council", "period", "numerator", "denominator"]
    combined = by_council.select(columns).union(region.select(columns))
    combined = combined.mutate(value=_value(spec, combined.numerator, combined.denominator))
    return combined.order_by(["period", ibis.asc("council", nulls_first=False)])


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
    memory_limit: str | None = None,
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
