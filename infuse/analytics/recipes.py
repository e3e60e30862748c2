"""A dataset's recipe: declared steps that shape each version before anything is computed on it.

Why steps and not code: public-sector files arrive shaped for reading, not for computing (the
area in one of three unnamed columns, measures spread across columns, the year only in the
title). A person says once, in a few declared steps, how to make the table computable; the steps
are stored with the dataset, applied to every new version, shown and exported with it. Each step
is an Ibis expression over the version, so a recipe runs wherever the indicators run (DuckDB or
Spark) and nothing is rewritten: the Parquet file of a version stays as it was ingested.

Steps, each a small frozen dataclass with a JSON form (``{"step": "rename", ...}``):

- :class:`Rename` gives columns new names (``column_3`` → ``council``).
- :class:`Unpivot` turns measure columns into rows: one row per original row and column, the
  column's name in ``names_to`` and its value in ``values_to`` (long form).
- :class:`Derive` adds a column from others: their ``sum`` (missing values left out; a row with
  none has none, as :func:`~infuse.analytics.indicators.expressions.row_sum`), the
  ``difference`` of two, or the ``first_filled`` of several (the most detailed level of an
  area hierarchy written across columns).
- :class:`Constant` adds a column holding one value, given or taken from a line of the file's
  title (``from_title="Year"`` finds "Year: 2023" above the table): each version takes its own.
- :class:`Filter` keeps only the rows meeting every condition (the indicators' conditions).

Problems are found all at once, each step checked against the table as the steps before it left
it, and raised together as :class:`RecipeError` (an :class:`IndicatorSpecError`, so a caller
that shows an indicator's problems shows a recipe's the same way).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

import ibis
import ibis.expr.types as ir
from ibis import selectors

from infuse.analytics.indicators.expressions import all_conditions, row_sum
from infuse.analytics.indicators.spec import (
    Condition,
    IndicatorSpecError,
    SpecProblem,
    jsonable,
)
from infuse.analytics.indicators.validation import condition_problems

#: Longest column name a step may make (the Table Schema names of an ingest are as long).
MAX_NAME_LENGTH = 100


class Operation(StrEnum):
    SUM = "sum"
    DIFFERENCE = "difference"
    FIRST_FILLED = "first_filled"


@dataclass(frozen=True)
class Rename:
    """New names for columns: ``names`` holds (old, new) pairs."""

    names: tuple[tuple[str, str], ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", tuple((str(a), str(b)) for a, b in self.names))


@dataclass(frozen=True)
class Unpivot:
    """Measure columns to rows: their names in ``names_to``, their values in ``values_to``."""

    columns: tuple[str, ...]
    names_to: str
    values_to: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", tuple(self.columns))


@dataclass(frozen=True)
class Derive:
    """A new column ``column``: the ``operation`` over the columns ``of``."""

    column: str
    operation: Operation | str
    of: tuple[str, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "of", tuple(self.of))
        try:
            object.__setattr__(self, "operation", Operation(str(self.operation)))
        except ValueError:
            raise RecipeError.single(
                SpecProblem(
                    "analytics.bad-choice",
                    f"{self.operation!r} is not a way to derive a column; choose one of "
                    + ", ".join(repr(m.value) for m in Operation),
                    {
                        "field": "operation",
                        "value": self.operation,
                        "choices": [m.value for m in Operation],
                    },
                )
            ) from None


@dataclass(frozen=True)
class Constant:
    """A new column ``column`` with one value: ``value``, or the text after ``from_title:`` on
    a line of the file's title (``value`` is then filled per version by :func:`with_title`)."""

    column: str
    value: str | None = None
    from_title: str | None = None


@dataclass(frozen=True)
class Filter:
    """Keep the rows that meet every condition."""

    where: tuple[Condition, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "where", tuple(self.where))


Step = Rename | Unpivot | Derive | Constant | Filter
Recipe = tuple[Step, ...]

STEP_NAMES: dict[type[Any], str] = {
    Rename: "rename",
    Unpivot: "unpivot",
    Derive: "derive",
    Constant: "constant",
    Filter: "filter",
}


class RecipeError(IndicatorSpecError):
    """A recipe that cannot run on this table, every problem listed (each with its step)."""


# --- JSON form ----------------------------------------------------------------------------------


def recipe_to_json(recipe: Iterable[Step]) -> list[dict[str, Any]]:
    """The recipe as a dataset stores it and the API and datapackage show it."""
    return [step_to_json(step) for step in recipe]


