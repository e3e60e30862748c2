"""The address a request came from, as the sign-in lockout and the rate limits count it.

Why not ``REMOTE_ADDR`` alone: behind a reverse proxy every request comes from the proxy, so
one person's failed sign-ins locked everyone out and every anonymous registration shared one
count. Why not the left-most ``X-Forwarded-For`` entry: the client writes it, so anyone could
pick a fresh address per request. The proxies we run each append the address they saw, so the
client is the entry ``INFUSE_PROXY_COUNT`` places from the right; anything left of it is the
client's own claim and is ignored.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(candidate: str) -> str | None:
    try:
        return str(ipaddress.ip_address(candidate.strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str | None:
    """The client's address: ``REMOTE_ADDR``, or with ``PROXY_COUNT`` trusted proxies in front
    the address the outermost of them saw (``REMOTE_ADDR`` when the header is short or bad)."""
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part]
    if len(forwarded) < proxies:
        return remote
    return _valid(forwarded[-proxies]) or remote
