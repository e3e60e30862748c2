"""Emailing a notification: through the task queue, retried, never lost, never sent twice.

Why a claim before sending: each send first moves the notification from "waiting" to "being
emailed" in one UPDATE, so when two tasks for the same notification run (a retry and a worker
restart's sweep, say) only one sends. A failed send goes back to "waiting" with the time of the
next attempt, queued for then; after the last attempt (or a permanent refusal by the mail
server) it is marked "could not be emailed" and stays in the person's messages in InFuSe.
The Message-ID is the notification's own, so a mail system that sees it twice keeps one.
"""

from __future__ import annotations

import datetime as dt
import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F, Q, QuerySet
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from infuse.core import unsubscribe
from infuse.core.links import absolute, in_language
from infuse.core.models import Notification

# Seconds to wait before each further attempt: a minute, 5 minutes, half an hour, 2 and 6 hours.
RETRY_AFTER = (60, 300, 1_800, 7_200, 21_600)
# A claim older than this belonged to a worker that died mid-send: the email is sent again.
STALE_CLAIM = dt.timedelta(minutes=10)


def queue_email(notification: Notification, *, at: dt.datetime | None = None) -> None:
    """Queue the email of ``notification`` (now, or at ``at``)."""
    sender = send_notification_email if at is None else send_notification_email.using(run_after=at)
    sender.enqueue(str(notification.pk))


def _text(notification: Notification, field: str, language: str) -> str:
    return getattr(notification, f"{field}_{language}", "") or getattr(notification, f"{field}_en")


def message_for(notification: Notification) -> EmailMultiAlternatives:
    """The email, in the person's language, as plain text with an HTML alternative."""
    person = notification.person
    language = person.preferred_language
    subject = _text(notification, "subject", language)
    signed = unsubscribe.token(person, notification.topic)
    with translation.override(language):
        context = {
            "person": person,
            "subject": subject,
            "body": _text(notification, "body", language),
            "link": absolute(in_language(notification.url, language)) if notification.url else "",
            "messages_link": absolute(reverse("messages")),
            "choices_link": absolute(reverse("message_choices")),
            "stop_link": absolute(reverse("stop_emails", kwargs={"signed": signed})),
            "topic": Notification.Topic(notification.topic).label,
            "language": language,
        }
        text = render_to_string("core/email/notification.txt", context)
        html = render_to_string("core/email/notification.html", context)
    domain = settings.SITE_URL.split("//")[-1].split("/")[0].split(":")[0] or "infuse.local"
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[person.email],
        headers={
            "Message-ID": f"<notification-{notification.pk}@{domain}>",
            "Auto-Submitted": "auto-generated",
            "Content-Language": language,
            # One-click (RFC 8058): the mail program POSTs to the link itself.
            "List-Unsubscribe": f"<{context['stop_link']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def _permanent(error: Exception) -> bool:
    """A refusal the mail server means for good (5xx): trying again would not help."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def _waiting_and_due(now: dt.datetime) -> QuerySet[Notification]:
    """Emails waiting to be sent whose (next) attempt is due by ``now``."""
    return Notification.objects.filter(
        Q(email_next_attempt_at__isnull=True) | Q(email_next_attempt_at__lte=now),
        email=Notification.Email.PENDING,
    )


def _claim(notification_id: str) -> Notification | None:
    now = timezone.now()
    # Waiting and due: a second task for the same email (queued by a sweep) finds it claimed,
    # or not due before the time its retry was set for.
    claimed = _waiting_and_due(now).filter(pk=notification_id)
    if not claimed.update(
        email=Notification.Email.SENDING,
        email_attempts=F("email_attempts") + 1,
        email_next_attempt_at=now,  # while sending: when the claim was made
    ):
        return None
    return Notification.objects.select_related("person").get(pk=notification_id)


def _failed(notification: Notification, error: Exception) -> str:
    reason = f"{type(error).__name__}: {error}"[:300]
    attempts = notification.email_attempts
    if _permanent(error) or attempts > len(RETRY_AFTER):
        _mark(notification, Notification.Email.FAILED, reason)
        return "failed"
    at = timezone.now() + dt.timedelta(seconds=RETRY_AFTER[attempts - 1])
    Notification.objects.filter(pk=notification.pk).update(
        email=Notification.Email.PENDING, email_error=reason, email_next_attempt_at=at
    )
    queue_email(notification, at=at)
    return "retrying"


def _mark(notification: Notification, state: str, reason: str) -> None:
    Notification.objects.filter(pk=notification.pk).update(
        email=state, email_error=reason[:300], email_next_attempt_at=None
    )


def _not_claimed(notification_id: str) -> str:
    """A task that found nothing to send: sent or being sent already, or (a retry run early,
    by another clock) not due yet, in which case it is queued again for its time."""
    waiting = Notification.objects.filter(
        pk=notification_id, email=Notification.Email.PENDING, email_next_attempt_at__isnull=False
    ).first()
    if waiting is not None and waiting.email_next_attempt_at is not None:
        queue_email(waiting, at=waiting.email_next_attempt_at)
        return "not due yet"
    return "not waiting"


@task()
def send_notification_email(notification_id: str) -> str:
    """Send one notification's email if it still waits; what happened, in a word."""
    notification = _claim(notification_id)
    if notification is None:
        return _not_claimed(notification_id)
    if notification.topic in (notification.person.emails_off or []):
        # Turned off since the news was made: the person's choice now is the one that counts.
        _mark(notification, Notification.Email.NOT_WANTED, "")
        return "not wanted"
    try:
        message_for(notification).send()
    except (OSError, smtplib.SMTPException) as error:
        return _failed(notification, error)
    except Exception as error:  # the message itself cannot be sent (never worth retrying)
        _mark(notification, Notification.Email.FAILED, f"{type(error).__name__}: {error}")
        return "failed"
    Notification.objects.filter(pk=notification.pk).update(
        email=Notification.Email.SENT,
        emailed_at=timezone.now(),
        email_error="",
        email_next_attempt_at=None,
    )
    return "sent"


def requeue_unsent() -> str | None:
    """At a worker's start: queue again every email that waits with no attempt due later, and
    every one a dead worker had claimed, so none is lost."""
    now = timezone.now()
    Notification.objects.filter(
        email=Notification.Email.SENDING, email_next_attempt_at__lt=now - STALE_CLAIM
    ).update(email=Notification.Email.PENDING, email_next_attempt_at=None)
    due = _waiting_and_due(now)
    count = 0
    for notification in due.only("pk"):
        queue_email(notification)
        count += 1
    return f"Queued {count} unsent emails again." if count else None