def step_to_json(step: Step) -> dict[str, Any]:
    kind = STEP_NAMES[type(step)]
    if isinstance(step, Rename):
        return {"step": kind, "names": dict(step.names)}
    if isinstance(step, Unpivot):
        return {
            "step": kind,
            "columns": list(step.columns),
            "names_to": step.names_to,
            "values_to": step.values_to,
        }
    if isinstance(step, Derive):
        return {
            "step": kind,
            "column": step.column,
            "operation": str(step.operation),
            "of": list(step.of),
        }
    if isinstance(step, Constant):
        given = {"from_title": step.from_title} if step.from_title else {"value": step.value}
        return {"step": kind, "column": step.column, **given}
    return {
        "step": kind,
        "where": [
            {"column": c.column, "operator": str(c.operator), "value": jsonable(c.value)}
            for c in step.where
        ],
    }


def recipe_from_json(data: object) -> Recipe:
    """A recipe from its JSON form; a malformed one raises :class:`RecipeError` naming the
    step (counted from 1) and what is wrong with it."""
    if data is None:
        return ()
    if not isinstance(data, list | tuple):
        raise RecipeError.single(_malformed(0, "a recipe is a list of steps"))
    return tuple(_step_from_json(number, item) for number, item in enumerate(data, start=1))


def _malformed(number: int, detail: str) -> SpecProblem:
    return SpecProblem(
        "analytics.recipe-malformed",
        f"Step {number} of the recipe cannot be read: {detail}.",
        {"step": number, "detail": detail},
    )


def _step_from_json(number: int, item: object) -> Step:
    if not isinstance(item, Mapping):
        raise RecipeError.single(_malformed(number, "a step is an object"))
    kind = item.get("step")
    try:
        if kind == "rename":
            names = item["names"]
            if not isinstance(names, Mapping):
                raise TypeError("'names' maps old names to new ones")
            return Rename(tuple(names.items()))
        if kind == "unpivot":
            return Unpivot(_names(item["columns"]), str(item["names_to"]), str(item["values_to"]))
        if kind == "derive":
            return Derive(str(item["column"]), str(item["operation"]), _names(item["of"]))
        if kind == "constant":
            title = item.get("from_title")
            value = item.get("value")
            return Constant(
                str(item["column"]),
                None if value is None else str(value),
                None if title is None else str(title),
            )
        if kind == "filter":
            where = item["where"]
            if not isinstance(where, list | tuple):
                raise TypeError("'where' is a list of conditions")
            return Filter(
                tuple(Condition(c["column"], c["operator"], c.get("value")) for c in where)
            )
    except (KeyError, TypeError, AttributeError) as error:
        raise RecipeError.single(_malformed(number, str(error))) from error
    except IndicatorSpecError as error:
        raise RecipeError(
            [replace(p, params={**p.params, "step": number}) for p in error.problems]
        ) from error
    raise RecipeError.single(
        SpecProblem(
            "analytics.recipe-unknown-step",
            f"Step {number} is {kind!r}, which is not a step; steps are "
            + ", ".join(STEP_NAMES.values()),
            {"step": number, "kind": str(kind), "choices": list(STEP_NAMES.values())},
        )
    )


def _names(value: object) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise TypeError("columns are given as a list of names")
    return tuple(str(name) for name in value)


# --- The title's values -------------------------------------------------------------------------


def title_value(label: str, lines: Sequence[str]) -> str | None:
    """The text after ``label:`` (or ``label =``) on the first title line that has it, e.g.
    "2023" for ``"Year"`` in "Year: 2023"; None when no line has it."""
    pattern = re.compile(rf"^\s*{re.escape(label.strip())}\s*[:=]\s*(.+?)\s*$", re.IGNORECASE)
    for line in lines:
        found = pattern.match(line)
        if found:
            return found.group(1)
    return None


def with_title(recipe: Recipe, lines: Sequence[str]) -> Recipe:
    """The recipe with each constant taken from the title given its value from ``lines`` (the
    version's own title), so one recipe gives each version its year. A label the title lacks
    leaves the value empty; :func:`recipe_problems` then says so."""
    return tuple(
        replace(step, value=title_value(step.from_title, lines))
        if isinstance(step, Constant) and step.from_title
        else step
        for step in recipe
    )


