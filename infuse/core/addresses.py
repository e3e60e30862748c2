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
    """The address as counted: an IPv4 address as it is, an IPv6 one as its /64 network (a
    household or phone holds a whole /64, so counting single addresses let anyone take a
    fresh one per request); a port some proxies append is dropped."""
    text = candidate.strip()
    if text.startswith("[") and "]" in text:  # [2001:db8::1]:443
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # 192.0.2.1:5678
        text = text.split(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def client_address(request: HttpRequest) -> str | None:
    """The client's address: ``REMOTE_ADDR``, or with ``PROXY_COUNT`` trusted proxies in front
    the address the outermost of them saw (``REMOTE_ADDR`` when the header is short or bad)."""
    remote = request.META.get("REMOTE_ADDR")
    remote = _valid(remote) or remote if remote else remote
    proxies = settings.PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part]
    if len(forwarded) < proxies:
        return remote
    return _valid(forwarded[-proxies]) or remote
