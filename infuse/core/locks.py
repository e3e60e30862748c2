"""One holder at a time, across every web and task worker, for work that spans many
transactions (reading a spending file batch by batch while others may read another).

PostgreSQL: a session advisory lock, so workers on several machines wait for each other.
SQLite (one machine): ``flock`` on a file beside the database, released by the kernel if the
holder dies, as the sandbox's slots are.
"""

from __future__ import annotations

import fcntl
import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

_holding = threading.local()


def _key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


@contextmanager
def held(name: str) -> Iterator[None]:
    """Wait for the lock ``name``, hold it for the block, then let it go. A thread already
    holding it goes straight in (a merge inside a decided match)."""
    held_here: set[str] = getattr(_holding, "names", set())
    if name in held_here:
        yield
        return
    _holding.names = held_here | {name}
    try:
        with _acquired(name):
            yield
    finally:
        _holding.names = held_here


@contextmanager
def _acquired(name: str) -> Iterator[None]:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [_key(name)])
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [_key(name)])
        return
    directory = Path(settings.VAR_DIR) / "locks"
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / f"{name}.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
