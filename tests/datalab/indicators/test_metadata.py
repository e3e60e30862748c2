"""What a reader learns about an indicator: its method written from its definition, the
details people write (checked, audited), and whether its data is up to date."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from infuse.core.errors import InvalidInput, PermissionDenied
from infuse.core.models import AuditEvent, Notification
from infuse.datalab.catalogue.freshness import freshness, overdue_for_publisher
from infuse.datalab.catalogue.reminders import daily_reminders, remind_overdue
from infuse.datalab.indicators import services
from infuse.datalab.indicators.metadata import method_sentences
from infuse.datalab.indicators.schemas import IndicatorDetailsIn
from infuse.datalab.models import DatasetVersion
from tests.datalab.indicators.test_indicators import spec

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_method_is_read_from_the_definition():
    said = method_sentences(spec())
    assert said[0] == "Numerator: the sum of “smokers”."
    assert said[1] == "Denominator: the sum of “surveyed”."
    assert "percentage of the denominator" in said[2]
    assert "financial year (April to March)" in said[3] and "“surveyed_on”" in said[3]
    assert any("Wilson" in s for s in said)
    counted = method_sentences(
        spec(numerator={"aggregation": "count"}, denominator=None, unit="count")
    )
    assert counted[0] == "Numerator: the number of rows." and not any(
        s.startswith("Denominator") for s in counted
    )
    assert not any("compared with the region" in s for s in counted)
    filtered = spec(filters=[{"column": "council", "operator": "=", "value": "Cardiff"}])
    assert any("filters" in s for s in method_sentences(filtered))
    assert method_sentences({"numerator": {}}) == []
    with translation.override("cy"):
        assert method_sentences(spec())[0] != said[0]


def _details(**changes):
    base = {"title_en": "Smoking", "title_cy": "Ysmygu", "source_en": "StatsWales"}
    return IndicatorDetailsIn(**{**base, **changes})


def test_details_are_checked_saved_and_audited(indicator):
    officer = indicator.officer
    with pytest.raises(InvalidInput) as refused:
        services.update_indicator(
            actor=officer,
            indicator=indicator,
            details_in=_details(title_cy=" ", source_url="javascript:alert(1)"),
        )
    assert {p.field for p in refused.value.problems} == {"title_cy", "source_url"}
    indicator.refresh_from_db()
    assert indicator.source_en in ("", None)  # nothing stored from a refused change
    services.update_indicator(
        actor=officer,
        indicator=indicator,
        details_in=_details(
            rationale_en="Smoking harms.",
            rationale_cy="Mae ysmygu'n niweidio.",
            caveats_en="Self-reported.",
            source_url="https://statswales.gov.wales/",
            goals=["healthier"],
        ),
    )
    indicator.refresh_from_db()
    assert (
        indicator.rationale_cy == "Mae ysmygu'n niweidio." and indicator.source_en == "StatsWales"
    )
    assert list(indicator.goals.values_list("code", flat=True)) == ["healthier"]
    event = AuditEvent.objects.get(action="indicator.updated")
    assert event.after["source_en"] == "StatsWales" and "title_en" not in event.after


def test_only_the_publisher_changes_the_details(indicator, make_person):
    with pytest.raises(PermissionDenied):
        services.update_indicator(
            actor=make_person("supplier"), indicator=indicator, details_in=_details()
        )


def test_the_details_page_and_the_indicator_page(indicator):
    client = Client()
    client.force_login(indicator.officer)
    url = f"/data/indicators/{indicator.slug}/change/"
    page = client.get(url)
    assert page.status_code == 200 and 'value="Smoking"' in page.text
    refused = client.post(url, {"title_en": "Smoking", "title_cy": "", "caveats_en": "Kept"})
    assert refused.status_code == 400 and "Kept" in refused.text
    done = client.post(
        url,
        {"title_en": "Smoking", "title_cy": "Ysmygu", "caveats_en": "Self-reported."},
        follow=True,
    )
    assert "Indicator details saved." in done.text and "Self-reported." in done.text
    public = Client().get(f"/data/indicators/{indicator.slug}/").text
    assert "How it is worked out" in public and "Numerator: the sum of" in public
    assert "Change the indicator&#x27;s details" not in public


def test_the_api_gives_and_changes_the_details(indicator):
    body = Client().get(f"/api/v1/data/indicators/{indicator.slug}").json()
    assert body["method"][0].startswith("Numerator") and body["overdue"] is False
    client = Client()
    client.force_login(indicator.officer)
    changed = client.put(
        f"/api/v1/data/indicators/{indicator.slug}",
        {"title_en": "Smoking", "title_cy": "Ysmygu", "source_en": "ONS", "source_cy": "SYG"},
        "application/json",
    )
    assert changed.status_code == 200 and changed.json()["source_cy"] == "SYG"
    assert Client().put(
        f"/api/v1/data/indicators/{indicator.slug}", {}, "application/json"
    ).status_code in (401, 422, 400)


def test_a_dataset_past_its_stated_frequency_is_overdue_and_its_publisher_is_told(indicator):
    dataset = indicator.dataset
    dataset.update_frequency = "quarterly"
    dataset.save()
    version = DatasetVersion.objects.get(dataset=dataset)
    uploaded = dt.datetime(2024, 1, 10, 12, tzinfo=dt.UTC)
    DatasetVersion.objects.filter(pk=version.pk).update(created_at=uploaded)
    fresh = freshness(dataset, today=dt.date(2024, 4, 10))
    assert fresh.next_due == dt.date(2024, 4, 10) and not fresh.overdue  # three months on
    assert freshness(dataset, today=dt.date(2024, 4, 11)).overdue
    assert overdue_for_publisher(indicator.officer) == [dataset]
    page = Client().get(f"/data/datasets/{dataset.slug}/").text
    assert "This data is overdue for its update" in page and "Upload the new data" not in page
    home = Client()
    home.force_login(indicator.officer)
    assert "Data overdue for its update" in home.get("/").text
    dataset.update_frequency = "irregular"
    dataset.save()
    assert not freshness(dataset).overdue and freshness(dataset).next_due is None


def test_what_the_columns_cannot_hold_is_refused_with_its_field(indicator):
    """Too long for PostgreSQL's columns, or a tag that does not exist: refused, never a 500."""
    with pytest.raises(InvalidInput) as refused:
        services.update_indicator(
            actor=indicator.officer,
            indicator=indicator,
            details_in=_details(
                title_en="T" * 201, source_cy="S" * 301, themes=["no-such-theme"], goals=["x"]
            ),
        )
    assert {p.field for p in refused.value.problems} == {"title_en", "source_cy", "themes", "goals"}
    assert "no-such-theme" in " ".join(str(p.message) for p in refused.value.problems)


