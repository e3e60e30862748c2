"""One-click unsubscribe (RFC 8058): every email can turn off its own topic's emails.

Why a signed link and no sign-in: mail programs offer "Unsubscribe" from the ``List-Unsubscribe``
header and send the request themselves (a ``POST`` without cookies), and a person reading an
email on a phone should not need their password to stop it. The link names the person and the
topic and is signed with the site's secret, so nobody can make one for someone else; it does
not expire, because a link in an old email must still work. Following the link only shows a
page with a button (mail scanners follow links); the ``POST``, by the button or by the mail
program, makes the change. The person turns the emails back on in their message choices.
"""

from __future__ import annotations

from django.core import signing

from infuse.core.errors import NotFound
from infuse.core.models import Notification, Person

SALT = "infuse.core.unsubscribe"


def token(person: Person, topic: str) -> str:
    """The signed part of the link that stops ``person``'s emails about ``topic``."""
    return signing.dumps([str(person.pk), topic], salt=SALT, compress=False)


def read(signed: str) -> tuple[Person, str]:
    """The person and topic a link names; ``NotFound`` for a link that was altered or names
    someone or something that no longer exists."""
    try:
        person_pk, topic = signing.loads(signed, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise NotFound() from error
    person = Person.objects.filter(pk=person_pk, is_active=True).first()
    if person is None or topic not in Notification.Topic.values:
        raise NotFound()
    return person, str(topic)


def stop(signed: str) -> tuple[Person, str]:
    """Turn off the emails a link names (again is fine: nothing changes)."""
    person, topic = read(signed)
    if topic not in (person.emails_off or []):
        person.emails_off = sorted({*(person.emails_off or []), topic})
        person.save(update_fields=["emails_off"])
    return person, topic
