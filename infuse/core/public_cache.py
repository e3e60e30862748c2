"""Pages the public reads, kept once rendered until anything they could show changes.

Why: a public page is read far more often than anything on it changes, and rendering it (the
disclosure control, the charts, thousands of formatted numbers) cost an indicator page 30-80 ms
per visitor. A rendered page is kept in the cache under the **content generation**: one token
in the database that every committed write to the platform's own tables replaces. A page is
therefore never older than the data it was rendered from, whichever process wrote (a web
worker, the task worker, a command), and nobody has to remember which page shows what.

How writes are seen: every statement Django sends passes :func:`_watch` (installed on each new
connection); any statement other than a read (:data:`READS`) moves the generation on unless
it plainly writes a table in :data:`PRIVATE_TABLES` (fail safe: a write the watch cannot read
counts as public). It moves: at once outside a transaction; inside one, when it commits (a
rollback takes the data and the move back together), or earlier when the same connection asks
for the generation (a page rendered inside that transaction sees its own writes).
``bulk_create`` and ``QuerySet.update`` are statements too, so they are seen, unlike model
signals. The generation is a random token, not a count, so a key never comes back.

What is kept: ``GET`` pages (and ``HEAD``, answered as ``GET``) for someone signed out who holds
no session or messages cookie, answered ``200`` without setting a cookie or varying on one
(a page with a form's CSRF token varies on the cookie and is never kept) or a policy of its own.
The API's answers to signed-out readers are kept the same way (its language comes from
``Accept-Language``, in the key); a request with a token never is. The key holds the
generation, the language, the scheme and host, the full path with its query, the kind of answer
asked for and today's date (words such as "closes in 3 days" change at midnight); entries also
expire after ``PUBLIC_PAGE_CACHE_SECONDS``. Pages come from the ``default`` cache, Django's
local memory: each process keeps its own.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.middleware.csp import get_nonce
from django.utils import timezone

GENERATION_TABLE = "core_contentgeneration"
#: Tables whose rows never appear on a public page: writing them must not empty the cache (a
#: signed-in page view writes some of them).
PRIVATE_TABLES = frozenset(
    {
        GENERATION_TABLE,
        "core_auditevent",
        "core_audithead",
        "core_apitoken",
        "core_notification",
        "core_ratecounter",
        "core_subscription",
        "core_taskprogress",
        "django_admin_log",
        "django_session",
        "django_tasks_database_dbtaskresult",
        "axes_accessattempt",
        "axes_accessattemptexpiration",
        "axes_accessfailurelog",
        "axes_accesslog",
    }
)
_ignored = set(PRIVATE_TABLES)


def ignore_writes_to(*tables: str) -> None:
    """Writes to ``tables`` change nothing a page shows (derived data another slice keeps,
    such as decisions it can always make again from what pages do show)."""
    _ignored.update(table.lower() for table in tables)


#: Cookies a signed-out reader may hold without the page being personal.
NEUTRAL_COOKIES = frozenset({"csrftoken", "django_language"})
NONCE_PLACEHOLDER = b"__infuse_csp_nonce__"
#: Statements that change nothing; any other statement counts as a write (fail safe: a write
#: the watch cannot read is taken as one to a public table).
READS = re.compile(
    r"^\s*(?:SELECT|SAVEPOINT|RELEASE|ROLLBACK|BEGIN|COMMIT|PRAGMA|SET|SHOW|EXPLAIN|DECLARE|FETCH|CLOSE)\b",
    re.IGNORECASE,
)
#: The table a plain write names (SQLite's ``INSERT OR IGNORE`` of many-to-many links too).
TARGET = re.compile(
    r"^\s*(?:(?:INSERT|REPLACE)(?:\s+OR\s+\w+)?\s+INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)"
    r'\s+[`"]?(\w+)[`"]?(?:[\s(]|$)',
    re.IGNORECASE,
)
# Built from the constant table name alone.
READ = f"SELECT token FROM {GENERATION_TABLE} WHERE id = 1"  # noqa: S608
MOVE_ON = (
    f"INSERT INTO {GENERATION_TABLE} (id, token) VALUES (1, %s) "  # noqa: S608
    "ON CONFLICT (id) DO UPDATE SET token = excluded.token"
)


class _Migrating:
    """Whether ``migrate`` is running: its tables (the generation's own among them) may not be
    there yet, so its writes are not watched; the generation moves once when it ends."""

    now = False


def migration_started(sender: Any, **kwargs: Any) -> None:
    """``pre_migrate`` receiver."""
    _Migrating.now = True


def migration_finished(sender: Any, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """``post_migrate`` receiver: what data migrations wrote was not watched, so the
    generation moves on once now (a failed ``migrate`` ends its process)."""
    _Migrating.now = False
    if using == DEFAULT_DB_ALIAS:
        _move_on(connections[using])


def _watch(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    """Run the statement; if it wrote a public table, move the generation on (see above)."""
    result = execute(sql, params, many, context)
    if _Migrating.now or READS.match(sql):
        return result
    target = TARGET.match(sql)
    if target is None or target.group(1).lower() not in _ignored:
        _changed(context["connection"])
    return result


def _changed(connection: Any) -> None:
    if not connection.in_atomic_block:
        _move_on(connection)
        return
    connection.infuse_content_changed = True
    callback = _commit_callback(connection)
    if not any(func is callback for _ids, func, _robust in connection.run_on_commit):
        # Robust: the data is committed whatever happens here; a failure is logged and this
        # process's kept pages are dropped (others' expire within PUBLIC_PAGE_CACHE_SECONDS).
        transaction.on_commit(callback, using=connection.alias, robust=True)


def _commit_callback(connection: Any) -> Callable[[], None]:
    """One callback object per connection, so a transaction registers it once."""
    callback = getattr(connection, "infuse_move_on", None)
    if callback is None:

        def callback() -> None:
            # Always, even if a read in the transaction moved it already: that move may have
            # been inside a savepoint since rolled back.
            try:
                _move_on(connection)
            except Exception:
                cache.clear()
                raise

        connection.infuse_move_on = callback
    return callback


def _move_on(connection: Any) -> None:
    connection.infuse_content_changed = False
    _on_generation_table(connection, MOVE_ON, [secrets.token_hex(8)])


def _on_generation_table(connection: Any, sql: str, params: list[Any]) -> tuple[Any, ...] | None:
    """Run ``sql``; its first row, or None. A database without the generation's table (being
    migrated back past it, or not yet forward) keeps nothing and loses nothing: inside a
    transaction the statement runs in a savepoint, so its failure spoils nothing else. Any
    other failure is raised: a write that cannot move the generation on must not pass."""
    try:
        # Outside a transaction the statement stands alone (no transaction of our own: the
        # statement that triggered it may still be fetching its rows).
        guard = transaction.atomic(using=connection.alias) if connection.in_atomic_block else None
        with guard or contextlib.nullcontext(), connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone() if cursor.description else None
    except DatabaseError:
        if GENERATION_TABLE in connection.introspection.table_names():
            raise
        return None


def watch_connection(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created`` receiver: every statement of the connection passes the watch."""
    if connection.alias == DEFAULT_DB_ALIAS and _watch not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch)


