"""Notification emails through the real task queue to a real SMTP server on loopback:
multipart, in the person's language, retried when the server fails, never sent twice."""

from __future__ import annotations

import datetime as dt
import re
import socket

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone, translation
from django.utils.translation import gettext

from infuse.core.mail import RETRY_AFTER, requeue_unsent, send_notification_email
from infuse.core.models import Notification
from infuse.core.notifications import News, notify
from tests.clients import signed_in_as

# The worker closes database connections between tasks, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


def news(key: str = "n1", topic: str = Notification.Topic.STEP_WAITING) -> News:
    return News(
        topic=topic,
        key=key,
        subject=lambda: gettext("Your messages"),
        body=lambda: f"Body in {translation.get_language()}",
        url="/experiments/",
    )


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_email_arrives_once_multipart_in_the_persons_language(make_person, smtp_inbox):
    person = make_person("officer", preferred_language="cy", full_name="Ceri Jones")
    [made] = notify([person], news())
    assert notify([person], news()) == []  # the same news twice is one notification
    call_command("worker", "--batch")
    [message] = smtp_inbox.messages
    assert message["To"] == person.email
    assert message["Subject"] == made.subject_cy != made.subject_en
    assert message["Content-Language"] == "cy"
    assert message["Message-ID"] == f"<notification-{made.pk}@127.0.0.1>"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Body in cy" in text and "Body in cy" in html and 'lang="cy"' in html
    link = re.search(r"(http://127\.0\.0\.1:8000)(/cy/account/messages/choices/)", text)
    assert link, text
    made.refresh_from_db()
    assert made.email == Notification.Email.SENT and made.emailed_at and made.email_attempts == 1
    # Run again (a retry and a restart's sweep, say): nothing more is sent.
    assert send_notification_email.call(str(made.pk)) == "not waiting"
    assert requeue_unsent() is None
    call_command("worker", "--batch")
    assert len(smtp_inbox.messages) == 1


def test_the_link_in_the_email_opens_the_page_and_marks_the_message_read(make_person, smtp_inbox):
    person = make_person("officer")
    [made] = notify([person], news())
    call_command("worker", "--batch")
    text = smtp_inbox.messages[0].get_body(("plain",)).get_content()
    messages_link = re.search(r"http://127\.0\.0\.1:8000(/account/messages/)\s", text)
    assert messages_link, text
    client = signed_in_as(person)
    page = client.get(messages_link.group(1))
    assert "Your messages" in page.text and "Body in en" in page.text
    opened = client.get(f"/account/messages/{made.pk}/")
    assert opened.status_code == 302 and opened["Location"] == "/experiments/"
    made.refresh_from_db()
    assert made.read_at is not None
    # In Welsh, the same message opens the Welsh page.
    assert client.get(f"/cy/account/messages/{made.pk}/")["Location"] == "/cy/experiments/"


def test_a_failed_send_is_retried_later_and_then_delivered(make_person, smtp_inbox, settings):
    person = make_person("officer")
    [made] = notify([person], news())
    working = settings.MAILERS
    settings.MAILERS = {
        "default": {**working["default"], "OPTIONS": {"host": "127.0.0.1", "port": closed_port()}}
    }
    call_command("worker", "--batch")
    made.refresh_from_db()
    assert made.email == Notification.Email.PENDING and made.email_attempts == 1
    assert "ConnectionRefusedError" in made.email_error
    wait = (made.email_next_attempt_at - timezone.now()).total_seconds()
    assert RETRY_AFTER[0] - 5 < wait <= RETRY_AFTER[0]
    call_command("worker", "--batch")  # not due yet: nothing tried
    made.refresh_from_db()
    assert made.email_attempts == 1 and smtp_inbox.messages == []

    settings.MAILERS = working
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=RETRY_AFTER[0] + 1)):
        call_command("worker", "--batch")
    made.refresh_from_db()
    assert made.email == Notification.Email.SENT and made.email_attempts == 2
    assert len(smtp_inbox.messages) == 1


def test_a_permanent_refusal_or_the_last_attempt_stops_trying(make_person, smtp_inbox):
    smtp_inbox.refuse = "550 No such mailbox"
    person = make_person("officer")
    [refused] = notify([person], news("a"))
    assert send_notification_email.call(str(refused.pk)) == "failed"
    refused.refresh_from_db()
    assert refused.email == Notification.Email.FAILED and "550" in refused.email_error

    smtp_inbox.refuse = "451 Try again later"
    [last] = notify([person], news("b"))
    Notification.objects.filter(pk=last.pk).update(email_attempts=len(RETRY_AFTER))
    assert send_notification_email.call(str(last.pk)) == "failed"
    # Both stay in the person's messages, with why the email did not go.
    client = signed_in_as(person)
    assert client.get("/account/messages/").text.count("Could not be emailed") == 2


