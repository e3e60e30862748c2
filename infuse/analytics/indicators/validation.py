"""Checking an indicator's specification against the table it will run on.

Every problem is found (not only the first) and raised together as one
:class:`~infuse.analytics.indicators.spec.IndicatorSpecError`, each with its stable key and
parameters, so a person sees everything to fix at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

import ibis
import ibis.expr.datatypes as dtypes

from infuse.analytics.indicators.spec import (
    Aggregation,
    Condition,
    IndicatorSpec,
    IndicatorSpecError,
    Measure,
    Operator,
    PeriodGrain,
    PopulationDenominator,
    SpecProblem,
    Unit,
    jsonable,
)


def _column_problem(schema: ibis.Schema, column: str | None, role: str) -> SpecProblem | None:
    if column is None or column not in schema:
        return SpecProblem(
            "analytics.unknown-column",
            f"The {role} column {column!r} is not in the data; columns are: "
            + ", ".join(schema.names),
            {"column": column, "role": role, "available": list(schema.names)},
        )
    return None


def _number(dtype: dtypes.DataType, value: object) -> object:
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, str):
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise ValueError from None
        return int(number) if dtype.is_integer() and number == int(number) else number
    raise ValueError


def _text(dtype: dtypes.DataType, value: object) -> object:
    if isinstance(value, str):
        return value
    raise ValueError


def _timestamp(dtype: dtypes.DataType, value: object) -> object:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    if isinstance(value, str):
        return dt.datetime.fromisoformat(value)
    raise ValueError


def _date(dtype: dtypes.DataType, value: object) -> object:
    if isinstance(value, dt.datetime):
        raise ValueError
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return dt.date.fromisoformat(value)
    raise ValueError


# Each kind of column, and how a filter value becomes a literal of that kind (tried in order).
_COERCIONS: tuple[
    tuple[Callable[[dtypes.DataType], bool], Callable[[dtypes.DataType, object], object]], ...
] = (
    (lambda dtype: dtype.is_numeric(), _number),
    (lambda dtype: dtype.is_string(), _text),
    (lambda dtype: dtype.is_timestamp(), _timestamp),
    (lambda dtype: dtype.is_date(), _date),
)


def coerce_value(dtype: dtypes.DataType, value: object) -> object:
    """The filter value as a Python literal of the column's kind; raises ValueError if not.

    A boolean matches only a boolean column (and a boolean column only a boolean); numbers
    may be given as text ("12.5"), dates and timestamps as ISO text.
    """
    if isinstance(value, bool) or dtype.is_boolean():
        if isinstance(value, bool) and dtype.is_boolean():
            return value
        raise ValueError
    for matches, coerce in _COERCIONS:
        if matches(dtype):
            return coerce(dtype, value)
    return value


def _condition_params(condition: Condition, role: str) -> dict[str, object]:
    """What a condition's problem says of it, and whose condition it is (a filter's, or the
    numerator's own), so the form puts it on the right field."""
    op = Operator(condition.operator)
    return {
        "column": condition.column,
        "operator": op.value,
        "value": jsonable(condition.value),
        "role": role,
    }


def condition_problems(schema: ibis.Schema, condition: Condition, role: str) -> list[SpecProblem]:
    missing = _column_problem(schema, condition.column, role)
    if missing:
        return [missing]
    dtype = schema[condition.column]
    op = Operator(condition.operator)
    value = condition.value
    params = _condition_params(condition, role)
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
            coerce_value(dtype, item)
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


