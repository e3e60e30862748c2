"""Indicators end to end: define on a version, compute in the worker, compare with the region."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from infuse.core.errors import InvalidInput
from infuse.datalab.indicators import services
from infuse.datalab.indicators.schemas import IndicatorIn
from infuse.datalab.ingest.services import upload_file
from infuse.datalab.models import Indicator, IndicatorValue

pytestmark = pytest.mark.django_db(transaction=True)

SMOKING = (
    "council,surveyed_on,smokers,surveyed\n"
    "Cardiff,2023-05-01,30,200\n"
    "Caerdydd,2023-09-01,0,0\n"
    "W06000022,2023-06-01,10,150\n"
    "Blaenau Gwent,2024-05-01,60,100\n"
    "Newport,2024-05-01,5,100\n"
)


@pytest.fixture
def dataset_with_data(make_dataset, make_person):
    officer = make_person("officer")
    dataset = make_dataset("Adult smoking", actor=officer, visibility="public")
    upload_file(
        actor=officer, dataset=dataset, chunks=[SMOKING.encode()], original_name="smoking.csv"
    )
    call_command("worker", "--batch")
    return officer, dataset


def spec(**overrides):
    base = {
        "numerator": {"aggregation": "sum", "column": "smokers"},
        "denominator": {"kind": "measure", "aggregation": "sum", "column": "surveyed"},
        "council_column": "council",
        "period": {"column": "surveyed_on", "grain": "financial_year"},
        "unit": "percentage",
        "polarity": "lower_is_better",
    }
    base.update(overrides)
    return base


def test_values_per_council_with_wilson_intervals_and_comparison(dataset_with_data):
    officer, dataset = dataset_with_data
    indicator = services.create_indicator(
        actor=officer,
        dataset=dataset,
        indicator_in=(
            IndicatorIn(
                title_en="Smoking", title_cy="Ysmygu", specification=spec(), goals=["healthier"]
            )
        ),
    )
    call_command("worker", "--batch")
    values = {
        (v.council.gss_code if v.council else "region", v.period): v
        for v in IndicatorValue.objects.filter(indicator=indicator)
    }
    cardiff = values[("W06000015", "2023-24")]  # "Cardiff" and "Caerdydd" are one council
    assert (cardiff.numerator, cardiff.denominator, cardiff.value) == (30, 200, 15.0)
    # Published check: Wilson 95% for 30/200 is (0.1071, 0.2061).
    assert round(cardiff.ci_low, 2) == 10.71 and round(cardiff.ci_high, 2) == 20.61
    assert values[("region", "2023-24")].value == pytest.approx(100 * 40 / 350)
    assert cardiff.comparison == "similar"
    assert values[("W06000019", "2024-25")].comparison == "worse"  # 60% against 32.5%
    assert values[("W06000022", "2024-25")].comparison == "better"  # 5% against 32.5%
    page = Client().get(f"/data/indicators/{indicator.slug}/").content.decode()
    assert "Blaenau Gwent" in page and "Worse" in page and "Better" in page
    welsh = Client().get(f"/cy/data/indicators/{indicator.slug}/").content.decode()
    assert "Ysmygu" in welsh and "Gwaeth" in welsh


def test_a_definition_that_cannot_run_is_refused_with_its_reason(dataset_with_data):
    officer, dataset = dataset_with_data
    with pytest.raises(InvalidInput) as raised:
        services.create_indicator(
            actor=officer,
            dataset=dataset,
            indicator_in=IndicatorIn(
                title_en="Bad",
                title_cy="Drwg",
                specification=spec(numerator={"aggregation": "sum", "column": "council"}),
            ),
        )
    [problem] = raised.value.problems
    assert problem.field == "numerator_column"  # on the field it is about, in words
    assert str(problem.message) == (
        "‘council’ holds text, so it cannot be added up. Choose a column of numbers, or count "
        "rows instead."
    )


def test_columns_added_up_in_words_and_direction_in_words(dataset_with_data):
    """A numerator of two columns, ticked on the form; "lower is better" written as words."""
    officer, dataset = dataset_with_data
    client = Client()
    client.force_login(officer)
    page = client.get(f"/data/datasets/{dataset.slug}/indicators/new/").content.decode()
    assert 'type="checkbox" value="smokers"' in page and "Lower is better" in page
    response = client.post(
        f"/data/datasets/{dataset.slug}/indicators/new/",
        {
            "title_en": "Smokers and surveyed",
            "title_cy": "Ysmygwyr ac arolygwyd",
            "aggregation": "sum",
            "numerator_column": ["smokers", "surveyed"],
            "council_column": "council",
            "period_column": "surveyed_on",
            "grain": "financial_year",
            "unit": "count",
            "polarity": "lower_is_better",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    indicator = Indicator.objects.get(title_en="Smokers and surveyed")
    assert indicator.specification["numerator"]["column"] == ["smokers", "surveyed"]
    call_command("worker", "--batch")
    cardiff = IndicatorValue.objects.get(
        indicator=indicator, council__gss_code="W06000015", period="2023-24"
    )
    assert cardiff.value == 30 + 200 + 0 + 0  # both rows of "Cardiff" / "Caerdydd"
    method = client.get(f"/data/indicators/{indicator.slug}/").content.decode()
    assert "the sum of “smokers”, “surveyed” in each row" in method

    words = services.create_indicator(
        actor=officer,
        dataset=dataset,
        indicator_in=IndicatorIn(
            title_en="Smoking", title_cy="Ysmygu", specification=spec(polarity="Lower is better")
        ),
    )
    assert words.polarity == words.specification["polarity"] == "lower_is_better"


@pytest.mark.parametrize(
    ("numerator", "field", "message"),
    [
        (
            {"aggregation": "sum", "column": ["smokers", 3]},
            "numerator_column",
            "Name each column to add up as text",
        ),
        (
            {"aggregation": "count_distinct", "column": ["smokers", "surveyed"]},
            "numerator_column",
            "Only a sum adds up several columns",
        ),
        (
            {"aggregation": "sum", "column": ["smokers", "smoked"]},
            "numerator_column",
            "The data has no column ‘smoked’",
        ),
        (
            {"aggregation": "sum", "column": ["smokers", "smokers"]},
            "numerator_column",
            "A column is named more than once",
        ),
    ],
)
def test_a_list_of_columns_gets_a_problem_on_its_field(
    dataset_with_data, numerator, field, message
):
    officer, dataset = dataset_with_data
    with pytest.raises(InvalidInput) as raised:
        services.create_indicator(
            actor=officer,
            dataset=dataset,
            indicator_in=IndicatorIn(
                title_en="Bad", title_cy="Drwg", specification=spec(numerator=numerator)
            ),
        )
    [problem] = raised.value.problems
    assert problem.field == field
    assert str(problem.message).startswith(message)


LABELLED = "council,year,smokers\nCardiff,2022-23,30\nCardiff,2023-24,25\nNewport,2023-24,10\n"


def test_periods_written_as_labels_are_used_as_they_are(make_dataset, make_person):
    """A StatsWales-like "2023-24" column, grouped by financial year as the form suggests."""
    officer = make_person("officer")
    dataset = make_dataset("Smoking by year", actor=officer, visibility="public")
    upload_file(
        actor=officer, dataset=dataset, chunks=[LABELLED.encode()], original_name="years.csv"
    )
    call_command("worker", "--batch")
    labelled = spec(
        numerator={"aggregation": "sum", "column": "smokers"},
        denominator=None,
        unit="count",
        period={"column": "year", "grain": "financial_year"},
    )
    indicator = services.create_indicator(
        actor=officer,
        dataset=dataset,
        indicator_in=IndicatorIn(title_en="Smokers", title_cy="Ysmygwyr", specification=labelled),
    )
    assert indicator.specification["period"] == {"column": "year", "grain": "as_recorded"}
    call_command("worker", "--batch")
    periods = set(
        IndicatorValue.objects.filter(indicator=indicator).values_list("period", flat=True)
    )
    assert periods == {"2022-23", "2023-24"}
    # Labels of another kind are refused on the field, naming a value that does not fit.
    client = Client()
    client.force_login(officer)
    page = client.post(
        f"/cy/data/datasets/{dataset.slug}/indicators/new/",
        {
            "title_en": "Smokers",
            "title_cy": "Ysmygwyr",
            "aggregation": "sum",
            "numerator_column": "smokers",
            "council_column": "council",
            "period_column": "year",
            "grain": "quarter",
            "unit": "count",
            "polarity": "neither",
        },
    ).text
    start = page.index("govuk-error-summary")
    summary = page[start : page.index("</ul>", start)]
    assert 'href="#id_grain"' in summary and "2023-Q1" in summary
    assert "Mae ‘year’ yn dal gwerthoedd fel ‘202" in summary  # a value, in Welsh


def test_the_indicator_form(dataset_with_data):
    officer, dataset = dataset_with_data
    client = Client()
    client.force_login(officer)
    page = client.get(f"/data/datasets/{dataset.slug}/indicators/new/").content.decode()
    assert 'type="checkbox" value="smokers"' in page
    response = client.post(
        f"/data/datasets/{dataset.slug}/indicators/new/",
        {
            "title_en": "Smokers",
            "title_cy": "Ysmygwyr",
            "aggregation": "sum",
            "numerator_column": "smokers",
            "denominator_column": "",
            "council_column": "council",
            "period_column": "surveyed_on",
            "grain": "year",
            "unit": "count",
            "polarity": "neither",
        },
    )
    assert response.status_code == 302
    call_command("worker", "--batch")
    page = client.get(response["Location"]).content.decode()
    assert "2023" in page and "Cardiff Capital Region" in page
    # Counts are not compared with the region (whose count is the councils' sum).
    councils = IndicatorValue.objects.filter(council__isnull=False)
    assert set(councils.values_list("comparison", flat=True)) == {"not_compared"}
    assert "Counts are not compared: a council's count against a total" in page


def test_a_new_version_recomputes_the_indicators(dataset_with_data):
    officer, dataset = dataset_with_data
    indicator = services.create_indicator(
        actor=officer,
        dataset=dataset,
        indicator_in=(IndicatorIn(title_en="Smoking", title_cy="Ysmygu", specification=spec())),
    )
    call_command("worker", "--batch")
    more = SMOKING + "Torfaen,2024-06-01,7,70\n"
    upload_file(
        actor=officer, dataset=dataset, chunks=[more.encode()], original_name="smoking-2.csv"
    )
    call_command("worker", "--batch")  # the ingest, which queues the recomputation
    call_command("worker", "--batch")
    torfaen = IndicatorValue.objects.get(indicator=indicator, council__gss_code="W06000020")
    assert torfaen.value == 10.0 and torfaen.version.number == 2


def test_the_public_sees_small_numbers_suppressed_and_unrecoverable(dataset_with_data, make_person):
    officer, dataset = dataset_with_data
    indicator = services.create_indicator(
        actor=officer,
        dataset=dataset,
        indicator_in=(IndicatorIn(title_en="Smoking", title_cy="Ysmygu", specification=spec())),
    )
    call_command("worker", "--batch")
    public = Client().get(f"/data/indicators/{indicator.slug}/").content.decode()
    # 2024-25: Blaenau Gwent 60 of 100, Newport 5 of 100 -> Newport is not small (5 is shown);
    # 2023-24: Cardiff 30, Newport 10 -> nothing small. Add a period with a small count.
    assert "Suppressed" not in public
    from infuse.datalab.indicators.publishing import protect_period
    from infuse.datalab.models import IndicatorValue as Value

    rows = list(Value.objects.filter(indicator=indicator, period="2024-25"))
    newport = next(v for v in rows if v.council and v.council.gss_code == "W06000022")
    newport.numerator = 3  # below the threshold
    region_row = next(v for v in rows if v.council is None)
    region_row.numerator = sum(v.numerator for v in rows if v.council is not None)
    shown = {(v.council.gss_code if v.council else "region"): v for v in protect_period(rows)}
    assert shown["W06000022"].suppressed and shown["W06000022"].value is None
    assert shown["W06000022"].flag == "suppressed"
    # With only Newport hidden, region minus Blaenau Gwent would give it away: so the
    # complement (Blaenau Gwent here, the only other council) is hidden too.
    hidden = sorted(k for k, v in shown.items() if v.suppressed and k != "region")
    assert hidden == ["W06000019", "W06000022"]
    if not shown["region"].suppressed:
        visible = sum(v.numerator for k, v in shown.items() if k != "region" and not v.suppressed)
        assert shown["region"].numerator - visible == 63  # only the hidden pair's sum
    staff = Client()
    staff.force_login(make_person("analyst"))
    assert "Suppressed" not in staff.get(f"/data/indicators/{indicator.slug}/").content.decode()


def test_the_indicator_form_filters_rows(dataset_with_data):
    officer, dataset = dataset_with_data
    client = Client()
    client.force_login(officer)
    form = {
        "title_en": "Big samples",
        "title_cy": "Samplau mawr",
        "aggregation": "count",
        "numerator_column": "",
        "denominator_column": "",
        "filter_column": "smokers",
        "filter_operator": ">=",
        "filter_value": "ten",
        "council_column": "council",
        "period_column": "surveyed_on",
        "grain": "year",
        "unit": "count",
        "polarity": "neither",
    }
    url = f"/data/datasets/{dataset.slug}/indicators/new/"
    refused = client.post(url, form)
    assert refused.status_code == 400
    assert "Enter a number: the column holds numbers" in refused.content.decode()
    response = client.post(url, {**form, "filter_value": "10"})
    assert response.status_code == 302
    call_command("worker", "--batch")
    indicator = Indicator.objects.get(title_en="Big samples")
    assert indicator.specification["filters"] == [
        {"column": "smokers", "operator": ">=", "value": 10}
    ]
    counts = {
        (v.council.gss_code, v.period): v.numerator
        for v in IndicatorValue.objects.filter(indicator=indicator, council__isnull=False)
    }
    # 2023: Cardiff 30 (Caerdydd's 0 is left out), Newport 10; 2024: Blaenau Gwent 60 (not
    # Newport's 5).
    assert counts == {
        ("W06000015", "2023"): 1,
        ("W06000022", "2023"): 1,
        ("W06000019", "2024"): 1,
    }


def test_recompute_replaces_stored_values_and_keeps_flags(dataset_with_data, make_person):
    """Stored values computed by older code (here: a region value made wrong by hand) are put
    right by `infuse data recompute`; flags stay; only people who may change the dataset may."""
    officer, dataset = dataset_with_data
    indicator = services.create_indicator(
        actor=officer,
        dataset=dataset,
        indicator_in=IndicatorIn(title_en="Smoking", title_cy="Ysmygu", specification=spec()),
    )
    call_command("worker", "--batch")
    region = IndicatorValue.objects.get(indicator=indicator, council=None, period="2023-24")
    right = region.value
    IndicatorValue.objects.filter(pk=region.pk).update(value=99.0, flag="provisional")

    with pytest.raises(CommandError):
        call_command("data", "recompute", indicator.slug, "--as", make_person("supplier").email)
    with pytest.raises(CommandError, match="--all"):
        call_command("data", "recompute", "--as", officer.email)
    call_command("data", "recompute", "--all", "--as", officer.email)

    region = IndicatorValue.objects.get(indicator=indicator, council=None, period="2023-24")
    assert region.value == right and region.flag == "provisional"


ELSEWHERE = (
    "council,surveyed_on,smokers,surveyed\n"
    "Cardiff,2023-05-01,30,200\n"
    "Gwynedd,2023-05-01,12,90\n"
    "Gwynedd,2023-06-01,8,60\n"
    "Not stated,2023-05-01,1,10\n"
    "Wales,2023-05-01,400,3000\n"
)


def test_areas_outside_the_region_are_listed_with_their_rows(make_dataset, make_person, tmp_path):
    """Other Welsh councils and "Not stated" are left out of the values, and said so on the
    page (both languages), in the API and by the command; Wales is a benchmark, not left out."""
    officer = make_person("officer")
    dataset = make_dataset("Smoking in Wales", actor=officer, visibility="public")
    upload_file(
        actor=officer, dataset=dataset, chunks=[ELSEWHERE.encode()], original_name="wales.csv"
    )
    call_command("worker", "--batch")
    definition = tmp_path / "spec.json"
    definition.write_text(json.dumps(spec()))
    out = io.StringIO()
    call_command(
        "data",
        "indicator",
        dataset.slug,
        "--spec",
        str(definition),
        "--title-en",
        "Smoking",
        "--title-cy",
        "Ysmygu",
        "--as",
        officer.email,
        stdout=out,
    )
    said = out.getvalue()
    assert "Areas in the data left out (not councils of the region):" in said
    assert "  - Gwynedd: 2 rows\n  - Not stated: 1 row" in said
    indicator = Indicator.objects.get(dataset=dataset)
    assert indicator.excluded_areas == {
        "areas": [{"area": "Gwynedd", "rows": 2}, {"area": "Not stated", "rows": 1}],
        "more_areas": 0,
        "more_rows": 0,
    }
    region = IndicatorValue.objects.get(indicator=indicator, council__isnull=True)
    assert (region.numerator, region.denominator) == (30, 200)  # Cardiff's rows alone
    page = Client().get(f"/data/indicators/{indicator.slug}/").content.decode()
    assert "Areas left out" in page and "Gwynedd: 2 rows" in page and "Wales: " not in page
    welsh = Client().get(f"/cy/data/indicators/{indicator.slug}/").content.decode()
    assert "Ardaloedd a adawyd allan" in welsh and "Gwynedd: 2 rhes" in welsh
    api = Client().get(f"/api/v1/data/indicators/{indicator.slug}").json()
    assert api["excluded_areas"]["areas"][0] == {"area": "Gwynedd", "rows": 2}


def test_a_column_of_many_small_areas_keeps_the_fifty_largest_by_name() -> None:
    from infuse.datalab.indicators.metadata import areas_left_out
    from infuse.datalab.indicators.tasks import excluded_areas

    unmatched = [(f"LSOA {n:04d}", 1000 - n) for n in range(120)]
    kept = excluded_areas(unmatched)
    assert len(kept["areas"]) == 50 and kept["areas"][0] == {"area": "LSOA 0000", "rows": 1000}
    assert (kept["more_areas"], kept["more_rows"]) == (70, sum(1000 - n for n in range(50, 120)))
    assert areas_left_out(kept)[-1] == "and 70 more areas (64,085 rows)"
    assert areas_left_out(kept)[0] == "LSOA 0000: 1,000 rows"
