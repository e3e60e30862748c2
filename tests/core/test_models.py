"""Reference data arrives by migration, exactly as the issue and the Act state it."""

import pytest
from django.db import IntegrityError
from django.utils import translation

from infuse.core.models import Council, Organisation, Theme, WayOfWorking, WellbeingGoal

pytestmark = pytest.mark.django_db


def test_ten_councils_with_census_2021_populations_summing_to_the_region():
    councils = {c.gss_code: c for c in Council.objects.all()}
    assert len(councils) == 10
    assert sum(c.population for c in councils.values()) == 1_523_911
    cardiff = councils["W06000015"]
    assert (cardiff.name_en, cardiff.name_cy, cardiff.population) == (
        "Cardiff",
        "Caerdydd",
        362_312,
    )
    assert councils["W06000014"].name_cy == "Bro Morgannwg"
    assert councils["W06000013"].name_cy == "Pen-y-bont ar Ogwr"
    assert {c.population_year for c in councils.values()} == {2021}
    assert all("Census 2021" in c.population_source for c in councils.values())


def test_council_name_follows_the_active_language():
    council = Council.objects.get(gss_code="W06000022")
    with translation.override("cy"):
        assert Council.objects.get(pk=council.pk).name == "Casnewydd"
    with translation.override("en"):
        assert Council.objects.get(pk=council.pk).name == "Newport"


def test_seven_goals_as_worded_in_the_act_in_both_languages():
    goals = list(WellbeingGoal.objects.all())
    assert [g.name_en for g in goals] == [
        "A prosperous Wales",
        "A resilient Wales",
        "A healthier Wales",
        "A more equal Wales",
        "A Wales of cohesive communities",
        "A Wales of vibrant culture and thriving Welsh language",
        "A globally responsible Wales",
    ]
    assert [g.name_cy for g in goals] == [
        "Cymru lewyrchus",
        "Cymru gydnerth",
        "Cymru iachach",
        "Cymru sy'n fwy cyfartal",
        "Cymru o gymunedau cydlynus",
        "Cymru â diwylliant bywiog lle mae'r Gymraeg yn ffynnu",
        "Cymru sy'n gyfrifol ar lefel fyd-eang",
    ]
    assert all(g.description_en and g.description_cy for g in goals)


def test_five_ways_of_working_and_three_themes_bilingual():
    assert [w.code for w in WayOfWorking.objects.all()] == [
        "long-term",
        "prevention",
        "integration",
        "collaboration",
        "involvement",
    ]
    assert [t.name_en for t in Theme.objects.all()] == [
        "Transforming communities",
        "Improving public health",
        "Decarbonisation",
    ]
    assert all(t.name_cy for t in Theme.objects.all())
    assert all(w.name_cy for w in WayOfWorking.objects.all())


def test_every_council_has_its_organisation_and_there_is_one_programme_team():
    assert Organisation.objects.filter(kind="council").count() == 10
    assert Organisation.objects.filter(kind="programme").count() == 1
    assert Organisation.objects.get(slug="cardiff").council.gss_code == "W06000015"


def test_a_council_organisation_must_name_its_council():
    with pytest.raises(IntegrityError):
        Organisation.objects.create(kind="council", name="Nowhere", name_en="Nowhere", slug="x")
