"""How API callers are recognised: a personal token, the browser session, or the public.

Endpoints that serve the public too use ``OPTIONAL_AUTH``: a caller with a valid token or
session acts as that person (and sees more), anyone else acts as the anonymous public.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from infuse.core import ratelimit, services


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``: a personal API token."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        person = services.authenticate_token(token)
        if person is not None:
            ratelimit.check(request, "token", who=f"token:{token}")  # hashed before it is kept
        return person


class SessionAuth(APIKeyCookie):
    """The browser session of a signed-in person (CSRF-checked for unsafe methods)."""

    param_name = "sessionid"

    def _get_key(self, request: HttpRequest) -> str | None:
        """Check CSRF only for a request that carries a signed-in session.

        Why: CSRF protects a session from being used by another site. A request with no
        session (no token, a revoked token, the public) has nothing to protect, so checking it
        first answered 403 "CSRF check Failed" where the caller needed 401 (sign in) or, on a
        public endpoint such as supplier registration, to go on as the public.
        """
        if not _signed_in(request):
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return request.user if _signed_in(request) else None


def _signed_in(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_active)


def public_access(request: HttpRequest) -> AnonymousUser | None:
    """The last resort of OPTIONAL_AUTH: no credentials at all means the public.

    A request that did send a bearer token which failed is refused (401), not downgraded.
    """
    if request.headers.get("Authorization"):
        return None
    return AnonymousUser()


def caller(request: HttpRequest) -> Any:
    """Who the API request acts as: a Person, or AnonymousUser on public endpoints."""
    return getattr(request, "auth", None)


SIGNED_IN_AUTH = [TokenAuth(), SessionAuth()]
OPTIONAL_AUTH = [TokenAuth(), SessionAuth(), public_access]
