"""Comparators: Wales from the data's own rows, saved groups pooled from shown figures only,
and who may save and remove a group."""

from __future__ import annotations

import numpy as np
import pytest
from django.test import Client

from infuse import stats
from infuse.core.errors import InvalidInput, PermissionDenied
from infuse.core.models import AuditEvent, Council
from infuse.datalab.comparators import services
from infuse.datalab.comparators.schemas import ComparatorGroupIn
from infuse.datalab.indicators.publishing import shown_periods
from infuse.datalab.models import BenchmarkValue, IndicatorValue
from tests.datalab.comparators.conftest import ROWS

pytestmark = pytest.mark.django_db(transaction=True)

CARDIFF, NEWPORT, TORFAEN, BRIDGEND = "W06000015", "W06000022", "W06000020", "W06000013"


def group(actor, *codes: str, name: str = "South-east") -> object:
    return services.create_group(
        actor=actor,
        group_in=ComparatorGroupIn(name_en=name, name_cy=f"{name} (cy)", councils=list(codes)),
    )


def test_wales_rows_become_a_benchmark_and_never_part_of_the_region(indicator):
    wales = {b.period: b for b in BenchmarkValue.objects.filter(indicator=indicator)}
    assert sorted(wales) == ["2020-21", "2021-22", "2022-23", "2023-24", "2024-25"]
    assert {b.area_code for b in wales.values()} == {"W92000004"}
    newest = wales["2024-25"]
    interval = stats.wilson_interval(np.array([980.0]), np.array([10_000.0]))
    assert newest.value == pytest.approx(9.8)
    assert newest.ci_low == pytest.approx(interval.lower[0] * 100)
    region = IndicatorValue.objects.get(indicator=indicator, council=None, period="2024-25")
    councils = [r for name, r in ROWS.items() if name != "Wales"]
    assert region.numerator == sum(r[-1][0] for r in councils)  # Wales's 980 is not in it
    computed = AuditEvent.objects.filter(action="indicator.computed").latest("id").after
    assert computed["excluded_areas"] == {"areas": [], "more_areas": 0, "more_rows": 0}
    assert computed["benchmark_values"] == 5


def test_a_group_pools_its_members_counts(indicator, make_person):
    officer = make_person("officer")
    valleys = group(officer, CARDIFF, TORFAEN)
    period = shown_periods(indicator, officer, newest=1)[0]
    bench = services.benchmark(
        indicator, period, services.comparator(valleys.slug), services.wales_values(indicator)
    )
    x, n = 44 + 12, 200 + 110
    interval = stats.wilson_interval(np.array([float(x)]), np.array([float(n)]))
    assert bench.value == pytest.approx(100 * x / n)
    assert bench.ci_low == pytest.approx(100 * interval.lower[0])
    assert not bench.hidden


def test_a_group_with_a_hidden_member_shows_no_value_to_the_public(indicator, make_person):
    """Pooling a hidden count with shown ones would give it away by subtraction."""
    officer = make_person("officer")
    with_newport = group(officer, CARDIFF, NEWPORT, name="With Newport")
    without = group(officer, CARDIFF, BRIDGEND, name="Without Newport")
    period = shown_periods(indicator, None, newest=1)[0]
    wales = services.wales_values(indicator)
    hidden = services.benchmark(indicator, period, services.comparator(with_newport.slug), wales)
    assert hidden.hidden and hidden.value is None
    shown = services.benchmark(indicator, period, services.comparator(without.slug), wales)
    assert shown.value == pytest.approx(100 * 69 / 320)
    staff = shown_periods(indicator, officer, newest=1)[0]
    seen = services.benchmark(indicator, staff, services.comparator(with_newport.slug), wales)
    assert seen.value == pytest.approx(100 * 47 / 230)  # people of the region see it all


def test_comparing_with_wales_uses_the_interval_rule(indicator):
    period = shown_periods(indicator, None, newest=1)[0]
    cardiff = next(v for v in period.councils if v.council.gss_code == CARDIFF)
    against = services.comparator("wales")
    bench = services.benchmark(indicator, period, against, services.wales_values(indicator))
    assert bench.value == pytest.approx(9.8)
    # Cardiff 22% (Wilson 95% interval well above 9.8%), and higher is worse.
    assert cardiff.ci_low > 9.8
    assert services.compared(indicator, cardiff, against, bench) == "worse"


def test_an_unknown_comparator_is_the_region():
    assert services.comparator("").code == "region"
    assert services.comparator("no-such-group").code == "region"
    assert [c.code for c in services.comparators()][:2] == ["region", "wales"]


