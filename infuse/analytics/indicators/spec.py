"""An indicator's specification: what it computes, its JSON form, and the errors it raises.

The dataclasses convert their string fields to the enums on construction, so a specification
read back from JSON (:meth:`IndicatorSpec.from_dict`) is checked as it is built.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any


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
    # A rate, score or percentage the publisher worked out (no counts behind it in the data):
    # the numerator sums the column, the value is its mean over a council's rows in a period.
    VALUE = "value"


class Polarity(StrEnum):
    """Which direction is better, in the words people use: ``"lower is better"``,
    ``"Lower-is-better"`` and ``"lower_is_better"`` are one value."""

    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"
    NEITHER = "neither"

    @classmethod
    def _missing_(cls, value: object) -> Polarity | None:
        words = "_".join(str(value).strip().lower().replace("-", " ").split())
        words = POLARITY_ALIASES.get(words, words)
        return next((member for member in cls if member.value == words), None)


#: Other words for a polarity: the name used before "lower is better" (specifications stored
#: or written by API clients then) and the plain opposites.
POLARITY_ALIASES = {
    "higher_is_worse": "lower_is_better",
    "lower_is_worse": "higher_is_better",
    "neither_is_better": "neither",
    "neither_higher_nor_lower_is_better": "neither",  # the pages' own words for it
}


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
    denominator = count. A sum may add up several columns (``column`` a list or tuple): each
    row's value is the sum of those of its columns that have one (births under 2,000 g plus
    births of 2,000-2,499 g), and a row with none has no value.
    """

    aggregation: Aggregation | str
    column: str | tuple[str, ...] | None = None
    where: tuple[Condition, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "aggregation", _enum(Aggregation, self.aggregation, "aggregation"))
        object.__setattr__(self, "where", tuple(self.where))
        column = self.column
        if isinstance(column, list | tuple):
            column = tuple(column) if len(column) != 1 else column[0]
        object.__setattr__(self, "column", column)

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns the measure reads (none for a count of rows)."""
        if self.column is None:
            return ()
        return self.column if isinstance(self.column, tuple) else (self.column,)


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
            return {"column": c.column, "operator": str(c.operator), "value": jsonable(c.value)}

        def measure(m: Measure) -> dict[str, Any]:
            return {
                "kind": "measure",
                "aggregation": str(m.aggregation),
                "column": list(m.column) if isinstance(m.column, tuple) else m.column,
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


def jsonable(value: object) -> object:
    """A filter value as JSON holds it: lists for tuples, ISO text for dates, text for decimals."""
    if isinstance(value, tuple | list):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.date):  # datetime is a date too
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


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
