"""Running the `infuse` console script as a real process against a database of its own.

On PostgreSQL (INFUSE_DATABASE_URL set) each test gets a fresh database, so the commands run
exactly as an operator would run them; on SQLite the database is a file in the test's var dir.
``query`` reads that database directly, as a second process watching the first.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

INFUSE = [sys.executable, "-m", "infuse.cli"]


def _environment(var: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INFUSE_", "DJANGO_"))}
    env["INFUSE_VAR_DIR"] = str(var)
    return env


def _postgres_admin() -> tuple[Any, str] | None:
    """The URL parts of the tests' PostgreSQL server and its maintenance database, if any."""
    url = os.environ.get("INFUSE_DATABASE_URL", "")
    if not url.startswith("postgres"):
        return None
    parts = urlsplit(url)
    return parts, urlunsplit(parts._replace(path="/postgres"))


@contextlib.contextmanager
def _own_database(env: dict[str, str], template: str | None = None) -> Iterator[str | None]:
    """On PostgreSQL, a new database for ``env`` (a copy of ``template`` if given), dropped
    afterwards; on SQLite nothing (the database is a file in the var dir)."""
    server = _postgres_admin()
    if server is None:
        yield None
        return
    import psycopg

    parts, admin_url = server
    name = f"infuse_cli_{uuid.uuid4().hex[:12]}"
    copy = f' TEMPLATE "{template}"' if template else ""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"{copy}')
    env["INFUSE_DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    try:
        yield name
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def cli_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """An empty installation: no tables yet (the test runs ``infuse migrate`` when it needs)."""
    env = _environment(tmp_path / "var")
    with _own_database(env):
        yield env


@pytest.fixture(scope="session")
def _migrated_installation(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Path, str | None]]:
    """One installation migrated by ``infuse migrate`` per test process: its var dir (keys,
    data, the SQLite file) and, on PostgreSQL, its database, copied for each test that needs a
    migrated installation (migrating from nothing takes longer than most of those tests)."""
    var = tmp_path_factory.mktemp("migrated") / "var"
    env = _environment(var)
    with _own_database(env) as database:
        run(env, "migrate", "--no-input")
        yield var, database


@pytest.fixture
def migrated_env(
    tmp_path: Path, _migrated_installation: tuple[Path, str | None]
) -> Iterator[dict[str, str]]:
    """An installation as ``infuse migrate`` leaves it, of the test's own."""
    template_var, template_database = _migrated_installation
    var = tmp_path / "var"
    shutil.copytree(template_var, var)
    env = _environment(var)
    with _own_database(env, template=template_database):
        yield env


def run(
    env: dict[str, str], *args: str, ok: bool = True, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [*INFUSE, *args], env=env, capture_output=True, text=True, input=stdin, timeout=300
    )
    if ok:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def query(env: dict[str, str], sql: str) -> list[tuple[Any, ...]]:
    """Rows of ``sql`` from the process's database (SQLite file or PostgreSQL)."""
    url = env.get("INFUSE_DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            return list(conn.execute(sql).fetchall())  # type: ignore[arg-type]
    path = Path(env["INFUSE_VAR_DIR"]) / "infuse.sqlite3"
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10) as conn:
        return list(conn.execute(sql).fetchall())


def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"not within {seconds} s: {what}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def descendants(pid: int) -> list[int]:
    found = []
    for child in children(pid):
        found += [child, *descendants(child)]
    return found


@contextlib.contextmanager
def serving(
    env: dict[str, str], *options: str, log: Path | None = None
) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """`infuse serve` on a free loopback port, answering; killed with all it started after.
    What it prints goes to ``log`` when given."""
    port = free_port()

    def answering() -> bool:
        """A page comes back (any status): a worker is serving, not just the socket open
        (gunicorn listens before its workers have warmed up)."""
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", "/")
            connection.getresponse()
        except OSError:
            return False
        finally:
            connection.close()
        return True

    written = log.open("wb") if log is not None else contextlib.nullcontext(subprocess.DEVNULL)
    with written as output:
        process = subprocess.Popen(
            [*INFUSE, "serve", "--bind", f"127.0.0.1:{port}", *options],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for(answering, 60, "the web server answers")
            yield process, port
        finally:
            for pid in descendants(process.pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            process.kill()
            process.wait()