# --- Checking and applying ------------------------------------------------------------------------


def recipe_problems(recipe: Recipe, schema: ibis.Schema) -> list[SpecProblem]:
    """Every problem of the recipe on a table of ``schema``; each step is checked against the
    columns the steps before it leave (a step that cannot run stops the checking there)."""
    table = ibis.table(schema, name="version")
    for number, step in enumerate(recipe, start=1):
        problems = _step_problems(step, table.schema())
        if problems:
            return [replace(p, params={**p.params, "step": number}) for p in problems]
        table = _apply_step(table, step)
    return []


def apply_recipe(table: ir.Table, recipe: Recipe) -> ir.Table:
    """The version as its recipe shapes it (unexecuted); raises :class:`RecipeError`."""
    problems = recipe_problems(recipe, table.schema())
    if problems:
        raise RecipeError(problems)
    for step in recipe:
        table = _apply_step(table, step)
    return table


def shaped_schema(recipe: Recipe, schema: ibis.Schema) -> ibis.Schema:
    """The columns a table of ``schema`` has after the recipe (without reading any data)."""
    return apply_recipe(ibis.table(schema, name="version"), recipe).schema()


def _apply_step(table: ir.Table, step: Step) -> ir.Table:
    if isinstance(step, Rename):
        return table.rename({new: old for old, new in step.names})
    if isinstance(step, Unpivot):
        common = _common_type([table.schema()[c] for c in step.columns])
        return table.mutate(**{c: table[c].cast(common) for c in step.columns}).pivot_longer(
            selectors.cols(*step.columns), names_to=step.names_to, values_to=step.values_to
        )
    if isinstance(step, Derive):
        columns = [table[name] for name in step.of]
        if step.operation is Operation.SUM:
            value: ir.Value = row_sum(table, step.of)
        elif step.operation is Operation.DIFFERENCE:
            value = columns[0] - columns[1]
        else:
            value = ibis.coalesce(*columns)
        return table.mutate(**{step.column: value})
    if isinstance(step, Constant):
        return table.mutate(**{step.column: ibis.literal(step.value, type="string")})
    keep = all_conditions(table, step.where)
    return table if keep is None else table.filter(keep)


def _common_type(types: Sequence[Any]) -> Any:
    """The type measure columns share once unpivoted: integers stay integers, other numbers
    become float64, text stays text (mixed kinds are refused before this)."""
    if all(t.is_integer() for t in types):
        return "int64"
    if all(t.is_numeric() for t in types):
        return "float64"
    return "string"


def _name_problems(
    name: str, schema: ibis.Schema, *, freed: Iterable[str] = ()
) -> list[SpecProblem]:
    if not name.strip() or len(name) > MAX_NAME_LENGTH:
        return [
            SpecProblem(
                "analytics.recipe-bad-name",
                f"A new column needs a name of 1 to {MAX_NAME_LENGTH} characters, not {name!r}.",
                {"column": name, "limit": MAX_NAME_LENGTH},
            )
        ]
    taken = {existing.casefold() for existing in schema.names} - {f.casefold() for f in freed}
    if name.casefold() in taken:
        return [
            SpecProblem(
                "analytics.recipe-name-taken",
                f"The table already has a column called {name!r}; choose another name.",
                {"column": name},
            )
        ]
    return []


def _missing(names: Iterable[str], schema: ibis.Schema) -> list[SpecProblem]:
    return [
        SpecProblem(
            "analytics.unknown-column",
            f"The column {name!r} is not in the data; columns are: " + ", ".join(schema.names),
            {"column": name, "role": "recipe", "available": list(schema.names)},
        )
        for name in dict.fromkeys(names)
        if name not in schema
    ]


def _step_problems(step: Step, schema: ibis.Schema) -> list[SpecProblem]:
    if isinstance(step, Rename):
        return _rename_problems(step, schema)
    if isinstance(step, Unpivot):
        return _unpivot_problems(step, schema)
    if isinstance(step, Derive):
        return _derive_problems(step, schema)
    if isinstance(step, Constant):
        problems = _name_problems(step.column, schema)
        if step.value is not None and str(step.value).strip():
            return problems
        if step.from_title:
            problems.append(
                SpecProblem(
                    "analytics.recipe-no-value",
                    f"The column {step.column!r} needs a line ‘{step.from_title}: …’ in the "
                    "file's title.",
                    {"column": step.column, "label": step.from_title},
                )
            )
        else:
            problems.append(
                SpecProblem(
                    "analytics.recipe-value-empty",
                    f"Give the column {step.column!r} a value.",
                    {"column": step.column},
                )
            )
        return problems
    if not step.where:
        return [
            SpecProblem("analytics.recipe-no-conditions", "A filter needs at least one condition.")
        ]
    return [p for c in step.where for p in condition_problems(schema, c, "filter")]


