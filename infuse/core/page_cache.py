"""Pages kept once rendered until anything they could show changes: for the public, and for
each signed-in person.

Why: a page is read far more often than anything on it changes, and rendering it (the
disclosure control, the charts, thousands of formatted numbers, a person's work across the
labs) cost 20-80 ms per request. A rendered page is kept in the cache under a **generation**:
a token in the database that committed writes replace. There are two. The *public* generation
moves on every committed write to a table the public could see; the *personal* one on every
write to any table a page could show (a person's messages, their work's progress, sessions and
the audit trail too). A page is therefore never older than the data it was rendered from, whichever
process wrote (a web worker, the task worker, a command), and nobody has to remember which
page shows what.

How writes are seen: every statement Django sends passes :func:`_watch` (installed on each new
connection); any statement other than a read (:data:`READS`) moves the generations on unless it
plainly writes a table no page shows (:data:`NEVER_SHOWN`: rate counters, sign-in attempts,
the generations themselves), and it leaves the public one alone when it plainly
writes a table only signed-in pages show (:data:`PRIVATE_TABLES`). A write the watch cannot
read moves both (fail safe). They move: at once outside a transaction; inside one, when it
commits (a rollback takes the data and the move back together), or earlier when the same
connection asks for a generation (a page rendered inside that transaction sees its own
writes). ``bulk_create`` and ``QuerySet.update`` are statements too, so they are seen, unlike
model signals. A generation is a random token, not a count, so a key never comes back.

What is kept: ``GET`` pages (and ``HEAD``, answered as ``GET``) answered ``200`` without a
cookie of their own, a security policy of their own or ``no-store``, that left the session
unchanged and queued no message, at most ``PAGE_CACHE_MAX_BYTES``. Paths under
``PAGE_CACHE_SKIP`` (accounts, admin, the API's schema) never are.

- For someone signed out who holds no session or messages cookie, the page must not use a CSRF
  token (a form would set the cookie); it is kept for everyone under the public generation.
  The API's answers to signed-out readers are kept the same way (their language comes from
  ``Accept-Language``, in the key); a request with a token never is.
- For someone signed in, with no message waiting for them, it is kept for them and that
  session alone (person and session in the key) under the personal generation, for at most
  ``PERSONAL_PAGE_CACHE_SECONDS``. Its forms' CSRF tokens are kept as placeholders and each
  request gets a fresh one of its own, as a fresh render would. Whose the session is, is kept
  too, under the same generation (signing out, a new password, an account turned off are
  writes that move it), so the session is not read again for a kept page; a session that
  expires by the clock alone can re-read, for at most that long, pages it was already given.

The key also holds the language, the scheme and host, the full path with its query, the kind of
answer asked for and today's date (words such as "closes in 3 days" change at midnight). A kept
page's CSP nonce is replaced by each reader's own. Pages come from the ``default`` cache,
Django's local memory: each process keeps its own.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.middleware.csp import get_nonce
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.cache import patch_vary_headers

GENERATION_TABLE = "core_contentgeneration"
#: The generations' rows in :data:`GENERATION_TABLE`.
PUBLIC, PERSONAL = 1, 2
BOTH = (PUBLIC, PERSONAL)
#: Tables whose rows no kept page shows: writing them moves neither generation (a page view
#: writes some of them: rate counters).
NEVER_SHOWN = frozenset(
    {
        GENERATION_TABLE,
        "core_ratecounter",
        "django_admin_log",
        "django_tasks_database_dbtaskresult",
        "axes_accessattempt",
        "axes_accessattemptexpiration",
        "axes_accessfailurelog",
        "axes_accesslog",
    }
)
#: Tables only signed-in pages show: writing them moves the personal generation alone.
PRIVATE_TABLES = frozenset(
    {
        "core_auditevent",
        "core_audithead",
        "core_apitoken",
        "core_notification",
        "core_subscription",
        "core_taskprogress",
        # A page may show what the session holds: writing it moves personal pages on.
        "django_session",
    }
)
_never_shown = set(NEVER_SHOWN)


def ignore_writes_to(*tables: str) -> None:
    """Writes to ``tables`` change nothing a page shows (derived data another slice keeps,
    such as decisions it can always make again from what pages do show)."""
    _never_shown.update(table.lower() for table in tables)


#: Cookies a signed-out reader may hold without the page being personal.
NEUTRAL_COOKIES = frozenset({"csrftoken", "django_language"})
#: A form's CSRF field as ``{% csrf_token %}`` writes it.
CSRF_FIELD = re.compile(rb'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]{32,64}"')
#: Where the messages framework's session storage keeps messages waiting to be shown.
MESSAGES_SESSION_KEY = "_messages"
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
READ = f"SELECT token FROM {GENERATION_TABLE} WHERE id = %s"  # noqa: S608
MOVE_ON = (
    f"INSERT INTO {GENERATION_TABLE} (id, token) VALUES {{rows}} "  # noqa: S608
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
        _move_on(connections[using], BOTH)


def _watch(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    """Run the statement; if it wrote a table a page shows, move the generations that show it
    on (see the module docstring)."""
    result = execute(sql, params, many, context)
    if _Migrating.now or READS.match(sql):
        return result
    target = TARGET.match(sql)
    table = target.group(1).lower() if target is not None else None
    if table is None or table not in _never_shown:
        _changed(context["connection"], (PERSONAL,) if table in PRIVATE_TABLES else BOTH)
    return result


def _marks(connection: Any, name: str) -> set[int]:
    marks = getattr(connection, name, None)
    if marks is None:
        marks = set()
        setattr(connection, name, marks)
    return marks


def _pending(connection: Any) -> set[int]:
    """The generations the open transaction's writes will move on, not moved yet."""
    return _marks(connection, "infuse_pending")


