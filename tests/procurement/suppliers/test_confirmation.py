"""A supplier who registered themselves acts only after opening the link emailed to them: before,
anyone could register (then ask, bid and make tokens) as an address they do not hold."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from infuse.core import confirmation
from infuse.core.errors import Conflict, PermissionDenied
from infuse.core.models import Person
from infuse.procurement.questions import services as questions
from infuse.procurement.questions.schemas import QuestionIn
from infuse.procurement.suppliers import services as suppliers
from infuse.procurement.suppliers.schemas import InvitationIn, JoinIn

pytestmark = pytest.mark.django_db
JSON = "application/json"
PASSWORD = "a long and unusual passphrase 42"
REGISTRATION = {
    "email": "owner@owen.example",
    "full_name": "Rhian Owen",
    "password": PASSWORD,
    "name": "Owen Analytics Ltd",
    "address": "1 Stryd Fawr, Pontypridd",
    "postcode": "CF37 1AA",
}


def link_in(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


def test_an_unconfirmed_supplier_is_refused_with_the_reason(make_supplier, make_challenge):
    phase = make_challenge().phases.get()
    person = make_supplier(confirmed=False)
    with pytest.raises(PermissionDenied) as refused:
        questions.ask_question(actor=person, phase=phase, question_in=QuestionIn(question="Vans?"))
    assert person.email in str(refused.value.message)
    confirmed = confirmation.confirm(confirmation.token_for(person))
    assert questions.ask_question(
        actor=confirmed, phase=phase, question_in=QuestionIn(question="Vans?")
    )


def test_registering_through_the_api_then_confirming_by_the_emailed_link(
    make_challenge, mailoutbox
):
    challenge = make_challenge()
    client = Client(enforce_csrf_checks=True)
    registered = client.post("/api/v1/procurement/suppliers", REGISTRATION, content_type=JSON)
    assert registered.status_code == 201 and registered.json()["status"] == "confirm-email"
    assert [m.to for m in mailoutbox] == [["owner@owen.example"]]
    link = link_in(mailoutbox[0])
    assert link.startswith("http://testserver/account/confirm-email/")

    client.force_login(Person.objects.get(email="owner@owen.example"))
    refused = client.get("/procurement/bids/")
    assert refused.status_code == 403 and "owner@owen.example" in refused.text
    assert "Send the link again" in refused.text
    client.get("/")
    csrf = client.cookies["csrftoken"].value
    question = f"/api/v1/procurement/challenges/{challenge.slug}/phases/1/questions"
    asked = client.post(question, {"question": "Vans?"}, content_type=JSON, HTTP_X_CSRFTOKEN=csrf)
    assert asked.status_code == 403 and "Confirm your email" in asked.json()["detail"]
    assert client.get("/api/v1/me").json()["email_confirmed"] is False

    assert client.get(link).status_code == 200  # opening the link alone changes nothing
    assert Person.objects.get(email="owner@owen.example").email_confirmed_at is None
    pressed = client.post(link, HTTP_X_CSRFTOKEN=csrf)
    assert pressed.status_code == 302 and pressed["Location"] == "/"
    assert client.get("/procurement/bids/").status_code == 200
    asked = client.post(question, {"question": "Vans?"}, content_type=JSON, HTTP_X_CSRFTOKEN=csrf)
    assert asked.status_code == 201
    assert client.get("/api/v1/me").json()["email_confirmed"] is True


def test_the_api_confirms_anonymously_with_the_token(mailoutbox):
    client = Client(enforce_csrf_checks=True)
    client.post("/api/v1/procurement/suppliers", REGISTRATION, content_type=JSON)
    token = link_in(mailoutbox[0]).rstrip("/").rsplit("/", 1)[-1]
    confirmed = client.post(
        "/api/v1/account/email-confirmation", {"token": token}, content_type=JSON
    )
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    assert Person.objects.get(email="owner@owen.example").email_confirmed
    again = client.post("/api/v1/account/email-confirmation", {"token": token}, content_type=JSON)
    assert again.status_code == 200  # opening the link twice is harmless
    forged = client.post(
        "/api/v1/account/email-confirmation", {"token": token[:-2] + "xx"}, content_type=JSON
    )
    assert forged.status_code == 409 and forged.json()["key"] == "conflict"


def test_a_stale_tampered_or_superseded_link_confirms_nothing(make_supplier, settings):
    person = make_supplier(confirmed=False)
    token = confirmation.token_for(person)
    later = timezone.now() + dt.timedelta(days=settings.EMAIL_CONFIRMATION_DAYS, hours=1)
    with time_machine.travel(later), pytest.raises(Conflict) as stale:
        confirmation.confirm(token)
    assert "expired" in str(stale.value.message)
    with pytest.raises(Conflict):
        confirmation.confirm(token.replace(":", ";", 1))
    person.email = "new@supplier.example"
    person.save()
    with pytest.raises(Conflict) as superseded:
        confirmation.confirm(token)
    assert "no longer used" in str(superseded.value.message)
    assert not Person.objects.get(pk=person.pk).email_confirmed


def test_the_link_page_explains_a_bad_link_in_welsh_too(make_supplier):
    person = make_supplier(confirmed=False)
    path = confirmation.confirm_path(confirmation.token_for(person) + "x")
    english = Client().post(path)
    welsh = Client().post("/cy" + path)
    assert english.status_code == welsh.status_code == 409
    assert "expired" in english.text and "Go to your account" in english.text
    assert "expired" not in welsh.text and "govuk-error-summary" in welsh.text


def test_sending_the_link_again_is_limited(make_supplier, mailoutbox, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "confirm-email": (2, 3600)}
    client = Client()
    person = make_supplier(confirmed=False)
    client.force_login(person)
    for _ in range(2):
        sent = client.post("/account/confirm-email/send/", follow=True)
        assert "We have sent a new link" in sent.text
    refused = client.post("/account/confirm-email/send/", follow=True)
    assert "too often" in refused.text
    assert len(mailoutbox) == 3  # registration, then two more
    confirmation.confirm(confirmation.token_for(person))
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "confirm-email": (20, 3600)}
    done = client.post("/account/confirm-email/send/", follow=True)
    assert "confirmed already" in done.text and "Send the link again" not in done.text


def test_an_unconfirmed_person_makes_no_api_token(make_supplier):
    client = Client()
    client.force_login(make_supplier(confirmed=False))
    page = client.post("/account/", {"name": "script"})
    assert page.status_code == 403 or "Confirm your email" in page.text
    assert not Person.objects.get(email__startswith="bids").api_tokens.exists()


def test_people_made_by_an_admin_or_joining_by_invitation_are_confirmed(
    make_supplier, admin_person
):
    from infuse.core import services

    made = services.create_person(actor=admin_person, email="new@ccr.example", full_name="New")
    assert made.email_confirmed
    owner = make_supplier()
    token = suppliers.invite_colleague(
        actor=owner, invitation_in=InvitationIn(email="colleague@supplier1.example")
    )
    colleague = suppliers.accept_invitation(
        token=token, join_in=JoinIn(full_name="Colleague", password=PASSWORD)
    )
    assert colleague.email_confirmed
    assert suppliers.supplier_of(colleague) == suppliers.supplier_of(owner)


def test_an_unconfirmed_supplier_cannot_join_a_second_supplier(make_supplier):
    """Unconfirmed, a person's memberships count for nothing, so the "already works for a
    supplier" check used to pass and they could belong to two companies."""
    registered = make_supplier(confirmed=False)
    other = make_supplier()
    token = suppliers.invite_colleague(
        actor=other, invitation_in=InvitationIn(email=registered.email)
    )
    with pytest.raises(Conflict):
        suppliers.accept_invitation(
            token=token, join_in=JoinIn(full_name="X", password=PASSWORD), actor=registered
        )


def test_the_link_does_not_spell_out_the_address(make_supplier):
    import base64
    import zlib

    person = make_supplier(confirmed=False)
    token = confirmation.token_for(person)
    payload = token.split(":")[0]
    raw = base64.urlsafe_b64decode(payload.lstrip(".") + "=" * (-len(payload.lstrip(".")) % 4))
    decoded = (zlib.decompress(raw) if payload.startswith(".") else raw).decode()
    assert person.email not in decoded and "bids" not in decoded