def test_a_worker_that_died_mid_send_leaves_the_email_to_the_next(make_person, smtp_inbox):
    person = make_person("officer")
    [made] = notify([person], news())
    Notification.objects.filter(pk=made.pk).update(
        email=Notification.Email.SENDING,
        email_next_attempt_at=timezone.now() - dt.timedelta(minutes=11),
    )
    call_command("worker", "--batch")  # the start-up sweep queues it again
    made.refresh_from_db()
    assert made.email == Notification.Email.SENT
    assert len(smtp_inbox.messages) == 1


def test_a_topic_turned_off_is_not_emailed_but_reaches_the_messages(make_person, smtp_inbox):
    person = make_person("officer", emails_off=[Notification.Topic.STEP_WAITING])
    [made] = notify([person], news())
    call_command("worker", "--batch")
    assert smtp_inbox.messages == []
    assert made.email == Notification.Email.NOT_WANTED
    assert "Body in en" in signed_in_as(person).get("/account/messages/").text


def test_a_message_that_cannot_be_sent_fails_once_and_a_late_choice_counts(make_person, smtp_inbox):
    person = make_person("officer")
    [broken] = notify([person], news("broken"))
    Notification.objects.filter(pk=broken.pk).update(
        subject_en="Two\nlines", subject_cy="Dwy\nlinell"
    )
    assert send_notification_email.call(str(broken.pk)) == "failed"
    broken.refresh_from_db()
    assert broken.email == Notification.Email.FAILED and "ValueError" in broken.email_error
    assert requeue_unsent() is None  # never tried again, never stuck "being emailed"
    # Turned off after the news was made: not emailed.
    [later] = notify([person], news("later"))
    person.emails_off = [Notification.Topic.STEP_WAITING]
    person.save()
    assert send_notification_email.call(str(later.pk)) == "not wanted"
    assert smtp_inbox.messages == []
    # A retry run before its time (another clock) is queued again for its time.
    [retry] = notify([make_person("analyst")], news("retry"))
    due = timezone.now() + dt.timedelta(minutes=5)
    Notification.objects.filter(pk=retry.pk).update(email_next_attempt_at=due)
    assert send_notification_email.call(str(retry.pk)) == "not due yet"
    with time_machine.travel(due + dt.timedelta(seconds=1)):
        call_command("worker", "--batch")
    assert len(smtp_inbox.messages) == 1


def test_a_subject_never_carries_a_line_break(make_person):
    news_with_break = News(
        topic=Notification.Topic.STEP_WAITING,
        key="k",
        subject=lambda: "Title\r\nBcc: someone@example.com",
        body=lambda: "body",
    )
    [made] = notify([make_person("officer")], news_with_break)
    assert made.subject_en == "Title Bcc: someone@example.com"


def test_one_click_unsubscribe_stops_that_topics_emails_without_signing_in(make_person, smtp_inbox):
    """RFC 8058: the mail program POSTs to the header's link itself, with no cookie or token."""
    from django.test import Client

    person = make_person("officer", preferred_language="cy")
    notify([person], news("n1", Notification.Topic.WORK_DONE))
    call_command("worker", "--batch")
    [message] = smtp_inbox.messages
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header = re.fullmatch(
        r"<http://127\.0\.0\.1:8000(/cy/account/emails/stop/[^/]+/)>", message["List-Unsubscribe"]
    )
    assert header, message["List-Unsubscribe"]
    stop = header.group(1)
    assert stop in message.get_body(("plain",)).get_content()
    mail_program = Client(enforce_csrf_checks=True)
    page = mail_program.get(stop)  # following the link (a scanner does) changes nothing
    assert page.status_code == 200 and "Atal yr e-byst hyn" in page.text
    person.refresh_from_db()
    assert Notification.Topic.WORK_DONE not in person.emails_off
    for _ in range(2):  # and again: nothing more changes
        done = mail_program.post(stop, "List-Unsubscribe=One-Click", "text/plain")
        assert done.status_code == 200 and "wedi'u diffodd" in done.text
    person.refresh_from_db()
    assert person.emails_off == [Notification.Topic.WORK_DONE]  # that topic alone
    notify([person], news("n2", Notification.Topic.WORK_DONE))
    notify([person], news("n3", Notification.Topic.STEP_WAITING))
    call_command("worker", "--batch")
    assert len(smtp_inbox.messages) == 2  # the step still emailed; the finished work not
    assert Notification.objects.get(key="n2").email == Notification.Email.NOT_WANTED


def test_an_altered_unsubscribe_link_finds_nothing(make_person):
    import json

    from django.core import signing
    from django.test import Client

    from infuse.core import unsubscribe

    person = make_person("officer")
    signed = unsubscribe.token(person, Notification.Topic.WORK_DONE)
    other = make_person("officer")
    payload = signing.b64_encode(json.dumps([str(other.pk), "work_done"]).encode()).decode()
    forged = payload + signed[signed.index(":") :]  # someone else, under this signature
    for link in (forged, signed[:-2] + "xx", "nothing"):
        assert Client().post(f"/account/emails/stop/{link}/").status_code == 404
    other.refresh_from_db()
    assert other.emails_off in ([], None)
