"""Rate limits: each action has a ceiling per person (or per address for those not signed in),
answered with a 429 in the person's language; they hold across processes (counted in the
database) and start afresh in the next window."""

from __future__ import annotations

import pytest
from django.test import Client

from infuse.core import ratelimit
from infuse.core.errors import TooManyRequests
from tests.clients import api_for

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def tight(settings):
    def limit(action: str, times: int) -> None:
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, action: (times, 600)}

    return limit


def test_counting_is_per_key_and_per_window():
    limit = ratelimit.Limit(times=2, seconds=60)
    assert ratelimit.hit("a", limit, now=1000) == 1
    assert ratelimit.hit("a", limit, now=1001) == 2
    assert ratelimit.hit("b", limit, now=1001) == 1
    with pytest.raises(TooManyRequests):
        ratelimit.hit("a", limit, now=1002)
    assert ratelimit.hit("a", limit, now=1080) == 1  # the next window


def test_sign_in_attempts_from_one_address_are_limited(tight):
    tight("sign-in", 3)
    client = Client()
    for _ in range(3):
        page = client.post("/account/sign-in/", {"username": "x@example.org", "password": "no"})
        assert page.status_code == 200
    refused = client.post(
        "/account/sign-in/",
        {"username": "y@example.org", "password": "no"},
        HTTP_ACCEPT_LANGUAGE="cy",
    )
    assert refused.status_code == 429
    assert client.get("/account/sign-in/").status_code == 200  # reading the page is not counted


def test_anonymous_registration_through_the_api_is_limited(tight):
    tight("register", 1)
    client = Client()
    registration = {
        "email": "not an email",
        "full_name": "Rhian Owen",
        "password": "a long and unusual passphrase 42",
        "name": "Owen Analytics Ltd",
        "address": "1 Stryd Fawr",
        "postcode": "CF37 1AA",
    }
    first = client.post("/api/v1/procurement/suppliers", registration, content_type=JSON)
    assert first.status_code == 400  # counted, then refused for its content
    second = client.post("/api/v1/procurement/suppliers", registration, content_type=JSON)
    assert second.status_code == 429
    body = second.json()
    assert body["key"] == "too-many-requests" and "minutes" in body["detail"]


def test_sql_is_limited_per_person_not_per_address(tight, make_person):
    tight("sql", 2)
    first, second = api_for(make_person("analyst")), api_for(make_person("analyst"))
    for _ in range(2):
        assert (
            first.post("/api/v1/data/sql", {"sql": "select 1"}, content_type=JSON).status_code
            == 200
        )
    assert first.post("/api/v1/data/sql", {"sql": "select 1"}, content_type=JSON).status_code == 429
    # A colleague at the same address is not held back by it.
    assert (
        second.post("/api/v1/data/sql", {"sql": "select 1"}, content_type=JSON).status_code == 200
    )


def test_api_token_use_is_limited(tight, make_person):
    tight("token", 2)
    api = api_for(make_person("officer"))
    assert [api.get("/api/v1/me").status_code for _ in range(3)] == [200, 200, 429]


def test_making_api_tokens_is_limited_so_new_tokens_cannot_reset_the_count(tight, make_person):
    tight("token-create", 2)
    api = api_for(make_person("officer"))  # one token made by the helper, outside the limit
    made = [
        api.post("/api/v1/tokens", {"name": f"t{n}"}, content_type=JSON).status_code
        for n in range(3)
    ]
    assert made == [201, 201, 429]


def test_behind_a_proxy_each_client_is_counted_by_the_address_the_proxy_saw(tight, settings):
    """Behind a reverse proxy every request came from the proxy: one person's attempts used up
    everyone's. Only the entry the proxy appended counts; a client's own claim does not."""
    tight("sign-in", 2)
    settings.PROXY_COUNT = 1
    client = Client(REMOTE_ADDR="10.0.0.2")  # the proxy

    def attempt(forwarded: str) -> int:
        return client.post(
            "/account/sign-in/",
            {"username": "x@example.org", "password": "no"},
            HTTP_X_FORWARDED_FOR=forwarded,
        ).status_code

    assert [attempt("203.0.113.7") for _ in range(2)] == [200, 200]
    assert attempt("203.0.113.7") == 429
    assert attempt("198.51.100.9") == 200  # another client behind the same proxy
    # Spoofing a left-hand entry does not give the first client a fresh count.
    assert attempt("192.0.2.1, 203.0.113.7") == 429


def test_without_a_proxy_a_forwarded_header_is_ignored(tight, settings):
    tight("sign-in", 1)
    settings.PROXY_COUNT = 0
    client = Client(REMOTE_ADDR="203.0.113.7")
    post = {"username": "x@example.org", "password": "no"}
    assert client.post("/account/sign-in/", post, HTTP_X_FORWARDED_FOR="1.1.1.1").status_code == 200
    assert client.post("/account/sign-in/", post, HTTP_X_FORWARDED_FOR="2.2.2.2").status_code == 429
