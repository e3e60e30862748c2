"""Core use cases: permission, change and audit event together; clear errors for bad input."""

import pytest

from infuse.core import services
from infuse.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from infuse.core.models import AuditEvent, Membership, Organisation, Person

pytestmark = pytest.mark.django_db


def test_programme_admin_creates_a_person_and_the_event_is_audited(admin_person):
    person = services.create_person(
        actor=admin_person,
        email=" New.Officer@Cardiff.example ",
        full_name="Nia Rees",
        password="a-long-enough-pass",
    )
    assert person.email == "new.officer@cardiff.example"
    assert person.check_password("a-long-enough-pass")
    event = AuditEvent.objects.get(action="person.created", object_id=str(person.pk))
    assert event.actor == admin_person
    assert event.after["email"] == "new.officer@cardiff.example"


@pytest.mark.parametrize("role", ["officer", "analyst", "supplier", "fund_manager", None])
def test_only_programme_admins_manage_people(make_person, role):
    actor = make_person(role)
    with pytest.raises(PermissionDenied):
        services.create_person(actor=actor, email="x@y.example", full_name="X")
    assert not Person.objects.filter(email="x@y.example").exists()


def test_bad_person_input_names_every_field(admin_person):
    with pytest.raises(InvalidInput) as raised:
        services.create_person(
            actor=admin_person,
            email="not-an-email",
            full_name=" ",
            password="short",
            preferred_language="fr",
        )
    fields = {p.field for p in raised.value.problems}
    assert fields == {"email", "full_name", "preferred_language", "password"}


def test_duplicate_email_is_a_conflict_whatever_the_case(admin_person):
    services.create_person(actor=admin_person, email="dup@x.example", full_name="A")
    with pytest.raises(Conflict):
        services.create_person(actor=admin_person, email="DUP@x.example", full_name="B")


def test_roles_must_fit_the_kind_of_organisation(admin_person, make_person):
    person = make_person()
    cardiff = Organisation.objects.get(slug="cardiff")
    with pytest.raises(InvalidInput):
        services.grant_membership(
            actor=admin_person, person=person, organisation=cardiff, role="supplier"
        )
    with pytest.raises(InvalidInput):
        services.grant_membership(
            actor=admin_person, person=person, organisation=cardiff, role="programme_admin"
        )
    with pytest.raises(InvalidInput):
        services.grant_membership(
            actor=admin_person, person=person, organisation=cardiff, role="wizard"
        )
    assert not Membership.objects.filter(person=person).exists()


def test_granting_programme_admin_opens_the_admin_site_and_revoking_closes_it(
    admin_person, make_person
):
    person = make_person()
    programme = Organisation.objects.get(slug="ccr-programme")
    membership = services.grant_membership(
        actor=admin_person, person=person, organisation=programme, role="programme_admin"
    )
    person.refresh_from_db()
    assert person.is_staff
    with pytest.raises(Conflict):
        services.grant_membership(
            actor=admin_person, person=person, organisation=programme, role="programme_admin"
        )
    services.revoke_membership(actor=admin_person, membership=membership)
    person.refresh_from_db()
    assert not person.is_staff
    actions = list(
        AuditEvent.objects.filter(object_type="core.membership").values_list("action", flat=True)
    )
    assert "membership.granted" in actions and "membership.revoked" in actions


def test_api_token_is_shown_once_stored_hashed_and_revocable(make_person):
    person = make_person("officer")
    issued = services.create_api_token(actor=person, name="Nightly script")
    assert issued.secret.startswith("infuse_")
    assert issued.secret not in issued.token.digest
    assert services.authenticate_token(issued.secret) == person
    assert services.authenticate_token(issued.secret + "x") is None
    services.revoke_api_token(actor=person, token_id=issued.token.pk)
    assert services.authenticate_token(issued.secret) is None


def test_a_person_cannot_revoke_someone_elses_token(make_person):
    owner, other = make_person("officer"), make_person("officer")
    issued = services.create_api_token(actor=owner, name="Mine")
    with pytest.raises(NotFound):
        services.revoke_api_token(actor=other, token_id=issued.token.pk)
    assert services.authenticate_token(issued.secret) == owner


def test_token_name_is_required(make_person):
    with pytest.raises(InvalidInput) as raised:
        services.create_api_token(actor=make_person("officer"), name="  ")
    assert raised.value.problems[0].field == "name"


def test_inactive_people_cannot_use_tokens(make_person):
    person = make_person("officer")
    issued = services.create_api_token(actor=person, name="t")
    Person.objects.filter(pk=person.pk).update(is_active=False)
    assert services.authenticate_token(issued.secret) is None