def _rename_problems(step: Rename, schema: ibis.Schema) -> list[SpecProblem]:
    if not step.names:
        return [
            SpecProblem("analytics.recipe-nothing-renamed", "Name at least one column to rename.")
        ]
    olds = [old for old, _ in step.names]
    problems = _missing(olds, schema)
    news = [new for _, new in step.names]
    for new in news:
        problems.extend(_name_problems(new, schema, freed=olds))
    if len({n.casefold() for n in news}) < len(news):
        problems.append(
            SpecProblem(
                "analytics.recipe-name-repeated",
                "Two columns would have the same new name; give each its own.",
                {"columns": news},
            )
        )
    return problems


def _unpivot_problems(step: Unpivot, schema: ibis.Schema) -> list[SpecProblem]:
    if len(step.columns) < 2:
        return [
            SpecProblem(
                "analytics.recipe-too-few-columns",
                "Turning columns into rows needs two or more columns.",
                {"count": 2},
            )
        ]
    problems = [*_missing(step.columns, schema), *_repeated(step.columns)]
    if problems:
        return problems
    kept = [name for name in schema.names if name not in step.columns]
    remaining = ibis.schema({name: schema[name] for name in kept})
    problems.extend(_name_problems(step.names_to, remaining))
    problems.extend(_name_problems(step.values_to, remaining))
    if step.names_to.casefold() == step.values_to.casefold():
        problems.append(
            SpecProblem(
                "analytics.recipe-name-repeated",
                "The column of names and the column of values need different names.",
                {"columns": [step.names_to, step.values_to]},
            )
        )
    return [*problems, *_mixed_kinds(step.columns, schema)]


def _mixed_kinds(columns: Sequence[str], schema: ibis.Schema) -> list[SpecProblem]:
    """A problem when ``columns`` do not all hold numbers or all hold text (they become one
    column)."""
    kinds = [_kind(schema[name]) for name in columns]
    if len(set(kinds)) < 2:
        return []
    return [
        SpecProblem(
            "analytics.recipe-mixed-types",
            "The columns must all hold numbers or all hold text; "
            + ", ".join(f"{n!r} holds {k}" for n, k in zip(columns, kinds, strict=True)),
            {"columns": list(columns), "kinds": kinds},
        )
    ]


def _kind(dtype: Any) -> str:
    if dtype.is_numeric():
        return "number"
    if dtype.is_string():
        return "text"
    return str(dtype)


def _repeated(columns: Sequence[str]) -> list[SpecProblem]:
    if len(set(columns)) == len(columns):
        return []
    return [
        SpecProblem(
            "analytics.column-repeated",
            "A column is named more than once; name each once.",
            {"columns": list(columns)},
        )
    ]


def _derive_problems(step: Derive, schema: ibis.Schema) -> list[SpecProblem]:
    problems = [*_name_problems(step.column, schema), *_repeated(step.of)]
    needed = 2
    if step.operation is Operation.DIFFERENCE and len(step.of) != 2:
        return [
            *problems,
            SpecProblem(
                "analytics.recipe-difference-of-two",
                "A difference takes exactly two columns: the first, less the second.",
                {"count": len(step.of)},
            ),
        ]
    if len(step.of) < needed:
        return [
            *problems,
            SpecProblem(
                "analytics.recipe-too-few-columns",
                f"A {step.operation} needs two or more columns.",
                {"count": needed},
            ),
        ]
    missing = _missing(step.of, schema)
    if missing:
        return [*problems, *missing]
    if step.operation is Operation.FIRST_FILLED:
        return [*problems, *_mixed_kinds(step.of, schema)]
    for name in step.of:
        if not schema[name].is_numeric():
            problems.append(
                SpecProblem(
                    "analytics.recipe-not-numbers",
                    f"The column {name!r} holds {_kind(schema[name])}, not numbers, so it "
                    "cannot be added or taken away.",
                    {"column": name, "kind": _kind(schema[name])},
                )
            )
    return problems
