"""Email confirmation: someone who registered themselves acts only after opening a link sent to
the address they gave, so nobody can register (and bid, ask questions, make tokens) as an address
they do not hold.

Why a signed token and no table: the link carries the person's id and address signed with the
site's secret and a purpose salt, so it needs no storage, cannot be forged, stops working when it
is older than ``EMAIL_CONFIRMATION_DAYS`` and is worthless once the address changes. Opening it
twice is harmless.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from infuse.core import audit
from infuse.core.errors import Conflict
from infuse.core.models import Person
from infuse.core.permissions import forget_roles

SALT = "infuse.core.confirm-email"

LinkMaker = Callable[[str], str]


def confirm_path(token: str) -> str:
    """The link's path (pages and the API make it absolute with the request's host)."""
    return reverse("confirm_email", kwargs={"token": token})


def absolute_links(request: HttpRequest) -> LinkMaker:
    """Links in emails are absolute, on the host the person used."""
    return lambda token: request.build_absolute_uri(confirm_path(token))


def _fingerprint(email: str) -> str:
    """The address as the link carries it: hashed, so the link (in proxy and access logs)
    does not spell out whose it is."""
    return hashlib.sha256(email.lower().encode()).hexdigest()[:32]


def token_for(person: Person) -> str:
    claim = {"person": person.pk, "email": _fingerprint(person.email)}
    return signing.dumps(claim, salt=SALT, compress=True)


def send_link(person: Person, link: LinkMaker = confirm_path) -> None:
    """Email ``person`` the link that confirms their address, in their own language."""
    if person.email_confirmed:
        raise Conflict(_("Your email address is confirmed already."))
    url = link(token_for(person))
    with translation.override(person.preferred_language):
        send_mail(
            _("Confirm your email address for InFuSe"),
            _(
                "Open this link to confirm your email address and start using InFuSe: %(link)s\n\n"
                "The link works for %(days)s days. If you did not register, ignore this email."
            )
            % {"link": url, "days": settings.EMAIL_CONFIRMATION_DAYS},
            None,
            [person.email],
        )


def confirm(token: str) -> Person:
    """Confirm the address a link was sent to; the person can act from now on."""
    max_age = settings.EMAIL_CONFIRMATION_DAYS * 86_400
    try:
        claim = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.BadSignature:  # also an expired link (SignatureExpired is a BadSignature)
        raise Conflict(
            _(
                "This confirmation link has expired or is not complete. Sign in and ask for a "
                "new one from your account page."
            )
        ) from None
    with transaction.atomic():
        person = Person.objects.select_for_update().filter(pk=claim.get("person")).first()
        if person is None or _fingerprint(person.email) != claim.get("email"):
            raise Conflict(_("This confirmation link is for an address that is no longer used."))
        if not person.email_confirmed:
            person.email_confirmed_at = timezone.now()
            person.save(update_fields=["email_confirmed_at"])
            audit.record_event(
                actor=person,
                action="person.email_confirmed",
                obj=person,
                after={"email": person.email},
            )
    forget_roles(person)
    return person