def _at_commit(connection: Any) -> set[int]:
    """The generations the open transaction's commit moves on (moved early or not)."""
    return _marks(connection, "infuse_at_commit")


def _changed(connection: Any, kinds: tuple[int, ...]) -> None:
    if not connection.in_atomic_block:
        _move_on(connection, kinds)
        return
    _pending(connection).update(kinds)
    _at_commit(connection).update(kinds)
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
            kinds = tuple(sorted(_at_commit(connection))) or BOTH
            _at_commit(connection).clear()
            try:
                _move_on(connection, kinds)
            except Exception:
                cache.clear()
                raise

        connection.infuse_move_on = callback
    return callback


def _move_on(connection: Any, kinds: tuple[int, ...]) -> None:
    _pending(connection).difference_update(kinds)
    tokens = {kind: secrets.token_hex(8) for kind in kinds}
    connection.infuse_moved_to = {**getattr(connection, "infuse_moved_to", {}), **tokens}
    rows = ", ".join("(%s, %s)" for _kind in kinds)
    params = [value for kind, token in tokens.items() for value in (kind, token)]
    _on_generation_table(connection, MOVE_ON.format(rows=rows), params)


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


def generation(kind: int = PUBLIC) -> str | None:
    """The current public (or personal) generation, or None when there is none yet (a
    database emptied by a test's flush): then nothing is kept."""
    connection = connections[DEFAULT_DB_ALIAS]
    if kind in _pending(connection):
        _move_on(connection, tuple(sorted(_pending(connection))))
    row = _on_generation_table(connection, READ, [kind])
    # A transaction that wrote must read a generation it moved to: if not, the move was in a
    # savepoint since rolled back, and a page showing the writes still standing must not be
    # kept under the committed generation.
    wrote = connection.in_atomic_block and kind in _at_commit(connection)
    if row and wrote and row[0] != getattr(connection, "infuse_moved_to", {}).get(kind):
        _move_on(connection, tuple(sorted(_at_commit(connection))))
        row = _on_generation_table(connection, READ, [kind])
    return str(row[0]) if row else None


@dataclass(frozen=True)
class _Reader:
    """Whose kept pages a request may have, under which generation: everyone's (no
    ``person``) or one session's (``session``, a digest of its key)."""

    kind: int
    token: str
    seconds: int
    person: str = ""
    session: str = ""


@dataclass(frozen=True)
class _KnownSession:
    """Whose a session was, seen while its personal generation stood: any write to sessions
    or people (signing out, a new password, an account turned off) moves it on, so while it
    stands the session is still theirs and need not be read again."""

    person: str


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _known_session_key(token: str, session: str) -> str:
    return f"session:{token}:{session}"


def _reader(request: HttpRequest) -> _Reader | None:
    """Who asks, if what they ask for may be kept: a plain ``GET`` of a page that can be kept,
    by someone signed out with nothing personal about the request, or signed in with no
    message waiting to be shown."""
    if request.method != "GET" or "HTTP_AUTHORIZATION" in request.META:
        return None
    if request.path_info.removeprefix("/cy").startswith(settings.PAGE_CACHE_SKIP):
        return None
    cookies = set(request.COOKIES) - NEUTRAL_COOKIES
    if not cookies:
        if settings.PUBLIC_PAGE_CACHE_SECONDS <= 0 or request.user.is_authenticated:
            return None
        token = generation(PUBLIC)
        return _Reader(PUBLIC, token, settings.PUBLIC_PAGE_CACHE_SECONDS) if token else None
    if cookies != {settings.SESSION_COOKIE_NAME} or settings.PERSONAL_PAGE_CACHE_SECONDS <= 0:
        return None
    token = generation(PERSONAL)
    if token is None:
        return None
    session = _digest(request.COOKIES[settings.SESSION_COOKIE_NAME])
    seconds = settings.PERSONAL_PAGE_CACHE_SECONDS
    known = cache.get(_known_session_key(token, session))
    if isinstance(known, _KnownSession):
        return _Reader(PERSONAL, token, seconds, person=known.person, session=session)
    if not request.user.is_authenticated or MESSAGES_SESSION_KEY in request.session:
        return None
    return _Reader(PERSONAL, token, seconds, person=str(request.user.pk), session=session)


