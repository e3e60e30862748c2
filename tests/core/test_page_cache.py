"""Pages kept for signed-out readers, and for each signed-in person's session: served again
without rendering, and never older than what they show, whichever way and from whichever
connection the data changed."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.views.decorators.csp import csp_override

from infuse.core.models import ContentGeneration, Person, RateCounter, TaskProgress
from infuse.core.page_cache import PERSONAL, PageCacheMiddleware, generation
from infuse.datalab.models import Dataset

pytestmark = pytest.mark.django_db


NONCE = re.compile(r'nonce="([^"]+)"')


def _queries(client: Client, path: str) -> tuple[str, int]:
    """The page (its script nonces, new on every request, left out) and the queries it took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    # Savepoints are the test's transaction showing through (in service there is none).
    statements = [q for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    return NONCE.sub('nonce=""', response.content.decode()), len(statements)


@pytest.fixture
def catalogue(make_dataset: Callable[..., Any]) -> Dataset:
    dataset: Dataset = make_dataset("Fly-tipping reports", visibility="public")
    return dataset


def test_a_signed_out_reader_gets_the_kept_page_with_one_query(catalogue: Dataset) -> None:
    client = Client()
    first, rendered = _queries(client, "/data/")
    again, kept = _queries(client, "/data/")
    assert again == first and "Fly-tipping reports" in again
    assert kept == 1 < rendered  # the generation, nothing else


def test_a_kept_page_carries_the_nonce_its_policy_names(catalogue: Dataset) -> None:
    client = Client()
    nonces = []
    for _ in range(3):
        response = client.get("/data/")
        in_page = set(NONCE.findall(response.content.decode()))
        assert len(in_page) == 1
        nonce = in_page.pop()
        assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
        nonces.append(nonce)
    assert len(set(nonces)) == 3  # never the same twice


@pytest.mark.parametrize(
    "change",
    [
        lambda d: Dataset.objects.filter(pk=d.pk).update(title_en="Litter picks"),
        lambda d: (setattr(d, "title_en", "Litter picks"), d.save()),
        lambda d: Dataset.objects.filter(pk=d.pk).delete(),
    ],
    ids=["update", "save", "delete"],
)
def test_any_write_to_what_the_page_shows_is_seen(
    catalogue: Dataset, change: Callable[[Dataset], Any]
) -> None:
    client = Client()
    assert "Fly-tipping reports" in _queries(client, "/data/")[0]
    change(catalogue)
    assert "Fly-tipping reports" not in _queries(client, "/data/")[0]


def test_a_write_inside_a_transaction_is_seen_by_a_page_rendered_in_it(
    catalogue: Dataset,
) -> None:
    client = Client()
    _queries(client, "/data/")
    with transaction.atomic():
        Dataset.objects.filter(pk=catalogue.pk).update(title_en="Litter picks")
        assert "Litter picks" in _queries(client, "/data/")[0]


@pytest.mark.django_db(transaction=True)
def test_a_write_committed_by_another_connection_is_seen(catalogue: Dataset) -> None:
    client = Client()
    _queries(client, "/data/")

    def elsewhere() -> None:  # its own thread: its own connection and transaction
        with transaction.atomic():
            Dataset.objects.filter(pk=catalogue.pk).update(title_en="Litter picks")
            Dataset.objects.filter(pk=catalogue.pk).update(description="Picked up")
        connection.close()

    writer = threading.Thread(target=elsewhere)
    writer.start()
    writer.join()
    assert "Litter picks" in _queries(client, "/data/")[0]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_write_leaves_the_page_as_it_was(catalogue: Dataset) -> None:
    client = Client()
    before = _queries(client, "/data/")[0]
    with pytest.raises(RuntimeError), transaction.atomic():
        Dataset.objects.filter(pk=catalogue.pk).update(title_en="Litter picks")
        raise RuntimeError("changed my mind")
    assert _queries(client, "/data/")[0] == before


def test_writing_private_records_keeps_the_public_pages(catalogue: Dataset) -> None:
    client = Client()
    _queries(client, "/data/")
    token, personal = generation(), generation(PERSONAL)
    TaskProgress.objects.create(kind="datalab.ingest")
    assert generation() == token and generation(PERSONAL) != personal
    personal = generation(PERSONAL)
    RateCounter.objects.create(key="sign-in:someone", window=0, count=1)
    assert generation() == token and generation(PERSONAL) == personal  # shown nowhere
    assert _queries(client, "/data/")[1] == 1


def test_a_private_write_in_a_transaction_moves_only_the_personal_generation(
    catalogue: Dataset,
) -> None:
    token, personal = generation(), generation(PERSONAL)
    with transaction.atomic():
        TaskProgress.objects.create(kind="datalab.ingest")
        assert generation(PERSONAL) != personal
    assert generation() == token


def test_each_language_and_query_is_kept_apart(catalogue: Dataset) -> None:
    client = Client()
    english, welsh = _queries(client, "/data/")[0], _queries(client, "/cy/data/")[0]
    assert english != welsh and "Fly-tipping reports (cy)" in welsh
    assert _queries(client, "/data/")[0] == english
    assert _queries(client, "/cy/data/")[0] == welsh


def test_session_holders_who_are_not_signed_in_are_never_served_a_kept_page(
    catalogue: Dataset,
) -> None:
    _queries(Client(), "/data/")
    holder = Client()
    holder.cookies["sessionid"] = "not-signed-in-but-personal"
    assert _queries(holder, "/data/")[1] > 1
    assert _queries(holder, "/data/")[1] > 1


CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _page(client: Client, path: str) -> tuple[str, int]:
    """As :func:`_queries`, with the CSRF tokens (new on every request) left out too."""
    page, queries = _queries(client, path)
    return CSRF_FIELD.sub('name="csrfmiddlewaretoken" value=""', page), queries


def test_a_signed_in_person_gets_their_own_kept_page_in_their_session(
    catalogue: Dataset, make_person: Callable[..., Any]
) -> None:
    officer = make_person("officer")
    client, same_person_elsewhere, other = Client(), Client(), Client()
    client.force_login(officer)
    same_person_elsewhere.force_login(officer)
    other.force_login(make_person("officer"))  # signing in is a write: all of them first
    first, rendered = _page(client, "/data/")
    again, kept = _page(client, "/data/")
    assert again == first and "Fly-tipping reports" in again
    assert kept == 1 < rendered  # the generation: the session was seen under it already
    assert _page(other, "/data/")[1] > 3  # another person: rendered for them
    assert _page(same_person_elsewhere, "/data/")[1] > 3  # another session too
    assert _page(Client(), "/data/")[1] > 1  # and never given to someone signed out


def test_what_only_signed_in_pages_show_moves_their_pages_on_but_not_the_publics(
    catalogue: Dataset, make_person: Callable[..., Any]
) -> None:
    from infuse.core.models import Notification

    officer = make_person("officer")
    client = Client()
    client.force_login(officer)
    _page(client, "/data/")
    _page(Client(), "/data/")
    public = generation()
    Notification.objects.create(
        person=officer, key="k", topic=Notification.Topic.WORK_DONE, subject_en="Done"
    )
    assert generation() == public
    assert _page(Client(), "/data/")[1] == 1
    page, queries = _page(client, "/data/")
    assert "(1<span" in page and queries > 3


def test_a_kept_page_gives_each_request_a_working_csrf_token_of_its_own(
    catalogue: Dataset, signed_in: Callable[..., Client]
) -> None:
    client = signed_in("officer")
    client.handler.enforce_csrf_checks = True
    tokens = []
    for _ in range(3):
        page = client.get("/data/").content.decode()
        tokens += CSRF_FIELD.findall(page)
    assert len(set(tokens)) == 3 and not any("infuse" in token for token in tokens)
    # The last (from a kept page) signs the person out: the form works.
    response = client.post("/account/sign-out/", {"csrfmiddlewaretoken": tokens[-1]})
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_message_waiting_for_the_person_is_shown_not_a_kept_page(
    catalogue: Dataset, signed_in: Callable[..., Client]
) -> None:
    """Messages wait in a cookie of their own (and, when they do not fit, in the session)."""
    from types import SimpleNamespace

    from django.contrib.messages import SUCCESS
    from django.contrib.messages.storage.base import Message
    from django.contrib.messages.storage.cookie import CookieStorage

    client = signed_in("officer")
    _page(client, "/data/")
    assert _page(client, "/data/")[1] <= 3
    said = HttpResponse()
    CookieStorage(SimpleNamespace(COOKIES={}))._store([Message(SUCCESS, "Saved.")], said)
    client.cookies["messages"] = said.cookies["messages"].value
    assert "Saved." in client.get("/data/").content.decode()
    assert "Saved." not in client.get("/data/").content.decode()


def test_keeping_signed_in_pages_can_be_turned_off(
    catalogue: Dataset, signed_in: Callable[..., Client], settings: Any
) -> None:
    settings.PERSONAL_PAGE_CACHE_SECONDS = 0
    client = signed_in("officer")
    rendered = _page(client, "/data/")[1]
    assert _page(client, "/data/")[1] == rendered


def test_a_page_with_a_form_is_not_kept() -> None:
    """A form's CSRF token is the reader's own: the page varies on their cookie."""
    renders = []

    def with_form(request: HttpRequest) -> HttpResponse:
        renders.append(1)
        return HttpResponse(f"<form method=post><input value={get_token(request)}></form>")

    def without_form(request: HttpRequest) -> HttpResponse:
        renders.append(1)
        return HttpResponse("<p>Read me</p>")

    for view, expected in ((with_form, 2), (without_form, 1)):
        renders.clear()
        middleware = PageCacheMiddleware(view)
        for _ in range(2):
            request = RequestFactory().get(f"/{view.__name__}/")
            request.user = AnonymousUser()
            middleware(request)
        assert len(renders) == expected, view.__name__


@pytest.mark.django_db(transaction=True)
def test_an_emptied_database_keeps_nothing_until_its_first_write() -> None:
    ContentGeneration.objects.all().delete()
    assert generation() is None
    Dataset.objects.filter(pk=-1).update(title_en="nothing")  # a write, even of no rows
    assert generation() is not None


@pytest.mark.django_db(transaction=True)
def test_a_database_without_the_generation_table_keeps_nothing_and_breaks_nothing() -> None:
    """As while migrating back past it: writes go on, nothing is kept, nothing fails."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE core_contentgeneration RENAME TO core_generation_away")
    try:
        with transaction.atomic():
            Dataset.objects.filter(pk=-1).update(title_en="nothing")
            assert generation() is None
            Dataset.objects.filter(pk=-1).update(title_en="still nothing")
        Dataset.objects.filter(pk=-1).update(title_en="and again")
        assert generation() is None
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE core_generation_away RENAME TO core_contentgeneration")


def test_the_api_is_kept_for_signed_out_readers_but_never_for_a_token(
    catalogue: Dataset, make_person: Callable[..., Any]
) -> None:
    from infuse.core import services

    client = Client()
    first, rendered = _queries(client, "/api/v1/data/datasets")
    again, kept = _queries(client, "/api/v1/data/datasets")
    assert again == first and "Fly-tipping reports" in first and kept == 1 < rendered
    Dataset.objects.filter(pk=catalogue.pk).update(title_en="Litter picks")
    assert "Litter picks" in _queries(client, "/api/v1/data/datasets")[0]
    token = services.create_api_token(actor=make_person("officer"), name="reader").secret
    with_token = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert _queries(with_token, "/api/v1/data/datasets")[1] > 1
    assert _queries(with_token, "/api/v1/data/datasets")[1] > 1


def test_a_page_with_a_policy_of_its_own_is_not_kept() -> None:
    renders = []

    @csp_override({"default-src": ["'self'"]})
    def docs(request: HttpRequest) -> HttpResponse:
        renders.append(1)
        return HttpResponse("<p>Docs</p>")

    middleware = PageCacheMiddleware(docs)
    for _ in range(2):
        request = RequestFactory().get("/docs/")
        request.user = AnonymousUser()
        middleware(request)
    assert len(renders) == 2


def test_links_and_writes_in_other_words_move_the_generation(catalogue: Dataset) -> None:
    """SQLite writes many-to-many links as INSERT OR IGNORE; anything not a read counts."""
    from infuse.core.models import Theme

    token = generation()
    catalogue.themes.add(Theme.objects.first())
    assert generation() != token
    token = generation()
    with connection.cursor() as cursor:
        cursor.execute("WITH d AS (SELECT 1) UPDATE datalab_dataset SET title_en = title_en")
    assert generation() != token


@pytest.mark.django_db(transaction=True)
def test_a_move_undone_with_a_savepoint_is_made_again_at_commit(catalogue: Dataset) -> None:
    token = generation()
    with transaction.atomic():
        Dataset.objects.filter(pk=catalogue.pk).update(title_en="Litter picks")
        with pytest.raises(RuntimeError), transaction.atomic():
            generation()  # moves it inside the savepoint…
            raise RuntimeError("…which is rolled back")
    assert generation() != token


def test_data_migrations_move_the_generation_when_migrate_ends() -> None:
    from infuse.core.page_cache import migration_finished, migration_started

    token = generation()
    migration_started(sender=None)
    Dataset.objects.filter(pk=-1).update(title_en="written by a data migration")
    migration_finished(sender=None)
    assert generation() != token


def test_text_like_a_placeholder_is_never_filled_in_with_a_readers_secrets(
    make_dataset: Callable[..., Any], signed_in: Callable[..., Client]
) -> None:
    """Someone could type what a placeholder looked like into a title others read: no text
    can be one (each kept page draws its own), so it is shown as typed."""
    bait = "Bait nonce-0123456789abcdef0123456789abcdef csrf-__infuse_csrf_token__"
    make_dataset(bait, visibility="public")
    client = signed_in("officer")
    assert bait in client.get("/data/").content.decode()
    kept = client.get("/data/").content.decode()
    assert bait in kept
    assert all(len(token) == 64 for token in CSRF_FIELD.findall(kept))


@pytest.mark.django_db(transaction=True)
def test_a_page_showing_a_write_later_rolled_back_is_never_kept_for_others(
    catalogue: Dataset,
) -> None:
    committed = generation()
    with pytest.raises(RuntimeError), transaction.atomic():
        Dataset.objects.filter(pk=catalogue.pk).update(title_en="Never committed")
        with pytest.raises(RuntimeError), transaction.atomic():
            generation()  # moved inside a savepoint…
            raise RuntimeError("…which is rolled back")
        assert "Never committed" in _queries(Client(), "/data/")[0]
        raise RuntimeError("the whole change is rolled back")
    assert generation() == committed
    assert "Never committed" not in _queries(Client(), "/data/")[0]


@pytest.mark.parametrize(
    "change",
    [
        lambda person, session: Session.objects.filter(pk=session).delete(),
        lambda person, session: Person.objects.filter(pk=person.pk).update(is_active=False),
        lambda person, session: (person.set_password("a new one entirely"), person.save()),
    ],
    ids=["signed out elsewhere", "account turned off", "new password"],
)
def test_a_session_that_is_no_longer_theirs_is_never_served_their_kept_page(
    catalogue: Dataset, make_person: Callable[..., Any], change: Callable[..., Any]
) -> None:
    officer = make_person("officer")
    client = Client()
    client.force_login(officer)
    assert "Sign out" in _page(client, "/data/")[0]
    assert _page(client, "/data/")[1] == 1  # kept, and the session known
    change(officer, client.session.session_key)
    page, queries = _page(client, "/data/")
    assert "Sign out" not in page and queries > 1


def test_a_kept_personal_page_tells_shared_caches_it_varies_by_cookie(
    catalogue: Dataset, signed_in: Callable[..., Client]
) -> None:
    client = signed_in("officer")
    client.get("/data/")
    kept = client.get("/data/")
    assert "Cookie" in kept["Vary"]
