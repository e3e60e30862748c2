"""Use cases of suppliers: a company registers itself and its first person, invites colleagues
(by an emailed link whose secret is kept only as a hash), and colleagues join."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from infuse.core import audit, confirmation
from infuse.core import services as core_services
from infuse.core.errors import Conflict, FieldProblem, InvalidInput
from infuse.core.models import Membership, Organisation, Person, Role
from infuse.core.permissions import denial_for, forget_roles, is_region_member, memberships_of
from infuse.core.slugs import unique_slug
from infuse.procurement.models import Award, Bid, SupplierInvitation, SupplierProfile
from infuse.procurement.suppliers.schemas import InvitationIn, JoinIn, SupplierIn

INVITATION_DAYS = 14
COMPANIES_HOUSE = re.compile(r"^(\d{8}|(SC|NI|OC|SO|NC|R0|FC|SE|GE|LP|SL|NL)\d{6})$")
POSTCODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$")


def supplier_of(actor: Any) -> Organisation:
    """The supplier organisation the actor works for (suppliers belong to one)."""
    ids = [org for org, kind, role in memberships_of(actor) if role == Role.SUPPLIER]
    if not ids:
        raise denial_for(actor)
    return Organisation.objects.get(pk=ids[0])


def works_for(actor: Any, organisation_id: int) -> bool:
    return any(org == organisation_id for org, _k, _r in memberships_of(actor))


def supplier_bids(*, actor: Any) -> tuple[Organisation, QuerySet[Bid]]:
    """The actor's organisation and every bid it has started, each with ``phase_decided``:
    whether its phase has had an award decision (asked with the bids, not once for each)."""
    organisation = supplier_of(actor)
    return organisation, (
        Bid.objects.filter(supplier=organisation)
        .select_related("phase__challenge")
        .annotate(phase_decided=Exists(Award.objects.filter(phase_id=OuterRef("phase_id"))))
    )


def _supplier_problems(supplier_in: SupplierIn) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    if not supplier_in.name.strip():
        problems.append(FieldProblem("name", _("Enter the organisation's name")))
    number = supplier_in.companies_house_number.strip().upper()
    if number and not COMPANIES_HOUSE.match(number):
        problems.append(
            FieldProblem(
                "companies_house_number",
                _("A Companies House number is 8 characters, like 01234567 or SC123456"),
            )
        )
    elif number and SupplierProfile.objects.filter(companies_house_number=number).exists():
        problems.append(
            FieldProblem(
                "companies_house_number",
                _("That company is registered already: ask a colleague there to invite you"),
            )
        )
    if not supplier_in.address.strip():
        problems.append(FieldProblem("address", _("Enter the organisation's address")))
    if not POSTCODE.match(supplier_in.postcode.strip().upper()):
        problems.append(FieldProblem("postcode", _("Enter a UK postcode, like CF10 4UW")))
    return problems


def register_supplier(
    *,
    supplier_in: SupplierIn,
    confirm_url: confirmation.LinkMaker = confirmation.confirm_path,
    vouched: bool = False,
) -> Person:
    """Someone from a company registers it and themselves (no sign-in needed to do this). They
    can act once they open the link emailed to them (``confirm_url(token)``), unless the
    caller ``vouched`` for the address (the demo region's loader): then no email is sent."""
    problems = _supplier_problems(supplier_in)
    if problems:
        raise InvalidInput(problems=problems)
    number = supplier_in.companies_house_number.strip().upper()
    name = supplier_in.name.strip()
    with transaction.atomic():
        person = core_services.create_person(
            actor=None,
            email=supplier_in.email,
            full_name=supplier_in.full_name,
            password=supplier_in.password,
            email_confirmed=vouched,
        )
        organisation = Organisation.objects.create(
            kind=Organisation.Kind.SUPPLIER,
            name=name,
            name_en=name,
            slug=unique_slug(Organisation, name, fallback="supplier", max_length=40),
        )
        SupplierProfile.objects.create(
            organisation=organisation,
            companies_house_number=number,
            is_sme=supplier_in.is_sme,
            is_vcse=supplier_in.is_vcse,
            address=supplier_in.address.strip(),
            postcode=supplier_in.postcode.strip().upper(),
        )
        core_services.grant_membership(
            actor=None, person=person, organisation=organisation, role=Role.SUPPLIER
        )
        audit.record_event(
            actor=person,
            action="supplier.registered",
            obj=organisation,
            after={
                **supplier_in.model_dump(exclude={"email", "full_name", "password"}),
                "companies_house_number": number,
                "email": person.email,
            },
        )
    if not vouched:
        confirmation.send_link(person, confirm_url)
    return person


def join_path(token: str) -> str:
    """The invitation link's path (the pages make it absolute with the request's host)."""
    return reverse("procurement:join", kwargs={"token": token})


def invite_colleague(
    *, actor: Person, invitation_in: InvitationIn, join_url: Callable[[str], str] = join_path
) -> str:
    """Invite a colleague to join the actor's supplier organisation: the email carries a link
    (``join_url(token)``) with a secret of which only the hash is kept. Returns the secret,
    for a caller that delivers the link itself."""
    organisation = supplier_of(actor)
    email = invitation_in.email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput(
            problems=[FieldProblem("email", _("Enter an email address like name@example.org"))]
        ) from None
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = SupplierInvitation.objects.create(
            organisation=organisation,
            email=email,
            token_sha256=hashlib.sha256(token.encode()).hexdigest(),
            invited_by=actor,
            expires_at=timezone.now() + dt.timedelta(days=INVITATION_DAYS),
        )
        audit.record_event(
            actor=actor,
            action="supplier.colleague_invited",
            obj=invitation,
            after={"organisation": organisation.slug, "email": email},
        )
    _send_invitation(email, organisation.name, join_url(token))
    return token


def _send_invitation(email: str, organisation: str, link: str) -> None:
    send_mail(
        _("Join %(organisation)s on InFuSe") % {"organisation": organisation},
        _("You have been invited to bid for %(organisation)s on InFuSe. Join here: %(link)s")
        % {"organisation": organisation, "link": link},
        None,
        [email],
    )


def _joining(invitation: SupplierInvitation, join_in: JoinIn, actor: Any) -> Person:
    """The person who joins: new (with the password given) or the signed-in account."""
    person = Person.objects.filter(email__iexact=invitation.email).first()
    if person is None:
        return core_services.create_person(
            actor=None,
            email=invitation.email,
            full_name=join_in.full_name,
            password=join_in.password,
        )
    if getattr(actor, "pk", None) != person.pk:
        raise Conflict(
            _("%(email)s already has an account: sign in as %(email)s, then open the link.")
            % {"email": invitation.email}
        )
    # Memberships as stored, not as they count (an unconfirmed person's count for nothing).
    if Membership.objects.filter(person=person, role=Role.SUPPLIER).exists():
        raise Conflict(_("That person already works for a supplier on InFuSe."))
    if is_region_member(person):
        raise Conflict(_("People who work for a council or the programme cannot join a supplier."))
    return person


def accept_invitation(*, token: str, join_in: JoinIn, actor: Any = None) -> Person:
    """Join the organisation that sent the invitation. A new person is created with the
    password given; someone who already has an account must be signed in as that account
    (``actor``) — the link alone never gives access to an existing account. People who work
    for a council or the programme team cannot join a supplier."""
    digest = hashlib.sha256(token.encode()).hexdigest()
    with transaction.atomic():
        invitation = (
            SupplierInvitation.objects.select_for_update().filter(token_sha256=digest).first()
        )
        if invitation is None or invitation.accepted_at or invitation.expires_at < timezone.now():
            raise Conflict(_("This invitation has expired or been used: ask for a new one."))
        person = _joining(invitation, join_in, actor)
        core_services.grant_membership(
            actor=None, person=person, organisation=invitation.organisation, role=Role.SUPPLIER
        )
        forget_roles(person)
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        audit.record_event(
            actor=person,
            action="supplier.colleague_joined",
            obj=invitation.organisation,
            after={"email": person.email},
        )
    return person
