"""Telling people what needs them: news in their messages in InFuSe, and by email.

Why news is written in both languages when it is made: the words come from the catalogue in
force now (a later translation must not change what someone was told), the messages page shows
the page's language, and the email goes out in the person's chosen one.

Why the email task is queued in the same transaction as the news: with the database task queue
the two are stored together or not at all, so no email is lost to a crash between them; the
task itself makes sending idempotent (see ``infuse.core.mail``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation

from infuse.core.errors import NotFound
from infuse.core.mail import queue_email
from infuse.core.models import Council, Notification, Person, Subscription, Theme, WellbeingGoal

Words = Callable[[], Any]


@dataclass(frozen=True)
class News:
    """What to tell: ``subject`` and ``body`` are called once per language (inside
    ``translation.override``), so they use ``gettext`` and bilingual fields as any page does.
    ``key`` names the news, so a person hears it once however often it is sent."""

    topic: str
    key: str
    subject: Words
    body: Words
    url: str = ""


def _in_each_language(news: News) -> dict[str, str]:
    fields: dict[str, str] = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            # One line: a line break in a title or a name must never reach a mail header.
            fields[f"subject_{language}"] = " ".join(str(news.subject()).split())[:200]
            fields[f"body_{language}"] = str(news.body())
    return fields


def _reachable(people: Iterable[Person]) -> list[Person]:
    """Each person once, only those who can act on it (active, address confirmed)."""
    unique = {person.pk: person for person in people if person is not None}
    return [p for p in unique.values() if p.is_active and p.email_confirmed]


def notify(people: Iterable[Person], news: News) -> list[Notification]:
    """Give ``news`` to each of ``people`` who has not had it; return the new notifications."""
    recipients = _reachable(people)
    if not recipients:
        return []
    words = _in_each_language(news)
    made: list[Notification] = []
    with transaction.atomic():
        for person in recipients:
            emailed = news.topic not in (person.emails_off or [])
            notification, created = Notification.objects.get_or_create(
                person=person,
                key=news.key[:200],
                defaults={
                    "topic": news.topic,
                    "url": news.url,
                    "email": Notification.Email.PENDING
                    if emailed
                    else Notification.Email.NOT_WANTED,
                    **words,
                },
            )
            if created:
                made.append(notification)
                if emailed:
                    queue_email(notification)
    return made


def messages_of(person: Person) -> QuerySet[Notification]:
    """A person's messages, newest first."""
    return Notification.objects.filter(person=person)


def unread_count(person: Any) -> int:
    if not getattr(person, "is_authenticated", False):
        return 0
    return Notification.objects.filter(person=person, read_at__isnull=True).count()


def open_message(*, person: Person, pk: Any) -> Notification:
    """One of the person's own messages, marked read (nobody opens another's)."""
    notification = Notification.objects.filter(person=person, pk=pk).first()
    if notification is None:
        raise NotFound()
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def mark_all_read(person: Person) -> int:
    return Notification.objects.filter(person=person, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def set_choices(*, person: Person, language: str, emails_off: Iterable[str]) -> Person:
    """The person's language (for emails too) and the topics they do not want emailed."""
    topics = set(Notification.Topic.values)
    person.preferred_language = language
    person.emails_off = sorted(set(emails_off) & topics)
    person.save(update_fields=["preferred_language", "emails_off"])
    return person


def save_alert(
    *,
    person: Person,
    wanted: bool,
    themes: Iterable[Theme] = (),
    goals: Iterable[WellbeingGoal] = (),
    councils: Iterable[Council] = (),
) -> Subscription | None:
    """Start, change or stop the person's alert for new challenges."""
    with transaction.atomic():
        if not wanted:
            Subscription.objects.filter(person=person).delete()
            return None
        alert, _created = Subscription.objects.get_or_create(person=person)
        alert.themes.set(list(themes))
        alert.goals.set(list(goals))
        alert.councils.set(list(councils))
        return alert


def alert_of(person: Person) -> Subscription | None:
    return (
        Subscription.objects.filter(person=person)
        .prefetch_related("themes", "goals", "councils")
        .first()
    )


def _overlaps(chosen: set[int], tagged: set[int]) -> bool:
    return not chosen or bool(chosen & tagged)


def alerted_by(*, themes: set[int], goals: set[int], councils: set[int]) -> list[Person]:
    """Whose alert matches something tagged with these themes, goals and councils (by id):
    each kind the alert chose must share one; a kind it left empty matches anything."""
    matched = []
    for alert in Subscription.objects.select_related("person").prefetch_related(
        "themes", "goals", "councils"
    ):
        if (
            _overlaps({t.pk for t in alert.themes.all()}, themes)
            and _overlaps({g.pk for g in alert.goals.all()}, goals)
            and _overlaps({c.pk for c in alert.councils.all()}, councils)
        ):
            matched.append(alert.person)
    return matched
