"""The national indicators and milestones for Wales: loaded from a CSV (checked row by row,
replaced in one go), linked from the Data Lab's indicators, and shown on the goal pages.

The rows here are made up for the tests; the real list is the Welsh Government's to publish."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from infuse.core.errors import InvalidInput, PermissionDenied
from infuse.core.models import AuditEvent, NationalIndicator, NationalMilestone
from infuse.core.national import load_national

pytestmark = pytest.mark.django_db

CSV = (
    "kind,number,name_en,name_cy,goals,indicators,target_year\n"
    "indicator,1,Test measure one,Mesur prawf un,healthier;more-equal,,\n"
    "indicator,2,Test measure two,Mesur prawf dau,prosperous,,\n"
    "milestone,1,Test milestone,Carreg filltir prawf,,1;2,2035\n"
)


def test_a_list_is_loaded_and_a_new_one_replaces_it(admin_person):
    loaded = load_national(actor=admin_person, text="\ufeff" + CSV)  # Excel's BOM is fine
    assert (loaded.indicators, loaded.milestones) == (2, 1)
    first = NationalIndicator.objects.get(number=1)
    assert first.name_cy == "Mesur prawf un"
    assert sorted(first.goals.values_list("code", flat=True)) == ["healthier", "more-equal"]
    milestone = NationalMilestone.objects.get()
    assert milestone.target_year == 2035 and milestone.indicators.count() == 2
    load_national(
        actor=admin_person,
        text="kind,number,name_en,name_cy,goals\nindicator,1,Renamed,Ailenwyd,healthier\n",
    )
    assert list(NationalIndicator.objects.values_list("number", "name_en")) == [(1, "Renamed")]
    assert NationalIndicator.objects.get().pk == first.pk  # kept: links to it stay
    assert not NationalMilestone.objects.exists()
    assert AuditEvent.objects.filter(action="reference.national_loaded").count() == 2


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("number,name_en\n1,x\n", "kind, number, name_en, name_cy"),
        ("kind,number,name_en,name_cy\nindicator,one,x,y\n", "Row 2: the number"),
        ("kind,number,name_en,name_cy\nindicator,1,x,\n", "Row 2: give the name"),
        ("kind,number,name_en,name_cy,goals\nindicator,1,x,y,happier\n", "happier is not a goal"),
        ("kind,number,name_en,name_cy\nthing,1,x,y\n", "indicator or milestone"),
        (
            "kind,number,name_en,name_cy,goals,indicators\nindicator,1,x,y,,\nmilestone,1,m,n,,7\n",
            "Milestone 1 names indicators the file does not have: 7",
        ),
        ("kind,number,name_en,name_cy\n", "no national indicators"),
    ],
)
def test_a_bad_file_is_refused_row_by_row_and_nothing_changes(admin_person, text, says):
    load_national(actor=admin_person, text=CSV)
    with pytest.raises(InvalidInput) as refused:
        load_national(actor=admin_person, text=text)
    assert says in " ".join(str(p.message) for p in refused.value.problems)
    assert NationalIndicator.objects.count() == 2


def test_only_programme_admins_load_it(make_person):
    with pytest.raises(PermissionDenied):
        load_national(actor=make_person("analyst"), text=CSV)


def test_the_command_loads_a_file(admin_person, tmp_path, capsys):
    path = tmp_path / "national.csv"
    path.write_text(CSV, encoding="utf-8")
    call_command("reference", "national", str(path), "--as", admin_person.email)
    assert "Loaded 2 national indicators and 1 milestones." in capsys.readouterr().out
    with pytest.raises(CommandError, match="Cannot read"):
        call_command(
            "reference", "national", str(tmp_path / "none.csv"), "--as", admin_person.email
        )


@pytest.mark.django_db(transaction=True)
def test_a_goal_page_shows_the_national_measure_and_the_local_ones(admin_person, demo):
    from infuse.core.models import Person
    from infuse.datalab.indicators import services
    from infuse.datalab.indicators.schemas import IndicatorDetailsIn
    from infuse.datalab.models import Indicator

    load_national(actor=admin_person, text=CSV)
    births = Indicator.objects.get(slug="low-birth-weight")
    details = IndicatorDetailsIn.of(births).model_dump()
    services.update_indicator(
        actor=Person.objects.get(email="data@infuse.example"),
        indicator=births,
        details_in=IndicatorDetailsIn(**{**details, "national_indicators": [1]}),
    )
    page = Client().get("/goals/healthier/").text
    assert "How Wales measures this goal" in page and "Test measure one" in page
    assert "Test milestone (2035)" in page and 'href="/data/indicators/low-birth-weight/"' in page
    assert "Mesur prawf un" in Client().get("/cy/goals/healthier/").text
    body = Client().get("/api/v1/goals/healthier").json()["national_indicators"]
    assert body[0]["number"] == 1 and body[0]["local_indicators"] == ["low-birth-weight"]
    assert "Test measure two" not in page  # it serves another goal
    with pytest.raises(InvalidInput):
        services.update_indicator(
            actor=Person.objects.get(email="data@infuse.example"),
            indicator=births,
            details_in=IndicatorDetailsIn(**{**details, "national_indicators": [99]}),
        )