def generation() -> str | None:
    """The current content generation, or None when there is none yet (a database emptied
    by a test's flush): then nothing is kept."""
    connection = connections[DEFAULT_DB_ALIAS]
    if getattr(connection, "infuse_content_changed", False):
        _move_on(connection)
    row = _on_generation_table(connection, READ, [])
    return str(row[0]) if row else None


def _keepable_request(request: HttpRequest) -> bool:
    """A signed-out reader's plain GET, with nothing personal about it."""
    if request.method != "GET" or "HTTP_AUTHORIZATION" in request.META:
        return False
    if any(name not in NEUTRAL_COOKIES for name in request.COOKIES):
        return False
    path = request.path_info.removeprefix("/cy")
    return not path.startswith(settings.PUBLIC_PAGE_CACHE_SKIP)


def _keepable_response(request: HttpRequest, response: HttpResponse) -> bool:
    """A whole page that says the same to every signed-out reader."""
    if response.status_code != 200 or isinstance(response, StreamingHttpResponse):
        return False
    if response.cookies or "Cookie" in response.get("Vary", ""):
        return False
    # A view's own security policy lives on the response object, not in what is kept.
    if hasattr(response, "_csp_config") or hasattr(response, "_csp_ro_config"):
        return False
    cache_control = response.get("Cache-Control", "")
    if "private" in cache_control or "no-store" in cache_control:
        return False
    # The page used a CSRF token (a form), changed the session, or queued a message: the
    # outer middleware would make it personal.
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or request.META.get("CSRF_COOKIE_USED"):
        return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    if getattr(getattr(request, "_messages", None), "added_new", False):
        return False
    return len(response.content) <= settings.PUBLIC_PAGE_CACHE_MAX_BYTES


def _accepted(accept: str) -> str:
    """What of ``Accept`` changes an answer (a problem as JSON, or a page): a raw header in
    the key would let anyone fill the cache with copies."""
    return "problem" if "problem+json" in accept else "json" if "json" in accept else "html"


def _key(request: HttpRequest, token: str) -> str:
    parts = [
        token,
        str(getattr(request, "LANGUAGE_CODE", "")),
        request.scheme or "",
        request.get_host(),
        request.get_full_path(),
        _accepted(request.META.get("HTTP_ACCEPT", "")),
        timezone.localdate().isoformat(),
    ]
    return "page:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


class PublicPageCacheMiddleware:
    """Answer a signed-out reader from the page kept for the current content generation, or
    render it and keep it (see the module docstring for what is kept and for how long)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.PUBLIC_PAGE_CACHE_SECONDS <= 0 or not _keepable_request(request):
            return self.get_response(request)
        if request.user.is_authenticated:
            return self.get_response(request)
        token = generation()
        if token is None:
            return self.get_response(request)
        key = _key(request, token)
        kept = cache.get(key)
        if kept is not None:
            status, headers, content = kept
            return HttpResponse(_with_nonce(request, content), status=status, headers=headers)
        response = self.get_response(request)
        if _keepable_response(request, response):
            content = _without_nonce(request, response.content)
            cache.set(
                key,
                (response.status_code, dict(response.headers), content),
                settings.PUBLIC_PAGE_CACHE_SECONDS,
            )
        return response


def _without_nonce(request: HttpRequest, content: bytes) -> bytes:
    """The page with its script nonce (this request's own) replaced by a placeholder."""
    nonce = get_nonce(request)
    if not nonce:  # never generated: the page has none
        return content
    return content.replace(str(nonce).encode(), NONCE_PLACEHOLDER)


def _with_nonce(request: HttpRequest, content: bytes) -> bytes:
    """The kept page with this request's nonce, which the policy header will then name: a
    nonce served twice would let an injected script reuse it."""
    if NONCE_PLACEHOLDER not in content:
        return content
    nonce = get_nonce(request)
    return content.replace(NONCE_PLACEHOLDER, str(nonce).encode()) if nonce is not None else content
