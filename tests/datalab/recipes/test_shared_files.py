"""Every reference file with councils of the region in it becomes a working indicator through
the platform's own steps — upload, recipe, indicator — with no editing outside InFuSe. The
expected figures are read from the raw files here, by hand (csv, openpyxl), never by the code
under test. (The low birth weight file, with counts, is in ``test_births``.)"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import call_command

from infuse.datalab.indicators import services as indicators
from infuse.datalab.indicators.schemas import IndicatorIn
from infuse.datalab.ingest.services import upload_file
from infuse.datalab.models import DatasetUpload, IndicatorValue
from infuse.datalab.recipes import services as recipes
from infuse.datalab.recipes.schemas import RecipeIn
from tests.datalab.independent import REGION
from tests.reference_data import shared

pytestmark = pytest.mark.django_db(transaction=True)


def made_indicator(
    make_dataset, make_person, path: Path, recipe: list, spec: dict, **benchmark: Any
):
    """Upload the file as it is, shape it with ``recipe``, define the indicator, compute it."""
    officer = make_person("analyst")
    dataset = make_dataset(path.stem, actor=officer)
    upload_file(actor=officer, dataset=dataset, chunks=[path.read_bytes()], original_name=path.name)
    call_command("worker", "--batch")
    received = DatasetUpload.objects.get(dataset=dataset)
    assert received.status == "accepted", received.error_detail
    recipes.save_recipe(actor=officer, dataset=dataset, recipe_in=RecipeIn(steps=recipe))
    made = indicators.create_indicator(
        actor=officer,
        dataset=dataset,
        indicator_in=IndicatorIn(
            title_en=path.stem,
            title_cy=path.stem,
            specification=spec,
            benchmark=benchmark or {"kind": "region"},
        ),
    )
    call_command("worker", "--batch")
    made.refresh_from_db()
    return made


def values_of(indicator) -> dict[tuple[str, str], float | None]:
    return {
        (v.council.name_en if v.council else "region", v.period): v.value
        for v in IndicatorValue.objects.filter(indicator=indicator).select_related("council")
    }


def published(column: str, council: str, period: str) -> dict:
    return {
        "numerator": {"aggregation": "sum", "column": column},
        "denominator": None,
        "council_column": council,
        "period": {"column": period, "grain": "as_recorded"},
        "unit": "value",
        "polarity": "neither",
    }


def test_adult_lifestyles_measures_across_area_columns(make_dataset, make_person):
    """Areas are columns here (Wales, health boards, councils) and measures rows: the recipe
    turns the area columns into rows, keeps the smokers' row, and takes the years from the
    title."""
    path = shared("health/adult_lifestyle.csv")
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    header = [cell.strip() for cell in rows[8]]
    smokers = next(row for row in rows if len(row) > 1 and row[1].strip() == "Smoker")
    expected = {header[i]: float(smokers[i]) for i in range(2, len(header)) if header[i] in REGION}
    assert len(expected) == 10
    recipe = [
        {"step": "unpivot", "columns": header[2:], "names_to": "area", "values_to": "percent"},
        {"step": "filter", "where": [{"column": "column_2", "operator": "=", "value": "Smoker"}]},
        {"step": "constant", "column": "years", "from_title": "Year"},
    ]
    made = made_indicator(
        make_dataset, make_person, path, recipe, published("percent", "area", "years")
    )
    got = values_of(made)
    assert {council for council, _ in got} == REGION | {"region"}
    for council, value in expected.items():
        assert got[(council, "2021-22 & 2022-23")] == pytest.approx(value, rel=1e-12)
    assert got[("region", "2021-22 & 2022-23")] is None  # no counts: no value for the region


def test_post16_participation_from_a_workbook_with_its_year_on_a_metadata_sheet(
    make_dataset, make_person
):
    path = shared("health/post16_participation.xlsx")
    sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
    table = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    column = next(
        i
        for i, name in enumerate(table[0])
        if name and name.strip() == "Full post-16 learner cohort"
    )
    expected = {
        str(row[0]).strip().removeprefix("The "): float(row[column])
        for row in table[1:]
        if row[0] and str(row[0]).strip().removeprefix("The ") in REGION
    }
    assert len(expected) == 10
    recipe = [{"step": "constant", "column": "academic_year", "from_title": "Academic Year"}]
    made = made_indicator(
        make_dataset,
        make_person,
        path,
        recipe,
        published("Full post-16 learner cohort", "column_1", "academic_year"),
        kind="value",
        value=100,  # Wales = 100 by definition of the rate
    )
    got = values_of(made)
    for council, value in expected.items():
        assert got[(council, "2009/10")] == pytest.approx(value)
    assert made.benchmark == {"kind": "value", "value": 100.0}


def test_alcohol_admissions_with_the_year_only_in_a_column_name(make_dataset, make_person):
    path = shared("health/alcohol_admissions.xlsx")
    sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
    table = [list(row) for row in sheet.iter_rows(values_only=True)]
    names = [str(name).strip() for name in table[0]]
    area, rate = names.index("Local Authority"), names.index("EASR per 100,000 population 2023/24")
    expected = {
        str(row[area]).strip().removeprefix("The "): float(row[rate])
        for row in table[1:]
        if row[area] and str(row[area]).strip().removeprefix("The ") in REGION
    }
    assert len(expected) == 10
    recipe = [{"step": "constant", "column": "year", "value": "2023/24"}]
    made = made_indicator(
        make_dataset,
        make_person,
        path,
        recipe,
        published("EASR per 100,000 population 2023/24", "Local Authority", "year"),
    )
    got = values_of(made)
    for council, value in expected.items():
        assert got[(council, "2023/24")] == pytest.approx(value)


def test_emissions_per_person_by_official_council_names(make_dataset, make_person):
    path = shared("emissions/local_authority_emissions.csv")
    official = {
        "Blaenau Gwent County Borough Council": "Blaenau Gwent",
        "Bridgend County Borough Council": "Bridgend",
        "Caerphilly County Borough Council": "Caerphilly",
        "City of Cardiff Council": "Cardiff",
        "Merthyr Tydfil County Borough Council": "Merthyr Tydfil",
        "Monmouthshire County Council": "Monmouthshire",
        "Newport City Council": "Newport",
        "Rhondda Cynon Taf County Borough Council": "Rhondda Cynon Taf",
        "Torfaen County Borough Council": "Torfaen",
        "Vale of Glamorgan Council": "Vale of Glamorgan",
    }
    with path.open(encoding="utf-8", newline="") as handle:
        expected = {
            (official[row["official-name"]], row["Year"]): float(row["Per Person Emissions:t"])
            for row in csv.DictReader(handle)
            if row["official-name"] in official
        }
    assert len(expected) == 160  # ten councils, 2005 to 2020
    made = made_indicator(
        make_dataset,
        make_person,
        path,
        [],
        published("Per Person Emissions:t", "official-name", "Year"),
    )
    got = values_of(made)
    assert {key: got[key] for key in expected} == pytest.approx(expected)
    left_out = made.excluded_areas
    assert left_out["more_areas"] + len(left_out["areas"]) == 394 - 10
