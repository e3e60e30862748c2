"""Values every page template needs: service name, navigation, the language switch."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse, translate_url
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from infuse.core.notifications import unread_count
from infuse.core.permissions import awaits_confirmation, roles_of

NAVIGATION = [
    ("datalab:index", _("Data Lab")),
    ("adaption:index", _("Adaption Lab")),
    ("procurement:index", _("Procurement Lab")),
    ("fund:index", _("Challenge Fund")),
]

LANGUAGE_LABELS = {"en": "English", "cy": "Cymraeg"}


def language_links(request: HttpRequest) -> list[dict[str, Any]]:
    """Both languages, each linking to the same page in that language (query string kept)."""
    current = get_language() or settings.LANGUAGE_CODE
    query = request.META.get("QUERY_STRING", "")
    links = []
    for code, label in LANGUAGE_LABELS.items():
        href = translate_url(request.path, code)
        if query:
            href = f"{href}?{query}"
        links.append({"code": code, "label": label, "href": href, "current": code == current})
    return links


def navigation(request: HttpRequest) -> list[dict[str, Any]]:
    path = request.path
    items = []
    for name, label in NAVIGATION:
        try:
            href = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"href": href, "label": label, "active": path.startswith(href)})
    return items


def service(request: HttpRequest) -> dict[str, Any]:
    return {
        "service_name": settings.INFUSE_SERVICE_NAME,
        "service_navigation": navigation(request),
        "language_links": language_links(request),
        "current_roles": roles_of(getattr(request, "user", None)),
        "awaits_confirmation": awaits_confirmation(getattr(request, "user", None)),
        # Counted only when a page shows it (signed in), never for the public.
        "unread_messages": SimpleLazyObject(lambda: unread_count(getattr(request, "user", None))),
    }
