"""The web server's workers warm up before they take traffic, on pages that answer as a
visitor's would (over HTTPS where the site insists on it), and the parent loads the URL map
once for all of them."""

from __future__ import annotations

import re
import urllib.request

import pytest
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections

from infuse.core import web_server
from tests.processes import serving, wait_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _connections_kept_inside_the_tests_transaction():
    """What Django's test client does: a request must not close the connection that holds the
    test's transaction (the real server's requests do, between requests)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_the_warm_up_renders_each_page_in_both_languages():
    answers = web_server.warm_up(get_wsgi_application(), web_server.WARM_UP_PATHS)
    assert answers == [f"{path} 200 OK" for path in web_server.WARM_UP_PATHS]


def test_the_warm_up_is_served_the_pages_not_a_redirect_where_https_is_required(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.ALLOWED_HOSTS = [".infuse.example"]
    assert web_server.warm_up(get_wsgi_application(), ["/", "/cy/"]) == ["/ 200 OK", "/cy/ 200 OK"]


def test_a_failing_page_is_reported_by_its_status():
    assert web_server.warm_up(get_wsgi_application(), ["/no-such-page/"]) == [
        "/no-such-page/ 404 Not Found"
    ]


def test_every_worker_warms_up_before_it_serves(migrated_env, tmp_path):
    log = tmp_path / "serve.log"
    with serving(migrated_env, "--workers", "2", log=log) as (_process, port):
        wait_for(lambda: log.read_text().count("warmed up in") == 2, 60, "both workers warm")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/cy/") as answer:
            assert answer.status == 200
        text = log.read_text()
    assert "URL map and both catalogues loaded" in text
    booted = set(re.findall(r"Booting worker with pid: (\d+)", text))
    warmed = set(
        re.findall(
            r"Worker (\d+) warmed up in \d+ ms \(4 threads connected\): / 200 OK; /cy/", text
        )
    )
    assert booted and booted == warmed
    # The URL map was loaded in the parent, before the first worker was forked.
    assert text.index("URL map and both catalogues loaded") < text.index("Booting worker")


def test_the_warm_up_stops_at_the_first_server_error():
    """An unreachable database answers every page with an error after its timeout: the warm-up
    stops at the first and says so, instead of waiting on each page in turn."""
    asked: list[str] = []

    def failing(environ, start_response):
        asked.append(environ["PATH_INFO"])
        start_response("500 Internal Server Error", [])
        return [b""]

    with pytest.raises(web_server.WarmUpFailed, match="/ 500 Internal Server Error"):
        web_server.warm_up(failing, ["/", "/cy/", "/data/"])
    assert asked == ["/"]


def test_by_default_a_worker_per_usable_core_within_bounds():
    assert 2 <= web_server.default_workers() <= web_server.MAX_DEFAULT_WORKERS