def test_monthly_and_annual_data_are_due_by_the_calendar(indicator):
    dataset = indicator.dataset
    DatasetVersion.objects.filter(dataset=dataset).update(
        created_at=dt.datetime(2024, 1, 31, 12, tzinfo=dt.UTC)
    )
    dataset.update_frequency = "monthly"
    assert freshness(dataset).next_due == dt.date(2024, 2, 29)
    dataset.update_frequency = "annually"
    assert freshness(dataset).next_due == dt.date(2025, 1, 31)


def test_the_daily_run_tells_the_publishers_once_per_due_date(indicator):
    dataset = indicator.dataset
    dataset.update_frequency = "quarterly"
    dataset.save()
    uploaded = dt.datetime(2024, 1, 10, 12, tzinfo=dt.UTC)
    DatasetVersion.objects.filter(dataset=dataset).update(created_at=uploaded)
    # The fixture's worker ran today's check (nothing was overdue then) and queued tomorrow's.
    waiting = DBTaskResult.objects.filter(task_path=daily_reminders.module_path, status="READY")
    tomorrow = waiting.get().run_after
    assert timezone.localtime(tomorrow).time() == dt.time(7, 0) and tomorrow > timezone.now()
    with time_machine.travel(tomorrow + dt.timedelta(minutes=1)):
        call_command("worker", "--batch")
        [news] = Notification.objects.filter(topic=Notification.Topic.DATASET_OVERDUE)
        assert news.person == indicator.officer
        assert "was due by 10 April 2024" in news.body_en and "10 Ebrill 2024" in news.body_cy
        assert news.url == f"/data/datasets/{dataset.slug}/"
        after = timezone.localtime(waiting.get().run_after)  # and the next day, at 07:00
        assert after.date() == timezone.localtime(tomorrow).date() + dt.timedelta(days=1)
        assert after.time() == dt.time(7, 0)
        call_command("worker", "--batch")  # a restart: neither queued twice nor told twice
        assert waiting.count() == 1 and remind_overdue() == 0
    assert Notification.objects.filter(topic=Notification.Topic.DATASET_OVERDUE).count() == 1
