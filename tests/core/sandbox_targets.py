"""Work for the sandbox's own tests, run in its child process."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

from infuse.core.sandbox import Refusal


def echo(payload: dict[str, Any], workdir: Path) -> bytes:
    """What it was given, and where it ran, and what it could see of its parent."""
    seen = {"payload": payload, "cwd": str(workdir), "environ": sorted(os.environ)}
    return repr(seen).encode()


def refuse(payload: dict[str, Any], workdir: Path) -> bytes:
    raise Refusal("test.refused", "Refused for a reason", reason=payload["reason"])


def crash(payload: dict[str, Any], workdir: Path) -> bytes:
    os.kill(os.getpid(), signal.SIGSEGV)
    return b""


def spin(payload: dict[str, Any], workdir: Path) -> bytes:
    while True:
        pass


def sleep(payload: dict[str, Any], workdir: Path) -> bytes:
    time.sleep(float(payload["seconds"]))
    return b"slept"


def allocate(payload: dict[str, Any], workdir: Path) -> bytes:
    block = bytearray(int(payload["bytes"]))
    return bytes(block[:1])


def write_big(payload: dict[str, Any], workdir: Path) -> bytes:
    return b"x" * int(payload["bytes"])