def _summed_column_problems(
    schema: ibis.Schema, measure: Measure, column: str | None, role: str
) -> list[SpecProblem]:
    """A column the measure reads: it must be there, and hold numbers if it is added up."""
    missing = _column_problem(schema, column, role)
    if missing:
        return [missing]
    assert column is not None
    dtype = schema[column]
    if measure.aggregation is Aggregation.SUM and (not dtype.is_numeric() or dtype.is_boolean()):
        return [
            SpecProblem(
                "analytics.sum-needs-number",
                f"The {role} sums column {column!r}, which holds {dtype}, not numbers.",
                {"role": role, "column": column, "type": str(dtype)},
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
    elif not all(isinstance(column, str) for column in measure.columns):
        problems.append(
            SpecProblem(
                "analytics.column-not-named",
                f"The {role} must name its columns as text, one name each.",
                {"role": role, "column": jsonable(measure.column)},
            )
        )
    elif len(set(measure.columns)) < len(measure.columns):
        problems.append(
            SpecProblem(
                "analytics.column-repeated",
                f"The {role} names a column more than once; each is added up once.",
                {"role": role, "column": list(measure.columns)},
            )
        )
    elif len(measure.columns) > 1 and measure.aggregation is not Aggregation.SUM:
        problems.append(
            SpecProblem(
                "analytics.one-column-only",
                f"The {role} counts the different values of one column; only a sum adds up "
                "several.",
                {"role": role, "column": list(measure.columns)},
            )
        )
    else:
        for column in measure.columns or (None,):
            problems.extend(_summed_column_problems(schema, measure, column, role))
    for condition in measure.where:
        problems.extend(condition_problems(schema, condition, f"{role} condition"))
    return problems


def validate_spec(
    spec: IndicatorSpec, schema: ibis.Schema, population_schema: ibis.Schema | None = None
) -> None:
    """Check ``spec`` against the data's schema (and the population table's); raise
    :class:`IndicatorSpecError` listing every problem found."""
    problems = [
        *_place_problems(spec, schema),
        *_measure_problems(schema, spec.numerator, "numerator"),
        *(p for c in spec.filters for p in condition_problems(schema, c, "filter")),
        *_unit_problems(spec),
    ]
    if isinstance(spec.denominator, Measure):
        problems.extend(_measure_problems(schema, spec.denominator, "denominator"))
    elif isinstance(spec.denominator, PopulationDenominator):
        problems.extend(
            _population_problems(spec.denominator, spec.council_column, schema, population_schema)
        )
    if problems:
        raise IndicatorSpecError(problems)


def _place_problems(spec: IndicatorSpec, schema: ibis.Schema) -> list[SpecProblem]:
    """The council and period columns exist, and the period is a date when it is grouped."""
    problems = [
        problem
        for problem in (
            _column_problem(schema, spec.council_column, "council"),
            _column_problem(schema, spec.period.column, "period"),
        )
        if problem
    ]
    if spec.period.column not in schema or spec.period.grain is PeriodGrain.AS_RECORDED:
        return problems
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
    return problems


def _unit_problems(spec: IndicatorSpec) -> list[SpecProblem]:
    """A count has no denominator; a percentage or a rate needs one; a published value is one
    column of the data, taken as it is."""
    if spec.unit is Unit.VALUE:
        if spec.numerator.aggregation is not Aggregation.SUM or len(spec.numerator.columns) != 1:
            return [
                SpecProblem(
                    "analytics.value-unit-one-column",
                    "A value as published is one column of the data: choose ‘Add up one or more "
                    "columns’ with that one column.",
                    {"unit": str(spec.unit)},
                )
            ]
        if spec.denominator is not None:
            return [
                SpecProblem(
                    "analytics.value-unit-no-denominator",
                    "A value as published has no denominator; remove it.",
                    {"unit": str(spec.unit)},
                )
            ]
        return []
    if spec.unit is Unit.COUNT and spec.denominator is not None:
        return [
            SpecProblem(
                "analytics.count-unit-with-denominator",
                "An indicator in the count unit has no denominator; choose a percentage or a "
                "rate, or remove the denominator.",
                {"unit": str(spec.unit)},
            )
        ]
    if spec.unit is not Unit.COUNT and spec.denominator is None:
        return [
            SpecProblem(
                "analytics.unit-needs-denominator",
                f"The unit {spec.unit} needs a denominator.",
                {"unit": str(spec.unit)},
            )
        ]
    return []


def _population_problems(
    pop: PopulationDenominator,
    council_column: str,
    schema: ibis.Schema,
    population_schema: ibis.Schema | None,
) -> list[SpecProblem]:
    """The population table has the columns named, councils of the data's kind, and numbers."""
    if population_schema is None:
        return [
            SpecProblem(
                "analytics.population-missing",
                "The denominator is a population table, but none was given.",
                {},
            )
        ]
    problems = [
        problem
        for column, role in (
            (pop.council_column, "population council"),
            (pop.value_column, "population"),
            (pop.period_column, "population period"),
        )
        if column is not None or role != "population period"
        if (problem := _column_problem(population_schema, column, role))
    ]
    data_council = schema.get(council_column)
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
    value_type = population_schema.get(pop.value_column)
    if value_type is not None and not (value_type.is_numeric() and not value_type.is_boolean()):
        problems.append(
            SpecProblem(
                "analytics.sum-needs-number",
                f"The population column {pop.value_column!r} does not hold numbers.",
                {"role": "population", "column": pop.value_column, "type": str(value_type)},
            )
        )
    return problems
