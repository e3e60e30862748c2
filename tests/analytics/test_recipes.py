"""Recipes: declared steps that shape a version, checked step by step, the same on both engines.

The table is a StatsWales-shaped extract (the area hierarchy across three unnamed columns,
birth weights across columns, the year only in the title); every expected figure is written
out by hand or computed here in plain Python from the rows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from infuse.analytics import (
    Constant,
    Derive,
    Filter,
    IndicatorSpec,
    Measure,
    Period,
    RecipeError,
    Rename,
    Unpivot,
    apply_recipe,
    compute_indicator,
    connect,
    read_parquet,
    recipe_from_json,
    recipe_problems,
    recipe_to_json,
    shaped_schema,
    title_value,
    with_title,
)
from infuse.analytics.indicators.spec import Condition

ROWS = [
    # column_1, column_2, column_3, under_2000, from_2000, total
    ("Wales", None, None, 684, 1335, 27457),
    ("Wales", "Cardiff & Vale", None, 118, 238, 4677),
    (None, "Cardiff & Vale", "Vale of Glamorgan", 35, 60, 1151),
    (None, None, "Cardiff", 83, 178, 3526),
    (None, "Aneurin Bevan", "Newport", 46, 97, 1803),
    (None, None, "Torfaen", 23, None, 931),
]
TITLE = ["Live births by birth weight", "Filters:", "Year: 2023"]


@pytest.fixture
def births(tmp_path: Path) -> Path:
    names = ["column_1", "column_2", "column_3", "<2000g", "2000-2499g", "Total"]
    table = pa.table({name: [row[i] for row in ROWS] for i, name in enumerate(names)})
    path = tmp_path / "births.parquet"
    pq.write_table(table, path)
    return path


RECIPE_JSON: list[dict[str, Any]] = [
    {
        "step": "derive",
        "column": "area",
        "operation": "first_filled",
        "of": ["column_3", "column_2", "column_1"],
    },
    {"step": "derive", "column": "under_2500", "operation": "sum", "of": ["<2000g", "2000-2499g"]},
    {"step": "constant", "column": "year", "from_title": "Year"},
    {"step": "rename", "names": {"Total": "live_births"}},
]


def rows_of(table: Any) -> list[dict[str, Any]]:
    return table.to_pyarrow().to_pylist()  # type: ignore[no-any-return]


def test_a_recipe_round_trips_through_json_and_takes_its_year_from_the_title(births: Path) -> None:
    recipe = recipe_from_json(RECIPE_JSON)
    assert recipe_to_json(recipe) == RECIPE_JSON
    assert isinstance(recipe[2], Constant) and recipe[2].value is None
    shaped = apply_recipe(read_parquet(connect(), births), with_title(recipe, TITLE))
    rows = rows_of(shaped)
    assert [r["area"] for r in rows] == [
        "Wales",
        "Cardiff & Vale",
        "Vale of Glamorgan",
        "Cardiff",
        "Newport",
        "Torfaen",
    ]
    # A sum leaves a missing value out (Torfaen's 2,000-2,499 g is missing), as a spreadsheet.
    assert [r["under_2500"] for r in rows] == [a + (b or 0) for *_, a, b, _t in ROWS]
    assert {r["year"] for r in rows} == {"2023"}
    assert "Total" not in shaped.columns and [r["live_births"] for r in rows][:2] == [27457, 4677]


def test_each_version_takes_its_own_year_and_a_title_without_it_is_said() -> None:
    recipe = recipe_from_json([{"step": "constant", "column": "year", "from_title": "year"}])
    assert title_value("Year", ["Filters:", "  year = 2024-25 "]) == "2024-25"
    schema = ibis.schema({"a": "int64"})
    assert recipe_problems(with_title(recipe, ["Year: 2024"]), schema) == []
    problems = recipe_problems(with_title(recipe, ["Filters:"]), schema)
    assert [(p.key, p.params["step"], p.params["label"]) for p in problems] == [
        ("analytics.recipe-no-value", 1, "year")
    ]


def test_an_unpivot_gives_one_row_per_row_and_measure(births: Path) -> None:
    recipe = (
        Derive("area", "first_filled", ("column_3", "column_2", "column_1")),
        Unpivot(("<2000g", "2000-2499g", "Total"), "birth_weight", "births"),
        Filter((Condition("area", "=", "Newport"),)),
    )
    rows = rows_of(apply_recipe(read_parquet(connect(), births), recipe))
    assert sorted((r["birth_weight"], r["births"]) for r in rows) == [
        ("2000-2499g", 97),
        ("<2000g", 46),
        ("Total", 1803),
    ]
    assert shaped_schema(recipe, read_parquet(connect(), births).schema()).names == (
        "column_1",
        "column_2",
        "column_3",
        "area",
        "birth_weight",
        "births",
    )


def test_every_problem_names_its_step_and_checks_against_the_columns_before_it() -> None:
    schema = ibis.schema({"area": "string", "births": "int64", "total": "int64"})
    cases = [
        ((Rename((("nowhere", "x"),)),), "analytics.unknown-column"),
        ((Rename((("births", "total"),)),), "analytics.recipe-name-taken"),
        ((Derive("x", "sum", ("area", "births")),), "analytics.recipe-not-numbers"),
        ((Derive("x", "difference", ("births",)),), "analytics.recipe-difference-of-two"),
        ((Derive("x", "sum", ("births",)),), "analytics.recipe-too-few-columns"),
        ((Unpivot(("area", "births"), "what", "n"),), "analytics.recipe-mixed-types"),
        ((Unpivot(("births", "total"), "area", "n"),), "analytics.recipe-name-taken"),
        ((Constant("x", " "),), "analytics.recipe-value-empty"),
        ((Derive("x", "sum", ("births", "births")),), "analytics.column-repeated"),
        ((Filter((Condition("births", ">", "many"),)),), "analytics.filter-value-type"),
        ((Filter(()),), "analytics.recipe-no-conditions"),
    ]
    for recipe, key in cases:
        problems = recipe_problems(recipe, schema)
        assert [p.key for p in problems] == [key], (recipe, problems)
        assert problems[0].params["step"] == 1
    # Step 2 is checked against the columns step 1 left: "births" is gone, "n" is there.
    renamed = (Rename((("births", "n"),)), Derive("both", "sum", ("n", "births")))
    problems = recipe_problems(renamed, schema)
    assert [(p.key, p.params["step"], p.params["column"]) for p in problems] == [
        ("analytics.unknown-column", 2, "births")
    ]
    with pytest.raises(RecipeError) as raised:
        apply_recipe(ibis.table(schema, name="t"), renamed)
    assert raised.value.key == "analytics.unknown-column"


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"step": "rename"}, "analytics.recipe-malformed"),
        ("rename", "analytics.recipe-malformed"),
        ({"step": "pivot"}, "analytics.recipe-unknown-step"),
        (
            {"step": "derive", "column": "x", "operation": "product", "of": ["a", "b"]},
            "analytics.bad-choice",
        ),
        (
            {"step": "derive", "column": "x", "operation": "sum", "of": "ab"},
            "analytics.recipe-malformed",
        ),
        (
            {"step": "filter", "where": [{"column": "a", "operator": "~", "value": 1}]},
            "analytics.bad-choice",
        ),
    ],
)
def test_a_malformed_step_is_refused_with_its_number(data: object, key: str) -> None:
    with pytest.raises(RecipeError) as raised:
        recipe_from_json([{"step": "constant", "column": "y", "value": "1"}, data])
    assert raised.value.key == key
    assert raised.value.params["step"] == 2


def births_spec() -> IndicatorSpec:
    return IndicatorSpec(
        numerator=Measure("sum", "under_2500"),
        denominator=Measure("sum", "live_births"),
        council_column="area",
        period=Period("year", "as_recorded"),
        unit="percentage",
    )


def test_an_indicator_runs_on_the_shaped_table_the_same_on_spark(births: Path, spark: Any) -> None:
    recipe = with_title(recipe_from_json(RECIPE_JSON), TITLE)
    results = []
    for con in (connect(), ibis.pyspark.connect(spark)):
        shaped = apply_recipe(read_parquet(con, births), recipe)
        rows = compute_indicator(shaped, births_spec()).to_pylist()
        results.append(sorted((r["council"] or "", r["period"], r["value"]) for r in rows))
    assert results[0] == results[1]
    by_area = {area: value for area, _period, value in results[0]}
    assert by_area["Newport"] == 100 * (46 + 97) / 1803
    assert by_area["Torfaen"] == 100 * 23 / 931
