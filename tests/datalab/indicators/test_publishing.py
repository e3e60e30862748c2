"""An indicator as people see it: charts, flags, exports and the API, disclosure-controlled."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook

from infuse.core import services as core_services
from infuse.core.models import AuditEvent
from infuse.datalab.ingest.services import upload_file
from infuse.datalab.models import IndicatorValue
from tests.datalab.indicators.conftest import HIDDEN, SURVEY

pytestmark = pytest.mark.django_db(transaction=True)


def staff_client(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def assert_unrecoverable(rows: list[dict]) -> None:
    """Try to get each hidden numerator back by subtracting visible ones from the total."""
    by_period: dict[str, list[dict]] = {}
    for row in rows:
        by_period.setdefault(row["period"], []).append(row)
    for period_rows in by_period.values():
        region = next(r for r in period_rows if not r["area_code"])
        councils = [r for r in period_rows if r["area_code"]]
        hidden = [r for r in councils if r["numerator"] in (None, "")]
        if region["numerator"] in (None, "") or not hidden:
            continue
        visible = sum(float(r["numerator"]) for r in councils if r not in hidden)
        # Subtraction gives only the sum of the hidden ones: never one of them on its own.
        assert len(hidden) != 1, f"{hidden[0]['area']} = {float(region['numerator']) - visible}"


def test_the_page_shows_trend_funnel_and_league_table(indicator):
    page = staff_client(indicator.officer).get(f"/data/indicators/{indicator.slug}/")
    html = page.content.decode()
    assert 'class="infuse-chart"' in html and "Funnel plot, 2024-25" in html
    # The officer works for Cardiff: the trend shows Cardiff first.
    assert "Cardiff and the region, period by period" in html
    torfaen = staff_client(indicator.officer).get(
        f"/data/indicators/{indicator.slug}/?council=W06000020&period=2023-24"
    )
    html = torfaen.content.decode()
    assert "Torfaen and the region, period by period" in html
    assert "Funnel plot, 2023-24" in html
    welsh = Client().get(f"/cy/data/indicators/{indicator.slug}/").content.decode()
    assert "Plot twndis" in welsh and "Ysmygu" in welsh


def test_the_public_page_never_plots_a_hidden_value(indicator):
    html = Client().get(f"/data/indicators/{indicator.slug}/?council=W06000022").content.decode()
    assert "Suppressed" in html
    funnel_table = html[html.index("Councils against the funnel") : html.index('id="league"')]
    assert "Newport" not in funnel_table and "Bridgend" not in funnel_table
    assert "Torfaen" in funnel_table
    trend = html[html.index("Newport and the region") : html.index('id="funnel"')]
    assert "Not shown" in trend  # 2024-25


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "json", "parquet"])
def test_exports_are_disclosure_controlled_for_the_public(indicator, file_format):
    url = f"/data/indicators/{indicator.slug}/values.{file_format}"
    public = Client().get(url)
    assert public.status_code == 200
    assert f'filename="{indicator.slug}.{file_format}"' in public["Content-Disposition"]
    rows = read_export(public.content, file_format)
    hidden = {r["area_code"] for r in rows if r["period"] == "2024-25" and not r["numerator"]}
    assert hidden >= HIDDEN
    assert all(
        r["flag"] == "suppressed"
        for r in rows
        if r["area_code"] in hidden and r["period"] == "2024-25"
    )
    assert_unrecoverable(rows)
    staff = read_export(staff_client(indicator.officer).get(url).content, file_format)
    newport = next(r for r in staff if r["area_code"] == "W06000022" and r["period"] == "2024-25")
    assert float(newport["numerator"]) == 3


def read_export(content: bytes, file_format: str) -> list[dict]:
    if file_format == "csv":
        return list(csv.DictReader(io.StringIO(content.decode())))
    if file_format == "json":
        return json.loads(content)
    if file_format == "parquet":
        frame = pd.read_parquet(io.BytesIO(content))
        return [
            {k: (None if isinstance(v, float) and v != v else v) for k, v in r.items()}
            for r in frame.to_dict(orient="records")
        ]
    sheet = load_workbook(io.BytesIO(content)).active
    header, *body = list(sheet.values)
    return [dict(zip(header, row, strict=True)) for row in body]


def test_the_api_serves_values_with_the_same_protection(indicator):
    public = Client().get(f"/api/v1/data/indicators/{indicator.slug}/values").json()
    assert public["disclosure_control"] == "suppression"
    assert_unrecoverable(public["values"])
    hidden = {
        v["area_code"] for v in public["values"] if v["period"] == "2024-25" and v["value"] is None
    }
    assert hidden >= HIDDEN
    token = core_services.create_api_token(actor=indicator.officer, name="t").secret
    staff = (
        Client()
        .get(
            f"/api/v1/data/indicators/{indicator.slug}/values",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        .json()
    )
    assert staff["disclosure_control"] == "none"
    assert all(v["value"] is not None for v in staff["values"])
    listed = Client().get("/api/v1/data/indicators").json()
    assert [i["slug"] for i in listed] == [indicator.slug]
    one = Client().get(f"/api/v1/data/indicators/{indicator.slug}").json()
    assert one["unit"] == "percentage" and one["title_cy"] == "Ysmygu"


def test_rounding_to_base_five_instead_of_suppression(indicator, settings):
    settings.DISCLOSURE_METHOD = "rounding"
    values = Client().get(f"/api/v1/data/indicators/{indicator.slug}/values").json()
    assert values["disclosure_control"] == "rounding"
    by_area = {(v["area_code"], v["period"]): v for v in values["values"]}
    newport = by_area[("W06000022", "2024-25")]
    assert newport["numerator"] == 5 and newport["value"] == pytest.approx(5.0)  # 3 → 5
    assert by_area[("W06000015", "2024-25")]["numerator"] == 35  # 36 → 35
    # The region's total is rounded on its own: 104 → 105.
    assert by_area[("", "2024-25")]["numerator"] == 105
    assert all(v["numerator"] % 5 == 0 for v in values["values"])
    html = Client().get(f"/data/indicators/{indicator.slug}/").content.decode()
    assert "rounded to a multiple of 5" in html


def test_an_officer_flags_a_value_and_the_flag_survives_recomputation(indicator):
    officer = indicator.officer
    cardiff = IndicatorValue.objects.get(
        indicator=indicator, council__gss_code="W06000015", period="2024-25"
    )
    client = staff_client(officer)
    url = f"/data/indicators/{indicator.slug}/values/{cardiff.pk}/flag/"
    assert "Provisional" in client.get(url).content.decode()
    bad = client.post(url, {"flag": "invented"})
    assert bad.status_code == 200 and "govuk-error-summary" in bad.content.decode()
    assert client.post(url, {"flag": "provisional"}).status_code == 302
    assert AuditEvent.objects.filter(action="indicator.value-flagged").count() == 1
    page = Client().get(f"/data/indicators/{indicator.slug}/").content.decode()
    assert "Provisional" in page
    # A new version recomputes every value; the flag stays with Cardiff, 2024-25.
    upload_file(
        actor=officer,
        dataset=indicator.dataset,
        chunks=[(SURVEY + "Torfaen,2024-07-01,2,10\n").encode()],
        original_name="s2.csv",
    )
    call_command("worker", "--batch")
    call_command("worker", "--batch")
    again = IndicatorValue.objects.get(
        indicator=indicator, council__gss_code="W06000015", period="2024-25"
    )
    assert again.pk != cardiff.pk and again.version.number == 2 and again.flag == "provisional"
    api = Client().get(f"/api/v1/data/indicators/{indicator.slug}/values").json()
    assert any(v["flag"] == "provisional" for v in api["values"])


def test_only_people_who_may_change_the_dataset_set_flags(indicator, make_person):
    value = IndicatorValue.objects.filter(indicator=indicator).first()
    url = f"/data/indicators/{indicator.slug}/values/{value.pk}/flag/"
    newport_evaluator = staff_client(make_person("evaluator"))
    assert newport_evaluator.get(url).status_code == 403
    assert newport_evaluator.post(url, {"flag": "estimated"}).status_code == 403
    assert Client().get(url).status_code == 302  # to sign in
    assert IndicatorValue.objects.get(pk=value.pk).flag == ""


@pytest.mark.django_db
def test_every_page_hides_the_same_councils_whatever_order_it_reads_them_in():
    """Two councils tying as the cell to hide beside a small count used to be chosen by the
    order the rows came in: the indicator page (database order) and the council pages (name
    order) then hid different ones, and subtraction from the region's total recovered the
    small count."""
    from infuse.core.models import Council
    from infuse.datalab.indicators.publishing import protect_period

    councils = list(Council.objects.order_by("gss_code"))
    counts = [3, 7, 7, 20, 25, 30, 35, 40, 45, 50]

    def value(council, numerator):
        return _shown(council, float(numerator), 100.0, value=float(numerator))

    rows = [value(c, n) for c, n in zip(councils, counts, strict=True)]
    region = value(None, sum(counts))
    hidden = [
        {
            v.council_id
            for v in protect_period([*order, region], method="suppression")
            if v.suppressed
        }
        for order in (rows, rows[::-1], sorted(rows, key=lambda v: v.council.name_en))
    ]
    assert hidden[0] == hidden[1] == hidden[2] and len(hidden[0]) >= 2


def _shown(council, numerator, denominator, value=None):
    """One council's (or the region's) value for 2024-25, as publishing receives it."""
    from infuse.datalab.indicators.publishing import ShownValue

    return ShownValue(
        id=council.pk if council else 0,
        council=council,
        period="2024-25",
        numerator=numerator,
        denominator=denominator,
        value=value,
        ci_low=None,
        ci_high=None,
        comparison="",
        flag="",
    )


def _public(indicator) -> dict[tuple[str, str], dict]:
    """The values a signed-out reader gets, worked out afresh (not a kept answer)."""
    cache.clear()
    values = Client().get(f"/api/v1/data/indicators/{indicator.slug}/values").json()["values"]
    return {(v["area_code"], v["period"]): v for v in values}


def test_the_public_view_is_decided_once_when_the_values_are_computed(indicator, monkeypatch):
    """Computing the values decides what the public sees of each period; readers reuse it and
    see exactly what deciding again would show."""
    from infuse.datalab.indicators import publishing
    from infuse.datalab.models import DisclosedPeriod

    periods = set(
        IndicatorValue.objects.filter(indicator=indicator).values_list("period", flat=True)
    )
    assert (
        set(DisclosedPeriod.objects.filter(indicator=indicator).values_list("period", flat=True))
        == periods
    )
    decided_again = _public(indicator)
    DisclosedPeriod.objects.filter(indicator=indicator).delete()
    expected = _public(indicator)  # decided afresh (and stored again)
    assert decided_again == expected

    def refuse(*args, **kwargs):
        raise AssertionError("decided again although nothing changed")

    monkeypatch.setattr(publishing, "protect_period", refuse)
    assert _public(indicator) == expected
    cache.clear()
    page = Client().get(f"/cy/data/indicators/{indicator.slug}/")
    assert page.status_code == 200


def test_a_changed_count_is_decided_again(indicator):
    before = _public(indicator)
    assert before[("W06000015", "2024-25")]["numerator"] is not None
    # Cardiff's count falls below the threshold: it must now be hidden, whatever was stored.
    IndicatorValue.objects.filter(
        indicator=indicator, council__gss_code="W06000015", period="2024-25"
    ).update(numerator=2)
    after = _public(indicator)
    assert after[("W06000015", "2024-25")]["numerator"] is None
    assert_unrecoverable(list(after.values()))


@pytest.mark.django_db
def test_rounding_never_makes_a_share_pass_its_whole_or_a_missing_count_zero():
    """3 of 4 rounds to 5 of 4 (Wilson's interval refused it: a public page failed), and a
    missing count was published as 0%."""
    from infuse.core.models import Council
    from infuse.datalab.indicators.publishing import protect_period

    cardiff, newport = Council.objects.order_by("gss_code")[:2]

    shown = protect_period(
        [_shown(cardiff, 3.0, 4.0), _shown(newport, None, 50.0), _shown(None, 3.0, 54.0)],
        unit="percentage",
        method="rounding",
    )
    by_area = {v.council_id: v for v in shown}
    assert by_area[cardiff.pk].numerator == 4.0 and by_area[cardiff.pk].value == 100.0
    assert by_area[newport.pk].numerator is None and by_area[newport.pk].value is None
    assert by_area[newport.pk].ci_low is None and by_area[newport.pk].ci_high is None
