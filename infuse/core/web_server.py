"""How ``infuse serve`` runs gunicorn: its settings (read by gunicorn as ``-c python:`` this
module) and the warm-up each web worker does before it takes traffic.

Why preload: the application (Django, the URL map, every view and API schema) is imported once
in the parent and shared by the workers it forks, instead of once per worker, and a worker that
is restarted is ready at once. Why a warm-up: what is left to do on a worker's first request
(compiling templates, loading each language's translations, opening the worker's database
connection) is done on pages nobody is waiting for, so the first real visitor is served as fast
as the tenth. Nothing here touches the database in the parent: connections must never be
shared across a fork.
"""

from __future__ import annotations

import io
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any
from wsgiref.util import setup_testing_defaults

from django.conf import settings
from django.db import connections
from django.urls import get_resolver
from django.utils import translation

from infuse.core import collector
from infuse.core.deferred_urls import load_everything

logger = logging.getLogger("infuse.web_server")

#: Public pages each worker renders before it takes traffic: the home page and the three labs'
#: lists, in English and in Welsh (the templates most pages extend, and both catalogues).
WARM_UP_PATHS = ("/", "/cy/", "/data/", "/experiments/", "/procurement/")


class WarmUpFailed(RuntimeError):
    """A warm-up page answered with a server error: visitors would get it too."""


# Gunicorn settings (module globals are what gunicorn reads from a python: config).
preload_app = True
worker_class = "gthread"


MAX_DEFAULT_WORKERS = 8


def default_workers() -> int:
    """One worker per core this process may use, at least two and at most eight: with threads
    in each, requests that wait (on the database, a sandboxed query, a file) hold a thread, not
    a process. Each thread keeps a database connection, so a server holds workers × threads of
    them (PostgreSQL's default limit is 100)."""
    return min(MAX_DEFAULT_WORKERS, max(2, len(os.sched_getaffinity(0))))


def _host() -> str:
    """A host name the site accepts (the first allowed one; ``*`` and ``.domain`` spelled out)."""
    for host in settings.ALLOWED_HOSTS:
        if host != "*":
            return host.lstrip(".") or "localhost"
    return "localhost"


def _request(path: str) -> dict[str, Any]:
    """A WSGI environ for GET ``path`` as the site's proxy would pass it on, over HTTPS when
    the site insists on HTTPS (else the answer would only be a redirect)."""
    secure = settings.SECURE_SSL_REDIRECT
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "HTTP_HOST": _host(),
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_USER_AGENT": "infuse-warm-up",
        # A cookie of its own, so the page is rendered, not read from the pages kept for
        # signed-out readers: warming up is rendering (each thread's connection prepares the
        # page's statements; a kept copy would leave that to the first visitor).
        "HTTP_COOKIE": "infuse_warm_up=1",
        "wsgi.input": io.BytesIO(),
        "wsgi.url_scheme": "https" if secure else "http",
    }
    if secure and settings.SECURE_PROXY_SSL_HEADER:
        header, value = settings.SECURE_PROXY_SSL_HEADER
        environ[header] = value
    setup_testing_defaults(environ)
    return environ


def _get(application: Callable[..., Iterable[bytes]], path: str) -> str:
    """GET ``path`` from ``application`` in-process, reading the whole answer; its status."""
    status: list[str] = []

    def start_response(line: str, headers: Any, exc_info: Any = None) -> None:
        status.append(line)

    body = application(_request(path), start_response)
    try:
        for _chunk in body:
            pass
    finally:
        closing = getattr(body, "close", None)
        if closing is not None:
            closing()
    return status[0] if status else "no answer"


def warm_up(application: Callable[..., Iterable[bytes]], paths: Iterable[str]) -> list[str]:
    """Request each of ``paths`` from ``application``; what each answered, stopping at the
    first server error (an unreachable database would otherwise be waited for on every page)."""
    answers = []
    for path in paths:
        status = _get(application, path)
        answers.append(f"{path} {status}")
        if status.startswith("5"):
            raise WarmUpFailed("; ".join(answers))
    return answers


def when_ready(server: Any) -> None:
    """Gunicorn hook: runs in the parent once the application is loaded, before any worker is
    forked. Imports the URL map (every view and API schema) and both languages' catalogues here,
    so every worker shares them instead of importing its own on its first request."""
    started = time.perf_counter()
    with collector.loading():  # frozen before the fork, so workers keep sharing it
        load_everything(get_resolver())  # the API's map too, which waits to be used
        for language in ("cy", "en"):
            translation.activate(language)
        translation.deactivate()
    took = (time.perf_counter() - started) * 1000
    server.log.info("URL map and both catalogues loaded in %.0f ms", took)


def _warm_each_thread(worker: Any) -> int:
    """Have every thread of a gthread worker's pool serve the home page once, all at the same
    time (so the pool starts each of its threads): each opens its own database connection, kept
    for the requests that follow, instead of on a visitor's request."""
    pool = getattr(worker, "tpool", None)
    threads = int(getattr(worker.cfg, "threads", 1) or 1)
    if pool is None:
        return 0
    everyone_started = threading.Barrier(threads, timeout=10)

    def serve_once() -> str:
        everyone_started.wait()  # no thread takes a second turn: the pool starts them all
        return _get(worker.wsgi, "/")

    for future in [pool.submit(serve_once) for _ in range(threads)]:
        future.result()
    return threads


def post_worker_init(worker: Any) -> None:
    """Gunicorn hook: runs in each new worker after it has the application, before it takes
    a request."""
    started = time.perf_counter()
    try:
        answers = warm_up(worker.wsgi, WARM_UP_PATHS)
        threads = _warm_each_thread(worker)
    except Exception:  # a page that fails here fails for visitors too: say so, keep serving
        logger.exception("Worker %s: warming up failed; serving anyway", worker.pid)
        return
    finally:
        connections.close_all()  # this thread serves no request; its connection can go
        collector.keep_what_is_loaded()
    took = (time.perf_counter() - started) * 1000
    worker.log.info(
        "Worker %s warmed up in %.0f ms (%s threads connected): %s",
        worker.pid,
        took,
        threads,
        "; ".join(answers),
    )