def test_saving_a_group_checks_what_it_is_given(make_person):
    officer = make_person("officer")
    with pytest.raises(InvalidInput) as refused:
        services.create_group(
            actor=officer,
            group_in=ComparatorGroupIn(name_en=" ", name_cy="", councils=[CARDIFF, "W06000099"]),
        )
    fields = {p.field for p in refused.value.problems}
    assert fields == {"name_en", "name_cy", "councils"}
    assert "W06000099" in str(refused.value.problems[-1].message)
    with pytest.raises(InvalidInput) as one:
        group(officer, CARDIFF)  # one council is no group
    assert str(one.value.problems[0].message) == "Choose two or more councils"
    assert not Council.objects.filter(comparator_groups__isnull=False).exists()


def test_a_group_named_wales_does_not_take_the_name_of_wales(make_person):
    made = group(make_person("officer"), CARDIFF, TORFAEN, name="Wales")
    assert made.slug not in ("wales", "region")
    assert services.comparator("wales").group is None


def test_who_may_save_and_remove_a_group(make_person):
    officer, other, supplier = (
        make_person("officer"),
        make_person("analyst"),
        make_person("supplier"),
    )
    with pytest.raises(PermissionDenied):
        group(supplier, CARDIFF, TORFAEN)
    saved = group(officer, CARDIFF, TORFAEN)
    with pytest.raises(PermissionDenied):
        services.delete_group(actor=other, group=saved)
    services.delete_group(actor=make_person("programme_admin"), group=saved)
    assert not services.groups().exists()
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert "comparator-group.created" in actions and "comparator-group.deleted" in actions


def test_groups_through_the_api(make_person):
    officer = make_person("officer")
    client = Client()
    payload = {"name_en": "Valleys", "name_cy": "Cymoedd", "councils": [CARDIFF, TORFAEN]}
    assert (
        client.post("/api/v1/data/comparator-groups", payload, "application/json").status_code
        == 401
    )
    client.force_login(officer)
    made = client.post("/api/v1/data/comparator-groups", payload, "application/json")
    assert made.status_code == 201 and made.json()["councils"] == sorted([CARDIFF, TORFAEN])
    bad = client.post(
        "/api/v1/data/comparator-groups", {**payload, "councils": [CARDIFF]}, "application/json"
    )
    assert bad.status_code == 400
    listed = Client().get("/api/v1/data/comparator-groups").json()
    assert [g["slug"] for g in listed] == ["valleys"]
    assert Client().delete("/api/v1/data/comparator-groups/valleys").status_code == 401
    assert client.delete("/api/v1/data/comparator-groups/valleys").status_code == 204
    assert client.delete("/api/v1/data/comparator-groups/valleys").status_code == 404


def test_groups_through_the_pages(make_person):
    officer = make_person("officer")
    client = Client()
    client.force_login(officer)
    page = client.get("/data/comparator-groups/new/")
    assert page.status_code == 200
    refused = client.post("/data/comparator-groups/new/", {"name_en": "Valleys"})
    assert refused.status_code == 400 and "Choose two or more councils" in refused.text
    assert refused.text.count('value="Valleys"') == 1  # what was typed is kept
    done = client.post(
        "/data/comparator-groups/new/",
        {"name_en": "Valleys", "name_cy": "Cymoedd", "councils": [CARDIFF, TORFAEN]},
        follow=True,
    )
    assert "Group saved" in done.text and "/councils/cardiff/?compare=valleys" in done.text
    assert "Remove" in done.text and "Remove" not in Client().get("/data/comparator-groups/").text
    confirm = client.get("/data/comparator-groups/valleys/remove/")
    assert "cannot be brought back" in confirm.text
    assert services.groups().exists()  # still there until the button is pressed
    client.post("/data/comparator-groups/valleys/remove/")
    assert not services.groups().exists()


def test_a_group_name_is_bounded_and_not_saved_twice(make_person):
    officer = make_person("officer")
    with pytest.raises(InvalidInput) as refused:
        group(officer, CARDIFF, TORFAEN, name="V" * 121)
    assert {p.field for p in refused.value.problems} == {"name_en", "name_cy"}
    group(officer, CARDIFF, TORFAEN, name="Valleys")
    with pytest.raises(InvalidInput) as again:
        group(officer, CARDIFF, NEWPORT, name="valleys")
    assert "saved already" in str(again.value.problems[0].message)
