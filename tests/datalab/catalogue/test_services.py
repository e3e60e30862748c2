"""The catalogue's use cases: who may publish, who may see what, and clear errors."""

import pytest

from infuse.core.errors import InvalidInput, NotFound, PermissionDenied
from infuse.core.models import AuditEvent, Organisation
from infuse.datalab.catalogue import services
from infuse.datalab.catalogue.schemas import CatalogueQuery, DatasetIn

pytestmark = pytest.mark.django_db


def fields(**overrides):
    base = {
        "title_en": "Air quality",
        "title_cy": "Ansawdd aer",
        "publisher": "cardiff",
    }
    base.update(overrides)
    return DatasetIn(**base)


def test_an_officer_publishes_for_their_council_and_it_is_audited(make_person):
    officer = make_person("officer")
    dataset = services.create_dataset(
        actor=officer,
        dataset_in=fields(
            themes=["decarbonisation"],
            goals=["resilient", "healthier"],
            councils=["W06000015"],
        ),
    )
    assert dataset.slug == "air-quality"
    assert {t.code for t in dataset.themes.all()} == {"decarbonisation"}
    event = AuditEvent.objects.get(action="dataset.created")
    assert event.after["goals"] == ["healthier", "resilient"]


def test_a_second_dataset_with_the_same_title_gets_its_own_slug(make_person):
    officer = make_person("officer")
    first = services.create_dataset(actor=officer, dataset_in=fields())
    second = services.create_dataset(actor=officer, dataset_in=fields())
    assert first.slug != second.slug


@pytest.mark.parametrize(
    "role", ["evaluator", "supplier", "fund_manager", "procurement_officer", None]
)
def test_people_who_do_not_work_with_data_cannot_publish(make_person, role):
    with pytest.raises(PermissionDenied):
        services.create_dataset(actor=make_person(role), dataset_in=fields())


def test_an_officer_cannot_publish_for_another_council(make_person):
    with pytest.raises(InvalidInput) as raised:
        services.create_dataset(
            actor=make_person("officer"),
            dataset_in=fields(publisher="newport"),
        )
    assert raised.value.problems[0].field == "publisher"


def test_bad_catalogue_input_names_each_field(make_person):
    with pytest.raises(InvalidInput) as raised:
        services.create_dataset(
            actor=make_person("analyst"),
            dataset_in=fields(
                title_en=" ",
                title_cy="",
                licence="WTFPL",
                themes=["nope"],
                councils=["W06999999"],
                visibility="public",
                temporal_start=__import__("datetime").date(2024, 1, 2),
                temporal_end=__import__("datetime").date(2023, 1, 1),
            ),
        )
    assert {p.field for p in raised.value.problems} == {
        "title_en",
        "title_cy",
        "licence",
        "themes",
        "councils",
        "temporal_end",
    }


def test_public_data_cannot_carry_a_restricted_licence(make_person):
    with pytest.raises(InvalidInput):
        services.create_dataset(
            actor=make_person("officer"),
            dataset_in=fields(visibility="public", licence="restricted"),
        )


def test_visibility_rules(make_dataset, make_person):
    private = make_dataset("Private", visibility="private")
    regional = make_dataset("Regional", visibility="region")
    public = make_dataset("Public", visibility="public")

    def seen(actor):
        return set(services.visible_datasets(actor).values_list("title_en", flat=True))

    from django.contrib.auth.models import AnonymousUser

    assert seen(AnonymousUser()) == {"Public"}
    assert seen(make_person("supplier")) == {"Public"}
    newport = make_person("procurement_officer")  # held at Newport in the fixtures
    assert seen(newport) == {"Public", "Regional"}
    cardiff_evaluator = make_person("evaluator")  # at Bridgend: a council, not the publisher
    assert seen(cardiff_evaluator) == {"Public", "Regional"}
    cardiff_analyst = make_person("analyst")  # at Cardiff, the publisher
    assert seen(cardiff_analyst) == {"Public", "Regional", "Private"}
    assert seen(make_person("programme_admin")) == {"Public", "Regional", "Private"}
    with pytest.raises(NotFound):
        services.get_dataset(actor=newport, slug=private.slug)
    assert services.get_dataset(actor=AnonymousUser(), slug=public.slug) == public
    assert regional.slug


def test_only_the_publishers_data_people_change_an_entry(make_dataset, make_person):
    dataset = make_dataset("Bins", visibility="region")
    outsider = make_person("analyst")
    outsider_org = Organisation.objects.get(slug="newport")
    outsider.memberships.all().delete()
    from infuse.core import services as core_services

    core_services.grant_membership(
        actor=None, person=outsider, organisation=outsider_org, role="analyst"
    )
    with pytest.raises(PermissionDenied):
        services.update_dataset(actor=outsider, dataset=dataset, dataset_in=fields(title_en="Mine"))
    colleague = make_person("analyst")  # Cardiff
    updated = services.update_dataset(
        actor=colleague,
        dataset=dataset,
        dataset_in=fields(title_en="Bin collections", visibility="public"),
    )
    assert updated.title_en == "Bin collections" and updated.publisher.slug == "cardiff"
    event = AuditEvent.objects.filter(action="dataset.changed").get()
    assert event.before == {"title_en": "Bins", "title_cy": "Bins (cy)", "visibility": "region"}


def test_search_by_text_and_facets(make_dataset):
    make_dataset(
        "Household waste recycling",
        visibility="public",
        themes=["decarbonisation"],
        description_en="Tonnes recycled per month",
    )
    make_dataset(
        "Childhood obesity",
        visibility="public",
        themes=["improving-public-health"],
        goals=["healthier"],
        councils=["W06000019"],
    )
    from django.contrib.auth.models import AnonymousUser

    public = AnonymousUser()

    def titles(**query):
        return [d.title_en for d in services.search_datasets(public, CatalogueQuery(**query))]

    assert titles(text="recycled") == ["Household waste recycling"]
    assert titles(text="ailgylchu (cy)") == []
    assert titles(text="waste (cy)") == ["Household waste recycling"]
    assert titles(theme="improving-public-health") == ["Childhood obesity"]
    assert titles(goal="healthier", council="W06000019") == ["Childhood obesity"]
    assert titles(council="W06000015") == []


@pytest.mark.django_db
def test_the_command_makes_a_dataset_for_the_publisher_named(make_person) -> None:
    """Someone who publishes for two organisations names one; without it, they are asked."""
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    from infuse.core import services as core
    from infuse.core.models import Organisation
    from infuse.datalab.models import Dataset

    officer = make_person("officer")
    core.grant_membership(
        actor=None,
        person=officer,
        organisation=Organisation.objects.get(slug="newport"),
        role="officer",
    )
    words = ("--title-en", "Fly-tipping", "--title-cy", "Tipio anghyfreithlon")
    with pytest.raises(CommandError, match="Choose the publisher with --publisher: one of"):
        call_command("data", "create", *words, "--as", officer.email)
    call_command(
        "data",
        "create",
        *words,
        "--publisher",
        "newport",
        "--as",
        officer.email,
        stdout=io.StringIO(),
    )
    assert Dataset.objects.get(slug="fly-tipping").publisher.slug == "newport"
