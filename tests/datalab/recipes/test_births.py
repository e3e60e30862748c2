"""The StatsWales low birth weight file, as shipped and as Excel saves it (CRLF), becomes
"births under 2,500 g as % of live births, by council, 2023, lower is better" by recipe steps
alone: the file suggests the area and the year, one step adds the two birth-weight bands, and
the values and intervals equal an independent computation from the raw file. A second version
(2024) is shaped by the same recipe.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.test import Client

from infuse.core.errors import InvalidInput
from infuse.datalab.indicators import services as indicators
from infuse.datalab.indicators.schemas import IndicatorIn
from infuse.datalab.ingest.services import upload_file
from infuse.datalab.models import DatasetUpload, Indicator, IndicatorValue
from infuse.datalab.recipes import services
from infuse.datalab.recipes.schemas import RecipeIn, StepIn
from tests.datalab.independent import REGION, wilson_percent
from tests.reference_data import shared

pytestmark = pytest.mark.django_db(transaction=True)

UNDER_2500 = {
    "step": "derive",
    "column": "under_2500",
    "operation": "sum",
    "of": ["<2000g", "2000-2499g"],
}


def raw_file() -> bytes:
    return shared("health/low_birth_weight.csv").read_bytes()


def independent(raw: bytes) -> dict[str, tuple[int, int]]:
    """Each area's births under 2,500 g and live births, read from the raw file by hand: the
    most detailed area named on the row, "." counted as nothing."""
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    header = [cell.strip() for cell in rows[6]]
    low, band, total = header.index("<2000g"), header.index("2000-2499g"), header.index("Total")
    found: dict[str, tuple[int, int]] = {}
    for row in rows[7:]:
        if not any(cell.strip() for cell in row):
            break
        area = next(cell.strip() for cell in reversed(row[:3]) if cell.strip())
        count = sum(int(row[i]) for i in (low, band) if row[i].strip() not in ("", "."))
        found[area] = (count, int(row[total]))
    return found


def births_spec() -> dict:
    return {
        "numerator": {"aggregation": "sum", "column": "under_2500"},
        "denominator": {"kind": "measure", "aggregation": "sum", "column": "Total"},
        "council_column": "area",
        "period": {"column": "year", "grain": "as_recorded"},
        "unit": "percentage",
        "polarity": "lower is better",
    }


def ingest(officer, dataset, data: bytes) -> DatasetUpload:
    outcome = upload_file(actor=officer, dataset=dataset, chunks=[data], original_name="lbw.csv")
    call_command("worker", "--batch")
    return DatasetUpload.objects.get(pk=outcome.upload.pk)


@pytest.mark.parametrize("line_end", [b"\n", b"\r\n"], ids=["as-shipped", "crlf"])
def test_the_births_file_becomes_the_indicator_by_recipe_steps_alone(
    make_dataset, make_person, line_end
):
    officer = make_person("officer")
    dataset = make_dataset("Births by weight", actor=officer)
    raw = raw_file().replace(b"\r\n", b"\n").replace(b"\n", line_end)
    received = ingest(officer, dataset, raw)
    assert received.status == "accepted", received.error_detail
    version = dataset.latest_version
    assert "Year: 2023" in version.title_lines

    # The file's shape suggests the area and the year; the person adds them and one sum.
    suggested = services.suggested_steps(dataset)
    assert suggested == [
        {
            "step": "derive",
            "column": "area",
            "operation": "first_filled",
            "of": ["column_3", "column_2", "column_1"],
        },
        {"step": "constant", "column": "year", "from_title": "Year"},
    ]
    for step in [*suggested, UNDER_2500]:
        services.add_step(actor=officer, dataset=dataset, step_in=StepIn(step=step))
    version.refresh_from_db()
    assert [f["name"] for f in version.shaped_fields][-3:] == ["area", "year", "under_2500"]
    assert version.shaped["row_count"] == 30
    assert version.shaped["rows"][0][-3:] == ["Wales", "2023", 684 + 1335]

    made = indicators.create_indicator(
        actor=officer,
        dataset=dataset,
        indicator_in=IndicatorIn(
            title_en="Births under 2,500 g",
            title_cy="Genedigaethau dan 2,500 g",
            specification=births_spec(),
            benchmark={"kind": "area", "area": "Wales"},
        ),
    )
    call_command("worker", "--batch")
    expected = independent(raw)
    wales_count, wales_births = expected["Wales"]
    wales = 100 * wales_count / wales_births
    values = {
        v.council.name_en if v.council else "region": v
        for v in IndicatorValue.objects.filter(indicator=made).select_related("council")
    }
    assert set(values) == REGION | {"region"}
    for name in REGION:
        count, births = expected[name]
        low, high = wilson_percent(count, births)
        shown = values[name]
        assert shown.period == "2023" and shown.numerator == count and shown.denominator == births
        assert shown.value == pytest.approx(100 * count / births, rel=1e-12)
        assert (shown.ci_low, shown.ci_high) == (
            pytest.approx(low, rel=1e-9),
            pytest.approx(high, rel=1e-9),
        )
        # Compared with Wales, lower is better: better when the whole interval is below it.
        judged = "better" if high < wales else "worse" if low > wales else "similar"
        assert shown.comparison == judged, name
    pooled = [expected[name] for name in REGION]
    region_count, region_births = sum(c for c, _ in pooled), sum(b for _, b in pooled)
    assert values["region"].value == pytest.approx(100 * region_count / region_births, rel=1e-12)
    made.refresh_from_db()
    left_out = {a["area"] for a in made.excluded_areas["areas"]}
    assert {"Gwynedd", "Swansea Bay", "Not stated"} <= left_out and not left_out & REGION
    assert made.polarity == "lower_is_better"

    # A second version, a year on: the same recipe takes 2024 from its own title.
    newer = raw.replace(b"Year: 2023", b"Year: 2024").replace(b",83,178,", b",80,170,")
    assert ingest(officer, dataset, newer).status == "accepted"
    second = dataset.latest_version
    assert second.number == 2 and second.recipe == dataset.recipe
    assert second.shaped["rows"][0][-2] == "2024"
    call_command("worker", "--batch")
    cardiff = IndicatorValue.objects.get(indicator=made, council__name_en="Cardiff")
    assert (cardiff.period, cardiff.numerator, cardiff.denominator) == ("2024", 80 + 170, 3526)


def test_a_file_that_no_longer_fits_the_recipe_is_kept_and_says_why(make_dataset, make_person):
    officer = make_person("officer")
    dataset = make_dataset("Births", actor=officer)
    ingest(officer, dataset, raw_file())
    services.save_recipe(
        actor=officer,
        dataset=dataset,
        recipe_in=RecipeIn(
            steps=[{"step": "constant", "column": "year", "from_title": "Year"}, UNDER_2500]
        ),
    )
    untitled = raw_file().replace(b"Year: 2023", b"Period unknown")
    received = ingest(officer, dataset, untitled)
    assert received.status == "accepted"
    assert [p["key"] for p in received.report["recipe"]["problems"]] == [
        "analytics.recipe-no-value"
    ]
    page = Client()
    page.force_login(officer)
    text = page.get(f"/data/datasets/{dataset.slug}/versions/2/").content.decode()
    assert "The recipe cannot shape version 2" in text
    assert "title has no line ‘Year: …’" in text


def test_a_recipe_is_refused_when_it_cannot_run_or_breaks_an_indicator(make_dataset, make_person):
    officer = make_person("officer")
    dataset = make_dataset("Births", actor=officer)
    ingest(officer, dataset, raw_file())
    with pytest.raises(InvalidInput) as refused:
        services.add_step(
            actor=officer,
            dataset=dataset,
            step_in=StepIn(
                step={
                    "step": "derive",
                    "column": "x",
                    "operation": "sum",
                    "of": ["<2000g", "column_1"],
                }
            ),
        )
    assert [(p.field, p.message) for p in refused.value.problems] == [
        (
            "sum_columns",
            "‘column_1’ holds text, not numbers, so it cannot be added or taken away. "
            "Choose columns of numbers.",
        )
    ]
    services.save_recipe(actor=officer, dataset=dataset, recipe_in=RecipeIn(steps=[UNDER_2500]))
    indicators.create_indicator(
        actor=officer,
        dataset=dataset,
        indicator_in=IndicatorIn(
            title_en="Low weight",
            title_cy="Pwysau isel",
            specification={
                **births_spec(),
                "council_column": "column_3",
                "period": {"column": "column_1", "grain": "as_recorded"},
            },
        ),
    )
    with pytest.raises(InvalidInput) as refused:
        services.remove_step(actor=officer, dataset=dataset, number=1)
    assert (
        "The indicator ‘Low weight’ uses the column ‘under_2500’"
        in refused.value.problems[0].message
    )
    assert dataset.recipe == [UNDER_2500]
    assert Indicator.objects.filter(dataset=dataset).count() == 1


def test_the_recipe_by_page_api_and_cli_in_welsh_too(make_dataset, make_person, capsys):
    officer = make_person("officer")
    dataset = make_dataset("Births", actor=officer)
    ingest(officer, dataset, raw_file())
    page = Client()
    page.force_login(officer)
    text = page.get(f"/data/datasets/{dataset.slug}/recipe/").content.decode()
    assert "Suggested from the file" in text and "Year: 2023" in text
    response = page.post(f"/data/datasets/{dataset.slug}/recipe/suggested/1/")
    assert (
        response.status_code == 302
        and dataset.__class__.objects.get(pk=dataset.pk).recipe[0]["column"] == "area"
    )
    assert (
        page.get(f"/data/datasets/{dataset.slug}/recipe/add/", {"kind": "sum"}).status_code == 302
    )
    refused = page.post(
        f"/data/datasets/{dataset.slug}/recipe/add/sum/",
        {"sum_columns": ["<2000g"], "sum_name": "under_2500"},
    )
    assert refused.status_code == 400 and "Tick two or more columns." in refused.content.decode()
    added = page.post(
        f"/data/datasets/{dataset.slug}/recipe/add/sum/",
        {"sum_columns": ["<2000g", "2000-2499g"], "sum_name": "under_2500"},
    )
    assert added.status_code == 302
    welsh = page.get(
        f"/cy/data/datasets/{dataset.slug}/recipe/", HTTP_ACCEPT_LANGUAGE="cy"
    ).content.decode()
    assert "Cam 2" in welsh

    got = page.get(f"/api/v1/data/datasets/{dataset.slug}/recipe").json()
    assert [s["column"] for s in got["steps"]] == ["area", "under_2500"]
    assert got["latest_version"]["fields"][-1] == {"name": "under_2500", "type": "integer"}
    put = page.put(
        f"/api/v1/data/datasets/{dataset.slug}/recipe",
        data=json.dumps({"steps": [{"step": "rename", "names": {"nowhere": "x"}}]}),
        content_type="application/json",
    )
    assert put.status_code == 400, put.content

    call_command(
        "data",
        "recipe",
        dataset.slug,
        "--add",
        json.dumps({"step": "constant", "column": "year", "from_title": "Year"}),
        "--as",
        officer.email,
    )
    said = capsys.readouterr().out
    assert (
        "Step 3: Add ‘year’ holding what follows ‘Year:’ in the file's title "
        "(‘2023’ in this version)" in said
    )
    assert "30 rows" in said


def test_review_fixes_hierarchy_order_a_council_as_area_and_the_public_benchmark(
    make_dataset, make_person
):
    """The form's area step puts the most detailed level first whatever order the boxes come
    in; a council of the region is no area to compare with; for the public, a health board's
    value is hidden where one of the councils' is suppressed (it could give it away)."""
    from django.contrib.auth.models import AnonymousUser
    from django.test import Client

    from infuse.datalab.indicators.publishing import shown_benchmarks, shown_periods
    from infuse.datalab.recipes.forms import StepForm

    officer = make_person("officer")
    dataset = make_dataset("Births", actor=officer, visibility="public")
    ingest(officer, dataset, raw_file())
    columns = [f["name"] for f in dataset.latest_version.fields]
    form = StepForm(
        {"first_filled_columns": ["column_1", "column_2", "column_3"], "first_filled_name": "area"},
        kind="first_filled",
        columns=columns,
    )
    assert form.is_valid(), form.errors
    assert form.step()["of"] == ["column_3", "column_2", "column_1"]
    for step in [
        form.step(),
        {"step": "constant", "column": "year", "from_title": "Year"},
        UNDER_2500,
    ]:
        services.add_step(actor=officer, dataset=dataset, step_in=StepIn(step=step))
    with pytest.raises(InvalidInput) as refused:
        indicators.create_indicator(
            actor=officer,
            dataset=dataset,
            indicator_in=IndicatorIn(
                title_en="x",
                title_cy="x",
                specification=births_spec(),
                benchmark={"kind": "area", "area": "Cardiff"},
            ),
        )
    assert "is a council of the region" in refused.value.problems[0].message
    # Births whose weight was not stated: small counts (Monmouthshire 1), suppressed.
    spec = {**births_spec(), "numerator": {"aggregation": "sum", "column": "Not stated (1)"}}
    made = indicators.create_indicator(
        actor=officer,
        dataset=dataset,
        indicator_in=IndicatorIn(
            title_en="Very low",
            title_cy="Isel iawn",
            specification=spec,
            benchmark={"kind": "area", "area": "Aneurin Bevan University"},
        ),
    )
    call_command("worker", "--batch")
    public = shown_periods(made, AnonymousUser())
    assert any(v.suppressed for p in public for v in p.councils)
    assert shown_benchmarks(made, public)["2023"].hidden
    staff = shown_periods(made, officer)
    assert shown_benchmarks(made, staff)["2023"].value == pytest.approx(100 * 5 / 5699)
    page = Client().get(f"/data/indicators/{made.slug}/").content.decode()
    assert "Not shown: one of its councils&#x27; values is suppressed" in page or (
        "Not shown: one of its councils' values is suppressed" in page
    )
