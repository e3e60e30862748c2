"""The home page's live figures against the records: open challenges and their deadlines,
the fund's totals, the latest findings, indicators that moved, new datasets; each linked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from infuse.adaption.models import AnalysisRun
from infuse.core.models import Person
from infuse.datalab.indicators.services import published_values
from infuse.datalab.models import Dataset, Indicator
from infuse.fund.models import Fund
from infuse.procurement.models import Phase
from tests.clients import signed_in_as

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_public_home_shows_the_region_now(demo):
    now = timezone.now()
    phase = Phase.objects.select_related("challenge").order_by("pk").last()
    Phase.objects.filter(pk=phase.pk).update(
        opens_at=now - dt.timedelta(days=1),
        clarification_deadline=now + dt.timedelta(days=2),
        submission_deadline=now + dt.timedelta(days=9),
    )
    home = Client().get("/").text
    assert f'href="/procurement/challenges/{phase.challenge.slug}/"' in home
    assert (now + dt.timedelta(days=9)).strftime("%-d %B %Y") in home
    fund = Fund.objects.get()
    for pence in (fund.allocated_pence, fund.committed_pence, fund.paid_pence):
        assert f"£{pence / 100:,.0f}" in home or f"£{pence / 100:,.2f}" in home
    analysed = AnalysisRun.objects.filter(state="done", experiment__public=True)
    for run in analysed:
        assert run.experiment.get_absolute_url() in home
    newest = Dataset.objects.filter(visibility="public").order_by("-created_at").first()
    assert f'href="/data/datasets/{newest.slug}/"' in home
    assert 'href="/about/"' in home and 'href="/what-works/"' in home
    welsh = Client().get("/cy/").text
    assert "Latest findings" not in welsh and "Challenges open for bids" not in welsh


def test_an_indicator_is_shown_as_moved_only_when_its_interval_excludes_the_last_value(demo):
    home = Client().get("/").text
    for indicator in Indicator.objects.all():
        region = [
            v for v in published_values(actor=None, indicator=indicator).values if not v.area_code
        ]
        region.sort(key=lambda v: v.period, reverse=True)
        if len(region) < 2 or region[0].ci_low is None or region[1].value is None:
            continue
        moved = not (region[0].ci_low <= region[1].value <= region[0].ci_high)
        assert (f'href="/data/indicators/{indicator.slug}/"' in home) == moved, indicator.slug


def test_signed_in_the_persons_own_work_comes_first(demo):
    officer = Person.objects.get(email="officer@infuse.example")
    home = signed_in_as(officer).get("/").text
    assert home.index("Your work") < home.index("The region at a glance")
    assert "Officer at Cardiff" in home
