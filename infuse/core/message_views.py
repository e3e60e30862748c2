"""A person's messages in InFuSe, and their choices of what is emailed and in which language."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from infuse.core import notifications, unsubscribe
from infuse.core.errors import NotFound
from infuse.core.forms import MessageChoicesForm
from infuse.core.links import in_language
from infuse.core.models import Council, Notification, Person, Theme, WellbeingGoal
from infuse.core.permissions import is_region_member, person_of


@login_required
@require_http_methods(["GET", "HEAD"])
def inbox(request: HttpRequest) -> HttpResponse:
    person = person_of(request)
    page = Paginator(notifications.messages_of(person), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "core/messages.html",
        {"page": page, "unread": notifications.unread_count(person)},
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def open_message(request: HttpRequest, pk: Any) -> HttpResponse:
    """Mark the message read and go where it points (in the page's language)."""
    try:
        notification = notifications.open_message(person=person_of(request), pk=pk)
    except NotFound:
        messages.error(request, _("That message is not one of yours, or it no longer exists."))
        return redirect("messages")
    if not notification.url:
        return redirect("messages")
    return redirect(in_language(notification.url, get_language() or "en"))


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = notifications.mark_all_read(person_of(request))
    if count:
        messages.success(request, _("All your messages are marked as read."))
    return redirect("messages")


# What a supplier can hear of; the region's staff can hear of everything.
SUPPLIER_TOPICS = [
    Notification.Topic.QUESTION_ANSWERED,
    Notification.Topic.DEADLINE_CHANGED,
    Notification.Topic.OUTCOME,
    Notification.Topic.NEW_CHALLENGE,
]


def _topics(person: Person) -> list[str]:
    if is_region_member(person):
        return list(Notification.Topic.values)
    return [str(topic) for topic in SUPPLIER_TOPICS]


def _initial(person: Person) -> dict[str, Any]:
    alert = notifications.alert_of(person)
    return {
        "language": person.preferred_language,
        "emails": [t for t in _topics(person) if t not in (person.emails_off or [])],
        "alert": "yes" if alert else "no",
        "themes": [t.code for t in alert.themes.all()] if alert else [],
        "goals": [g.code for g in alert.goals.all()] if alert else [],
        "councils": [c.gss_code for c in alert.councils.all()] if alert else [],
    }


def _save(person: Person, data: dict[str, Any]) -> None:
    offered, chosen = set(_topics(person)), set(data["emails"])
    notifications.set_choices(
        person=person,
        language=data["language"],
        # Topics not offered keep the choice made before.
        emails_off=(set(person.emails_off or []) - offered) | (offered - chosen),
    )
    notifications.save_alert(
        person=person,
        wanted=data["alert"] == "yes",
        themes=Theme.objects.filter(code__in=data["themes"]),
        goals=WellbeingGoal.objects.filter(code__in=data["goals"]),
        councils=Council.objects.filter(gss_code__in=data["councils"]),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def message_choices(request: HttpRequest) -> HttpResponse:
    person = person_of(request)
    if request.method == "POST":
        form = MessageChoicesForm(request.POST, topics=_topics(person))
        if form.is_valid():
            _save(person, form.cleaned_data)
            messages.success(request, _("Your choices are saved."))
            return redirect("message_choices")
    else:
        form = MessageChoicesForm(initial=_initial(person), topics=_topics(person))
    return render(
        request,
        "core/message_choices.html",
        {"form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@csrf_exempt  # the signed link is the authority; mail programs POST without cookies (RFC 8058)
@require_http_methods(["GET", "HEAD", "POST"])
def stop_emails(request: HttpRequest, signed: str) -> HttpResponse:
    """An email's unsubscribe link: a page with one button (mail scanners follow links), and
    the ``POST`` of that button, or of the mail program's own "Unsubscribe", turns the topic's
    emails off. See ``infuse.core.unsubscribe``."""
    if request.method == "POST":
        person, topic = unsubscribe.stop(signed)
        stopped = True
    else:
        person, topic = unsubscribe.read(signed)
        stopped = topic in (person.emails_off or [])
    return render(
        request,
        "core/stop_emails.html",
        {"topic": Notification.Topic(topic).label, "stopped": stopped, "email": person.email},
    )
