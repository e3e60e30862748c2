"""Council profiles: the council's own work, its indicator values against the region as each
reader may see them (disclosure control for the public), in both languages and the API."""

from __future__ import annotations

import pytest
from django.db.models import Q
from django.test import Client
from django.utils.html import escape

from infuse.core.models import Council, Person
from infuse.datalab.indicators.services import published_values
from infuse.datalab.models import Indicator
from infuse.procurement.models import Challenge

pytestmark = pytest.mark.django_db(transaction=True)


def test_each_council_shows_its_own_work(demo):
    from infuse.adaption.models import Experiment

    client = Client()
    for council in Council.objects.all():
        body = client.get(f"/api/v1/councils/{council.slug}").json()
        challenges = Challenge.objects.filter(
            Q(councils=council) | Q(owner__council=council), published_at__isnull=False
        ).distinct()
        assert {c["slug"] for c in body["work"]["challenges"]} == set(
            challenges.values_list("slug", flat=True)
        )
        experiments = {e["slug"] for e in body["work"]["experiments"]}
        assert experiments <= set(
            Experiment.objects.filter(councils=council).values_list("slug", flat=True)
        )
        assert all(d["slug"] for d in body["work"]["datasets"])
        page = client.get(f"/councils/{council.slug}/")
        assert page.status_code == 200 and escape(council.name_en) in page.text
        welsh = client.get(f"/cy/councils/{council.slug}/").text
        assert escape(council.name_cy) in welsh
    assert client.get("/councils/no-such-council/").status_code == 404


def test_a_councils_values_are_the_ones_its_indicator_page_publishes(demo):
    """The public sees the disclosure-controlled value, exactly as the indicator page shows it;
    people of the region see the value as computed."""
    officer = Person.objects.get(email="officer@infuse.example")
    compared = 0
    for reader, client in ((None, Client()), (officer, Client())):
        if reader is not None:
            client.force_login(reader)
        for council in Council.objects.all():
            body = client.get(f"/api/v1/councils/{council.slug}").json()
            for line in body["values"]:
                indicator = Indicator.objects.get(slug=line["indicator"])
                published = published_values(actor=reader, indicator=indicator).values
                latest = max(v.period for v in published)
                mine = next(
                    v for v in published if v.area_code == council.gss_code and v.period == latest
                )
                assert line["period"] == latest
                assert line["value"] == mine.value and line["comparison"] == mine.comparison
                compared += 1
    assert compared > 0


def test_the_council_index_lists_all_ten():
    page = Client().get("/councils/").text
    for council in Council.objects.all():
        assert f'href="/councils/{council.slug}/"' in page


def test_the_spine_compares_with_wales_from_the_datas_own_rows(demo):
    from infuse.datalab.models import BenchmarkValue

    client = Client()
    body = client.get("/api/v1/councils/cardiff?compare=wales").json()
    assert body["compared_with"] == "wales"
    births = next(r for r in body["spine"] if r["indicator"] == "low-birth-weight")
    wales = BenchmarkValue.objects.get(indicator__slug="low-birth-weight", period=births["period"])
    assert births["comparator_value"] == pytest.approx(wales.value)
    from infuse.datalab.models import IndicatorValue

    cardiff = IndicatorValue.objects.get(
        indicator__slug="low-birth-weight", council__slug="cardiff", period=births["period"]
    )
    if cardiff.ci_low <= wales.value <= cardiff.ci_high:
        expected = "similar"
    else:  # higher is worse
        expected = "worse" if cardiff.value > wales.value else "better"
    assert births["comparison"] == expected
    page = client.get("/councils/cardiff/?compare=wales").text
    assert "against Wales" in page and "selected>Wales</option>" in page
    assert escape(f"{births['comparator_value']:.1f}%") in page


def test_the_spine_keeps_to_a_goal_and_ignores_unknown_choices(demo):
    client = Client()
    everything = client.get("/api/v1/councils/cardiff").json()
    healthier = client.get("/api/v1/councils/cardiff?goal=healthier").json()
    tagged = set(Indicator.objects.filter(goals__code="healthier").values_list("slug", flat=True))
    assert {r["indicator"] for r in healthier["spine"]} == {
        r["indicator"] for r in everything["spine"]
    } & tagged
    unknown = client.get("/api/v1/councils/cardiff?compare=nothing&goal=%00&theme=zzz").json()
    assert unknown["compared_with"] == "region" and len(unknown["spine"]) == len(
        everything["spine"]
    )
    assert client.get("/councils/cardiff/?goal=%00&compare=%00").status_code == 200


def test_the_spine_agrees_with_the_indicator_values(demo):
    """Each row's value, region value and comparison are the published ones."""
    officer = Person.objects.get(email="officer@infuse.example")
    for reader, client in ((None, Client()), (officer, Client())):
        if reader is not None:
            client.force_login(reader)
        body = client.get("/api/v1/councils/newport").json()
        assert body["spine"]
        for row in body["spine"]:
            published = published_values(
                actor=reader, indicator=Indicator.objects.get(slug=row["indicator"])
            ).values
            mine = next(
                v for v in published if v.area_code == "W06000022" and v.period == row["period"]
            )
            region = next(v for v in published if v.area_code == "" and v.period == row["period"])
            assert row["value"] == mine.value and row["comparison"] == mine.comparison
            assert row["comparator_value"] == region.value
            shown = [
                v.value
                for v in published
                if v.area_code and v.period == row["period"] and v.value is not None
            ]
            assert row["lowest"] == pytest.approx(min(shown))
            assert row["highest"] == pytest.approx(max(shown))
