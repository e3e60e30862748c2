"""One way to show an error: a GOV.UK page for people, RFC 9457 problem+json for the API.

Both carry the same stable ``key`` and the same translated title and detail, in the language of
the request (URL prefix for pages, Accept-Language for the API).
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from infuse.core.errors import DomainError, PermissionDenied
from infuse.core.permissions import awaits_confirmation, denial_for

PROBLEM_CONTENT_TYPE = "application/problem+json"

PROBLEM_TYPE_BASE = "https://infuse.cymru/problems/"


def _explained(error: DomainError, request: HttpRequest | None) -> DomainError:
    """A bare refusal, explained when the reason is only an unconfirmed email address."""
    if request is None or not isinstance(error, PermissionDenied):
        return error
    if error.message != PermissionDenied.default_message:
        return error
    caller = getattr(request, "auth", None) or getattr(request, "user", None)
    return denial_for(caller) if awaits_confirmation(caller) else error


def problem_body(error: DomainError, request: HttpRequest | None = None) -> dict[str, Any]:
    error = _explained(error, request)
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + error.key,
        "title": str(error.title),
        "status": error.status,
        "detail": str(error.message),
        "key": error.key,
    }
    if request is not None:
        body["instance"] = request.path
    if error.problems:
        body["errors"] = [p.as_dict() for p in error.problems]
    return body


def problem_response(error: DomainError, request: HttpRequest | None = None) -> HttpResponse:
    response = HttpResponse(
        json.dumps(problem_body(error, request), ensure_ascii=False),
        status=error.status,
        content_type=f"{PROBLEM_CONTENT_TYPE}; charset=utf-8",
    )
    if error.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="infuse"'
    return response


def error_page(error: DomainError, request: HttpRequest) -> HttpResponse:
    error = _explained(error, request)
    html = render_to_string(
        "core/error.html",
        {"error": error, "title": error.title, "detail": error.message},
        request=request,
    )
    return HttpResponse(html, status=error.status)


def wants_problem_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or "application/problem+json" in request.headers.get(
        "Accept", ""
    )


def render_error(error: DomainError, request: HttpRequest) -> HttpResponse:
    return (
        problem_response(error, request)
        if wants_problem_json(request)
        else error_page(error, request)
    )
