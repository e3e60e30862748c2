"""What a recipe makes of a version: its columns, its first rows and how many rows, or its
problems, kept on the version so pages and forms never run the engine to show them."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from infuse import analytics

if TYPE_CHECKING:
    from infuse.analytics import SpecProblem

#: Rows of the shaped table kept to show on the version's and the recipe's pages.
PREVIEW_ROWS = 10


def shape(
    parquet: Path,
    recipe: list[dict[str, Any]],
    title_lines: list[str],
    indicators: Sequence[tuple[str, dict[str, Any]]] = (),
) -> dict[str, Any]:
    """The version's file shaped by ``recipe`` (as JSON), its title giving the values taken
    from it: ``{"fields", "rows", "row_count"}``, or ``{"problems"}`` when it cannot run or
    would take a column away from one of ``indicators`` (title, specification)."""
    try:
        steps = analytics.with_title(analytics.recipe_from_json(recipe), title_lines)
        con = analytics.connect("duckdb")
        try:
            table = analytics.read_parquet(con, parquet)
            problems = analytics.recipe_problems(steps, table.schema())
            if problems:
                return {"problems": [plain(p) for p in problems]}
            shaped = analytics.apply_recipe(table, steps)
            broken = _broken_indicators(indicators, shaped.schema())
            if broken:
                return {"problems": [plain(p) for p in broken]}
            first = shaped.head(PREVIEW_ROWS).to_pyarrow().to_pylist()
            count = int(shaped.count().to_pyarrow().as_py())
        finally:
            con.disconnect()
    except analytics.RecipeError as error:
        return {"problems": [plain(p) for p in error.problems]}
    schema = shaped.schema()
    return {
        "fields": [{"name": name, "type": table_schema_type(schema[name])} for name in schema],
        "rows": [[_cell(row[name]) for name in schema] for row in first],
        "row_count": count,
    }


def _broken_indicators(
    indicators: Sequence[tuple[str, dict[str, Any]]], schema: Any
) -> list[SpecProblem]:
    """A problem for each indicator naming a column the shaped table no longer has."""
    broken = []
    for title, specification in indicators:
        try:
            analytics.validate_spec(analytics.IndicatorSpec.from_dict(specification), schema)
        except analytics.IndicatorSpecError as error:
            missing = [p for p in error.problems if p.key == "analytics.unknown-column"]
            if missing:
                column = missing[0].params.get("column")
                broken.append(
                    analytics.SpecProblem(
                        "analytics.recipe-breaks-indicator",
                        f"The indicator {title!r} uses the column {column!r}, which the "
                        "recipe would take away.",
                        {"indicator": title, "column": column},
                    )
                )
    return broken


def plain(problem: SpecProblem) -> dict[str, Any]:
    """A problem as JSON keeps it (its key, parameters and English words)."""
    return {"key": problem.key, "params": problem.params, "message": problem.message}


def table_schema_type(dtype: Any) -> str:
    """The Frictionless Table Schema type of an engine type, as ingested fields are typed."""
    if dtype.is_integer():
        return "integer"
    if dtype.is_numeric():
        return "number"
    if dtype.is_boolean():
        return "boolean"
    if dtype.is_timestamp():
        return "datetime"
    if dtype.is_date():
        return "date"
    return "string"


def _cell(value: Any) -> Any:
    """A value as JSON can hold it (dates as ISO text, decimals as text, NaN as null)."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def most_detailed_first(
    levels: Sequence[str], columns: Sequence[str], distinct: dict[str, int]
) -> list[str]:
    """The levels of an area hierarchy written across columns, most detailed first (a
    "first filled" step takes the first with a value): the one with most different values
    (23 councils, 8 health boards, Wales), then, where that is not known, the one furthest
    right, as tables write them."""
    order = {name: index for index, name in enumerate(columns)}
    return sorted(
        levels, key=lambda name: (distinct.get(name, -1), order.get(name, 0)), reverse=True
    )


def distinct_counts(profile: dict[str, Any]) -> dict[str, int]:
    """Different values per column, from a version's profile."""
    return {
        c["name"]: c["distinct"]
        for c in profile.get("columns", [])
        if c.get("distinct") is not None
    }