def _keepable_response(request: HttpRequest, response: HttpResponse, reader: _Reader) -> bool:
    """A whole page that says the same to everyone it is kept for (see the module docstring)."""
    if response.status_code != 200 or isinstance(response, StreamingHttpResponse):
        return False
    if response.cookies:
        return False
    # A view's own security policy lives on the response object, not in what is kept.
    if hasattr(response, "_csp_config") or hasattr(response, "_csp_ro_config"):
        return False
    if "no-store" in response.get("Cache-Control", ""):
        return False
    if reader.kind == PUBLIC:
        if "Cookie" in response.get("Vary", "") or "private" in response.get("Cache-Control", ""):
            return False
        # A form's CSRF token: the outer middleware would set the reader a cookie.
        if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or request.META.get("CSRF_COOKIE_USED"):
            return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    if getattr(getattr(request, "_messages", None), "added_new", False):
        return False
    return len(response.content) <= settings.PAGE_CACHE_MAX_BYTES


def _accepted(accept: str) -> str:
    """What of ``Accept`` changes an answer (a problem as JSON, or a page): a raw header in
    the key would let anyone fill the cache with copies."""
    return "problem" if "problem+json" in accept else "json" if "json" in accept else "html"


def _key(request: HttpRequest, reader: _Reader) -> str:
    parts = [
        reader.token,
        reader.person,
        reader.session,
        str(getattr(request, "LANGUAGE_CODE", "")),
        request.scheme or "",
        request.get_host(),
        request.get_full_path(),
        _accepted(request.META.get("HTTP_ACCEPT", "")),
        timezone.localdate().isoformat(),
    ]
    return "page:" + _digest("\n".join(parts))


@dataclass(frozen=True)
class _Kept:
    """A kept answer. Its placeholders are drawn afresh for each page, so no text a page
    shows (a title someone typed) can contain one and be filled in with a reader's secret."""

    status: int
    headers: dict[str, str]
    content: bytes
    nonce_placeholder: bytes
    csrf_placeholder: bytes


class PageCacheMiddleware:
    """Answer from the page kept for the reader and the current generation, or render it and
    keep it (see the module docstring for what is kept, for whom and for how long)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        reader = _reader(request)
        if reader is None:
            return self.get_response(request)
        key = _key(request, reader)
        kept = cache.get(key)
        if isinstance(kept, _Kept):
            answer = HttpResponse(
                _filled_in(request, kept), status=kept.status, headers=kept.headers
            )
            if reader.person:
                # Said by the session middleware when it reads the session, which a kept
                # page's reader may not need: shared caches must not keep a personal page.
                patch_vary_headers(answer, ("Cookie",))
            return answer
        response = self.get_response(request)
        if _keepable_response(request, response, reader):
            cache.set(key, _keeping(request, response), reader.seconds)
            if reader.person:
                known = _KnownSession(reader.person)
                cache.set(_known_session_key(reader.token, reader.session), known, reader.seconds)
        return response


def _keeping(request: HttpRequest, response: HttpResponse) -> _Kept:
    """The page without what belongs to this request alone: its script nonce and its forms'
    CSRF tokens become placeholders."""
    mark = secrets.token_hex(16).encode()
    nonce_placeholder, csrf_placeholder = b"nonce-" + mark, b"csrf-" + mark
    content = response.content
    nonce = get_nonce(request)
    if nonce:  # generated only if the page has one
        content = content.replace(str(nonce).encode(), nonce_placeholder)
    content = CSRF_FIELD.sub(rb"\g<1>" + csrf_placeholder + rb'"', content)
    headers = dict(response.headers)
    return _Kept(response.status_code, headers, content, nonce_placeholder, csrf_placeholder)


def _filled_in(request: HttpRequest, kept: _Kept) -> bytes:
    """The kept page with this request's own nonce (which the policy header will then name:
    a nonce served twice would let an injected script reuse it) and CSRF token (from the
    reader's own secret, set or renewed by the CSRF middleware as a fresh render would)."""
    content = kept.content
    if kept.nonce_placeholder in content:
        nonce = get_nonce(request)
        if nonce is not None:
            content = content.replace(kept.nonce_placeholder, str(nonce).encode())
    if kept.csrf_placeholder in content:
        content = content.replace(kept.csrf_placeholder, get_token(request).encode())
    return content
