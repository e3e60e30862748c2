"""The demo's Data Lab: reproducible files, an idempotent load, and each story it tells."""

from __future__ import annotations

import pytest
from django.test import Client

from infuse.core.models import Council
from infuse.datalab.models import Dataset, DatasetUpload, Indicator, IndicatorValue, SavedQuery
from infuse.demo.datalab import demo_datasets
from infuse.demo.loader import load_demo_data, load_demo_region


@pytest.mark.django_db
def test_the_files_are_the_same_bytes_every_time():
    councils = list(Council.objects.all())
    first = [[f.content for f in d.files] for d in demo_datasets(councils)]
    again = [[f.content for f in d.files] for d in demo_datasets(list(reversed(councils)))]
    assert first == again
    assert len(first) == 7 and all(content for files in first for content in files)


@pytest.mark.django_db(transaction=True)
def test_loading_twice_changes_nothing_and_each_story_is_there():
    load_demo_region()
    load_demo_data()
    counts = (
        Dataset.objects.count(),
        DatasetUpload.objects.count(),
        Indicator.objects.count(),
        IndicatorValue.objects.count(),
        SavedQuery.objects.count(),
    )
    load_demo_data()
    assert counts == (
        Dataset.objects.count(),
        DatasetUpload.objects.count(),
        Indicator.objects.count(),
        IndicatorValue.objects.count(),
        SavedQuery.objects.count(),
    )
    assert counts[0] == 8 and counts[2] == 3 and counts[4] == 1

    # The faulty upload: rejected with every planted fault reported, version 1 untouched.
    fly_tipping = Dataset.objects.get(slug="fly-tipping-incidents")
    rejected = fly_tipping.uploads.get(status=DatasetUpload.Status.REJECTED)
    groups = {g["key"] for g in rejected.report["validation"]["groups"]}
    assert groups == {
        "validation.unknown-council",
        "validation.required-missing",
        "validation.not-a-date",
        "validation.not-in-enum",
        "validation.not-an-integer",
        "validation.below-minimum",
    }
    assert list(fly_tipping.versions.values_list("number", flat=True)) == [1]

    # Low birth weight: the valleys above the region, Monmouthshire below, in some year.
    lbw = Indicator.objects.get(slug="low-birth-weight")
    marks = {
        (v.council.gss_code, v.comparison)
        for v in lbw.values.filter(council__isnull=False).select_related("council")
    }
    assert ("W06000019", "worse") in marks and ("W06000021", "better") in marks

    # Social prescribing's pilot year has a count of 3 that the public must not see.
    rate = Indicator.objects.get(slug="social-prescribing-referrals-per-1000-adults")
    public = Client().get(f"/api/v1/data/indicators/{rate.slug}/values").json()["values"]
    pilot = [v for v in public if v["period"] == "2021-22"]
    hidden = [v for v in pilot if v["area_code"] and v["numerator"] is None]
    assert any(v["area_code"] == "W06000021" for v in hidden) and len(hidden) >= 2
    page = Client().get(f"/data/indicators/{rate.slug}/").content.decode()
    assert "Funnel plot" in page and "Suppressed" in page

    # The Adaption Lab: a decided stepped wedge (to scale) and a running cluster trial.
    from infuse.adaption.models import Experiment

    hubs = Experiment.objects.get(slug="community-warm-hubs-roll-out")
    assert hubs.status == "decided" and hubs.decisions.get().choice == "scale"
    result = hubs.analyses.get().result["primary"]
    assert result["ci_low"] > 0 and 1.0 < result["estimate"] < 4.0  # generated with +2.5
    waste = Experiment.objects.get(slug="online-booking-for-bulky-waste")
    assert waste.status == "running" and waste.latest_allocation and not waste.analyses.exists()
    assert "Cyflwyno hybiau cynnes" in Client().get("/cy/experiments/").content.decode()
    clear = Client().get("/experiments/?result=effect").content.decode()
    assert "Community warm hubs roll-out" in clear and "Online booking" not in clear
    waiting = Client().get("/api/v1/experiments?result=not-analysed").json()
    assert [e["slug"] for e in waiting] == ["online-booking-for-bulky-waste"]
