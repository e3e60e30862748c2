"""Rate limits on what one person or one address can make the service do: signing in,
registering, running SQL (how often, and how many seconds of query time), uploading, using an
API token.

Why counted in the database: limits must hold across every web worker and machine, and the
embedded default has no shared cache (SQLite, no Redis). One counter row per key and fixed
window, moved by a conditional ``UPDATE … SET count = count + 1`` (atomic on SQLite and
PostgreSQL), costs one write per limited request. Old windows are deleted as new ones start.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils.translation import gettext as _

from infuse.core.addresses import client_address
from infuse.core.errors import TooManyRequests
from infuse.core.models import RateCounter

F_ = TypeVar("F_", bound=Callable[..., Any])


@dataclass(frozen=True)
class Limit:
    """At most ``times`` in ``seconds``."""

    times: int
    seconds: int

    @classmethod
    def of(cls, action: str) -> Limit:
        times, seconds = settings.RATE_LIMITS[action]
        return cls(int(times), int(seconds))


def _window(seconds: int, now: float) -> int:
    return int(now // seconds) * seconds


def _add(key: str, limit: Limit, amount: int, now: float) -> tuple[int, int]:
    """Add ``amount`` to ``key``'s count in the current window; (window, count after)."""
    window = _window(limit.seconds, now)
    digest = hashlib.sha256(key.encode()).hexdigest()[:40]  # addresses are not kept as such
    with transaction.atomic():
        counted = RateCounter.objects.filter(key=digest, window=window)
        if not counted.update(count=F("count") + amount):
            try:
                with transaction.atomic():
                    RateCounter.objects.create(key=digest, window=window, count=amount)
                RateCounter.objects.filter(window__lt=window - 86_400).delete()
            except IntegrityError:  # another request made the row first
                counted.update(count=F("count") + amount)
        return window, counted.values_list("count", flat=True).get()


def _refusal(window: int, limit: Limit, now: float, message: Any) -> TooManyRequests:
    wait = max(1, round((window + limit.seconds - now) / 60))
    said = message or _("You have done that too often. Try again in %(minutes)s minutes.")
    return TooManyRequests(said % {"minutes": wait})


def hit(key: str, limit: Limit, *, now: float | None = None) -> int:
    """Count one use of ``key``; raise TooManyRequests when it is over the limit."""
    now = time.time() if now is None else now
    window, count = _add(key, limit, 1, now)
    if count > limit.times:
        raise _refusal(window, limit, now, None)
    return count


@contextlib.contextmanager
def metered(action: str, who: str, *, message: Any) -> Iterator[None]:
    """A budget of seconds: refuse when ``who`` has used up ``action``'s seconds in this
    window; else run the block and charge the (whole) seconds it took, even if it failed.
    The block itself is never cut short: the next attempt is refused."""
    if not settings.RATE_LIMITS_ENABLED:
        yield
        return
    limit, key, now = Limit.of(action), f"{action}:{who}", time.time()
    window, used = _add(key, limit, 0, now)
    if used >= limit.times:
        raise _refusal(window, limit, now, message)
    started = time.monotonic()
    try:
        yield
    finally:
        _add(key, limit, math.ceil(time.monotonic() - started), time.time())


def check(request: HttpRequest, action: str, *, who: str | None = None) -> None:
    """Count ``action`` for ``who`` (a token, say), else the signed-in person, else the
    address. Signed-in people are counted as themselves, not by address: a council's staff
    often share one address."""
    if not settings.RATE_LIMITS_ENABLED:
        return
    if who is None:
        # The API's caller (a token's person) or the page's signed-in person.
        person = next(
            (
                candidate
                for candidate in (getattr(request, "auth", None), getattr(request, "user", None))
                if getattr(candidate, "is_authenticated", False)
            ),
            None,
        )
        who = f"person:{person.pk}" if person else f"address:{client_address(request)}"
    hit(f"{action}:{who}", Limit.of(action))


def rate_limited(action: str, *, methods: tuple[str, ...] = ("POST",)) -> Callable[[F_], F_]:
    """A view (or API operation) that counts ``action`` on each request of ``methods``."""

    def decorate(view: F_) -> F_:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if request.method in methods:
                check(request, action)
            return view(request, *args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate
