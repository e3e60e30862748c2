"""What each council is compared with: an area of the data, a fixed value or a saved group of
councils, named on the page, in the API and in exports; every mistake a sentence on its field.
Expected classes are worked out here from Wilson intervals written out by hand."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from django.test import Client

from infuse.core.errors import InvalidInput
from infuse.datalab.comparators import services as comparators
from infuse.datalab.comparators.schemas import ComparatorGroupIn
from infuse.datalab.indicators import services
from infuse.datalab.indicators.schemas import IndicatorIn
from infuse.datalab.ingest.services import upload_file
from infuse.datalab.models import BenchmarkValue, IndicatorValue
from tests.datalab.independent import wilson_percent

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = {  # area: (cases, people)
    "Cardiff": (30, 200),
    "Newport": (12, 150),
    "Torfaen": (40, 110),
    "Bridgend": (25, 120),
    "Blaenau Gwent": (9, 300),
    "Wales": (300, 2000),
}
TORFAEN, BLAENAU_GWENT = "W06000020", "W06000019"


def judged(area: str, against: float) -> str:
    low, high = wilson_percent(*ROWS[area])
    return (
        "worse" if low > against else "better" if high < against else "similar"
    )  # lower is better


def spec() -> dict:
    return {
        "numerator": {"aggregation": "sum", "column": "cases"},
        "denominator": {"kind": "measure", "aggregation": "sum", "column": "people"},
        "council_column": "area",
        "period": {"column": "year", "grain": "as_recorded"},
        "unit": "percentage",
        "polarity": "lower is better",
    }


@pytest.fixture
def dataset(make_dataset, make_person):
    officer = make_person("officer")
    made = make_dataset("Cases", actor=officer, visibility="public")
    text = "area,year,cases,people\n" + "".join(
        f"{area},2023,{cases},{people}\n" for area, (cases, people) in ROWS.items()
    )
    upload_file(actor=officer, dataset=made, chunks=[text.encode()], original_name="c.csv")
    call_command("worker", "--batch")
    made.officer = officer
    return made


def define(dataset, benchmark: dict, title: str = "Cases"):
    made = services.create_indicator(
        actor=dataset.officer,
        dataset=dataset,
        indicator_in=IndicatorIn(
            title_en=title, title_cy=title, specification=spec(), benchmark=benchmark
        ),
    )
    call_command("worker", "--batch")
    return made


def comparisons(indicator) -> dict[str, str]:
    return {
        v.council.name_en: v.comparison
        for v in IndicatorValue.objects.filter(indicator=indicator, council__isnull=False)
    }


def test_compared_with_a_row_of_the_data_a_value_and_a_group(dataset, make_person):
    wales = define(dataset, {"kind": "area", "area": "wales"}, "Against Wales")
    against = 100 * 300 / 2000
    assert comparisons(wales) == {area: judged(area, against) for area in ROWS if area != "Wales"}
    assert {"better", "worse"} <= set(comparisons(wales).values())
    own = BenchmarkValue.objects.get(indicator=wales, area_code="")
    assert own.value == pytest.approx(against) and own.ci_low is not None
    wales.refresh_from_db()
    assert wales.excluded_areas["areas"] == []  # Wales is the benchmark, not left out

    fixed = define(dataset, {"kind": "value", "value": "12.5%"}, "Against a target")
    assert fixed.benchmark == {"kind": "value", "value": 12.5}
    assert comparisons(fixed) == {area: judged(area, 12.5) for area in ROWS if area != "Wales"}

    analyst = make_person("analyst")
    valleys = comparators.create_group(
        actor=analyst,
        group_in=ComparatorGroupIn(
            name_en="Heads of the Valleys",
            name_cy="Blaenau'r Cymoedd",
            councils=[TORFAEN, BLAENAU_GWENT],
        ),
    )
    group = define(dataset, {"kind": "group", "group": valleys.slug}, "Against the Valleys")
    assert group.benchmark["councils"] == sorted([TORFAEN, BLAENAU_GWENT])
    pooled = 100 * (40 + 9) / (110 + 300)
    assert comparisons(group) == {area: judged(area, pooled) for area in ROWS if area != "Wales"}

    page = Client().get(f"/data/indicators/{wales.slug}/").content.decode()
    assert "Compared with Wales" in page and "Each council compared with" in page
    welsh = Client().get(f"/cy/data/indicators/{wales.slug}/").content.decode()
    assert "Cymru" in welsh
    shown = Client().get(f"/api/v1/data/indicators/{group.slug}").json()
    assert (
        shown["compared_with"] == "Heads of the Valleys" and shown["benchmark"]["kind"] == "group"
    )
    values = Client().get(f"/api/v1/data/indicators/{fixed.slug}/values").json()["values"]
    assert {(v["compared_with"], v["benchmark_value"]) for v in values} == {
        ("the value 12.5%", 12.5)
    }
    exported = Client().get(f"/data/indicators/{wales.slug}/values.csv").content.decode()
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert {r["compared_with"] for r in rows} == {"Wales"}
    assert [float(r["benchmark_value"]) for r in rows] == pytest.approx([against] * len(rows))


@pytest.mark.parametrize(
    ("benchmark", "field", "words"),
    [
        (
            {"kind": "area", "area": "Powys"},
            "benchmark_area",
            "The data has no rows for ‘Powys’. Areas in it that are not councils of the "
            "region: ‘Wales’.",
        ),
        ({"kind": "area", "area": " "}, "benchmark_area", "Enter the area as the data names it"),
        (
            {"kind": "value", "value": "lots"},
            "benchmark_value",
            "Enter a percentage between 0 and 100",
        ),
        (
            {"kind": "value", "value": "120"},
            "benchmark_value",
            "Enter a percentage between 0 and 100",
        ),
        (
            {"kind": "group", "group": "nowhere"},
            "benchmark_group",
            "Choose one of the saved groups",
        ),
        ({"kind": "nation"}, "benchmark_kind", "Choose what to compare with"),
    ],
)
def test_a_benchmark_that_cannot_be_used_is_said_on_its_field(dataset, benchmark, field, words):
    with pytest.raises(InvalidInput) as refused:
        define(dataset, benchmark)
    assert [(p.field, words in p.message) for p in refused.value.problems] == [(field, True)]


def test_the_command_takes_a_benchmark_and_says_it(dataset, tmp_path, capsys):
    import json

    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec()))
    call_command(
        "data",
        "indicator",
        dataset.slug,
        "--spec",
        str(path),
        "--title-en",
        "C",
        "--title-cy",
        "C",
        "--benchmark",
        "area:Wales",
        "--as",
        dataset.officer.email,
    )
    assert "Each council compared with: Wales" in capsys.readouterr().out


def test_the_form_takes_a_benchmark_and_says_what_is_wrong_with_it(dataset):
    page = Client()
    page.force_login(dataset.officer)
    form = {
        "title_en": "Cases",
        "title_cy": "Achosion",
        "aggregation": "sum",
        "numerator_column": ["cases"],
        "denominator_column": ["people"],
        "council_column": "area",
        "period_column": "year",
        "grain": "as_recorded",
        "unit": "percentage",
        "polarity": "lower_is_better",
        "benchmark_kind": "value",
        "benchmark_value": "",
    }
    url = f"/data/datasets/{dataset.slug}/indicators/new/"
    refused = page.post(url, form)
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "Enter a percentage between 0 and 100 to compare with" in text
    assert 'href="#benchmark_value"' in text or "#id_benchmark_value" in text
    made = page.post(url, {**form, "benchmark_kind": "area", "benchmark_area": "Wales"})
    assert made.status_code == 302
    call_command("worker", "--batch")
    shown = page.get(made["Location"]).content.decode()
    assert "Compared with Wales" in shown


def test_the_form_counts_only_some_rows_in_the_numerator(make_dataset, make_person):
    """Numerator: rows where the outcome is "smoker"; denominator: every row surveyed."""
    officer = make_person("officer")
    made = make_dataset("Survey", actor=officer)
    rows = [("Cardiff", "smoker")] * 3 + [("Cardiff", "never")] * 7 + [("Newport", "smoker")] * 2
    text = "area,year,outcome,people\n" + "".join(f"{a},2023,{o},1\n" for a, o in rows)
    upload_file(actor=officer, dataset=made, chunks=[text.encode()], original_name="s.csv")
    call_command("worker", "--batch")
    page = Client()
    page.force_login(officer)
    form = {
        "title_en": "Smokers",
        "title_cy": "Ysmygwyr",
        "aggregation": "count",
        "numerator_where_column": "outcome",
        "numerator_where_operator": "=",
        "numerator_where_value": "",
        "denominator_column": ["people"],
        "council_column": "area",
        "period_column": "year",
        "grain": "as_recorded",
        "unit": "percentage",
        "polarity": "lower_is_better",
    }
    url = f"/data/datasets/{made.slug}/indicators/new/"
    refused = page.post(url, form)
    assert refused.status_code == 400
    assert "Enter the value to compare the column with" in refused.content.decode()
    assert page.post(url, {**form, "numerator_where_value": "smoker"}).status_code == 302
    call_command("worker", "--batch")
    values = {
        v.council.name_en: v.value
        for v in IndicatorValue.objects.filter(indicator__dataset=made, council__isnull=False)
    }
    assert values == {"Cardiff": pytest.approx(30.0), "Newport": pytest.approx(100.0)}
