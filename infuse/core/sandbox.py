"""Untrusted work in a process of its own, with limits the operating system enforces.

Why: what a person's input can make expensive or crash (read-only SQL, reading an uploaded
file) used to run inside the web or task worker. One query crashed a web worker with a
segmentation fault in the engine; another ran 25 s past a 10 s limit and took 5.6 GB, because a
timer cannot interrupt a running function and the engine's memory limit does not cover it. Here
each piece of work runs in a fresh interpreter (``python -m infuse.core.sandbox_child``) with:

* address space, CPU time, open files and the size of any file it writes capped by
  ``setrlimit``, core dumps off, a lower CPU priority than the web workers, and a wall-clock
  limit after which its whole process group is killed;
* a private temporary directory (mode 0700) as its working and temporary directory, removed
  afterwards, and an environment with nothing of the service's in it;
* its result written to a file in that directory (so the size cap holds), read back only after
  it has exited; nothing from it is unpickled;
* a bounded number at once, in total and per person, across every process of the service
  (``flock`` on slot files, released by the kernel if a holder dies).

A crash, a kill or an overrun becomes a :class:`SandboxError` for that one piece of work. This
module imports nothing from Django, so the child starts fast and the limits come from the caller.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import math
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RESULT = "result.bin"
REFUSAL = "refusal.json"
PAYLOAD = "payload.json"
LOG = "stderr.log"
WATCH_SECONDS = 0.5
NICENESS = 10


class SandboxError(Exception):
    """The work did not finish: refused, too slow, too big, crashed, or no room to run it.

    ``key`` is ``sandbox.<reason>`` (or the refusal's own key) for translation; ``params`` the
    figures to fill in (the limit that was reached); ``problems`` a refusal's per-row details.
    """

    def __init__(
        self, key: str, message: str, *, problems: Sequence[dict[str, Any]] = (), **params: Any
    ) -> None:
        super().__init__(message)
        self.key = key
        self.params = params
        self.problems = list(problems)


class Refusal(SandboxError):
    """Raised by sandboxed work to refuse its input with a reason people can read; ``key``
    names the reason for translation, ``params`` fill it in, ``problems`` give per-row detail."""


@dataclass(frozen=True)
class Limits:
    """What one piece of work may use. Memory is address space, which is more than the
    resident memory it will actually touch (the interpreter and libraries map ~0.5 GB)."""

    memory_bytes: int = 2 * 1024**3
    cpu_seconds: int = 30
    wall_seconds: float = 30.0
    open_files: int = 256
    output_bytes: int = 20 * 1024**2
    environment: dict[str, str] = field(default_factory=dict)

    @classmethod
    def for_engine(
        cls, *, seconds: float, memory_mb: int, output_mb: int, threads: int = 2
    ) -> Limits:
        """Work on an engine running ``threads`` threads (DuckDB: two) for ``seconds`` of wall
        time: CPU time is that many threads' worth, and a second more for starting up."""
        return cls(
            memory_bytes=memory_mb * 1024**2,
            cpu_seconds=math.ceil(seconds * threads) + 1,
            wall_seconds=seconds,
            output_bytes=output_mb * 1024**2,
        )


@dataclass(frozen=True)
class SlotPool:
    """At most ``total`` pieces of work at once on this machine, ``per_owner`` for one person.

    Slots are files locked with ``flock`` in ``directory``, shared by every web and task worker;
    the kernel frees a slot when its holder exits, however it exits.
    """

    directory: Path
    total: int = 4
    per_owner: int = 1
    wait_seconds: float = 2.0

    @contextlib.contextmanager
    def hold(self, owner: str | None) -> Iterator[None]:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        held: list[int] = []
        try:
            if owner is not None:
                digest = hashlib.sha256(owner.encode()).hexdigest()[:16]
                held.append(self._take(f"owner-{digest}", self.per_owner, "sandbox.busy-owner"))
            held.append(self._take("total", self.total, "sandbox.busy"))
            yield
        finally:
            for descriptor in held:
                os.close(descriptor)  # closing releases the lock

    def _take(self, prefix: str, count: int, key: str) -> int:
        deadline = time.monotonic() + self.wait_seconds
        while True:
            for number in range(count):
                path = self.directory / f"{prefix}-{number}.lock"
                descriptor = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
                try:
                    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    os.close(descriptor)
                    continue
                return descriptor
            if time.monotonic() >= deadline:
                message = (
                    "You already have work running: wait for it to finish."
                    if key == "sandbox.busy-owner"
                    else "Too much work is running at once: try again in a minute."
                )
                raise SandboxError(key, message)
            time.sleep(0.05)


def _limit_child(limits: Limits) -> None:
    """In the child, before the interpreter starts: the operating system's limits."""
    memory = limits.memory_bytes
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_NOFILE, (limits.open_files, limits.open_files))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.output_bytes, limits.output_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    os.nice(NICENESS)  # people's pages come before people's queries when the CPU is short


def _environment(workdir: Path, limits: Limits) -> dict[str, str]:
    """Nothing of the service's environment (keys, database URLs) reaches the work."""
    kept = {name: os.environ[name] for name in ("PATH", "PYTHONPATH") if name in os.environ}
    return {
        **kept,
        "HOME": str(workdir),
        "TMPDIR": str(workdir),
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        **limits.environment,
    }


def run(
    target: str,
    payload: dict[str, Any],
    limits: Limits,
    *,
    slots: SlotPool | None = None,
    owner: str | None = None,
    watch: Callable[[Path], None] | None = None,
    workspace: Path | None = None,
) -> bytes:
    """Run ``target`` (``"package.module:function"``) on ``payload`` in a sandbox; its bytes.

    The function is called as ``function(payload, workdir)`` in the child and returns bytes;
    raising :class:`Refusal` refuses the input. Raises :class:`SandboxError` on anything else.
    ``watch(workdir)`` is called about twice a second while the work runs (to pass on the
    progress it writes there). The private directory is made in ``workspace`` (made 0700 if
    need be), else the system's temporary directory.
    """
    with slots.hold(owner) if slots is not None else contextlib.nullcontext():
        if workspace is not None:
            workspace.mkdir(mode=0o700, parents=True, exist_ok=True)
        workdir = Path(tempfile.mkdtemp(prefix="infuse-sandbox-", dir=workspace))
        try:
            (workdir / PAYLOAD).write_text(json.dumps(payload), encoding="utf-8")
            returncode = _run_child(target, workdir, limits, watch)
            return _outcome(workdir, returncode, limits)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)


def _run_child(
    target: str, workdir: Path, limits: Limits, watch: Callable[[Path], None] | None
) -> int | None:
    """The child's exit code, or None when it was killed at the wall-clock limit."""
    with open(workdir / LOG, "wb") as log:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module, no shell
            [sys.executable, "-m", "infuse.core.sandbox_child", target],
            cwd=workdir,
            env=_environment(workdir, limits),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,
            preexec_fn=lambda: _limit_child(limits),
        )
        deadline = time.monotonic() + limits.wall_seconds
        while True:
            left = deadline - time.monotonic()
            try:
                return process.wait(timeout=max(0.0, min(left, WATCH_SECONDS)))
            except subprocess.TimeoutExpired:
                if left <= WATCH_SECONDS:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
                    return None
                if watch is not None:
                    watch(workdir)


def _figures(key: str, limits: Limits) -> dict[str, Any]:
    """The limit a refusal from the child ran into, which only the parent knows."""
    if key == "sandbox.too-large":
        return {"megabytes": limits.output_bytes // 1024**2}
    if key == "sandbox.memory":
        return {"megabytes": limits.memory_bytes // 1024**2}
    return {}


def _outcome(workdir: Path, returncode: int | None, limits: Limits) -> bytes:
    """The result, or the error that says why there is none."""
    seconds = limits.wall_seconds
    if returncode is None or returncode == -signal.SIGXCPU:
        raise SandboxError(
            "sandbox.timeout", f"Stopped after {seconds:g} seconds.", seconds=seconds
        )
    if returncode == -signal.SIGXFSZ:
        megabytes = limits.output_bytes // 1024**2
        raise SandboxError(
            "sandbox.too-large", f"The result is larger than {megabytes} MB.", megabytes=megabytes
        )
    refusal = workdir / REFUSAL
    if returncode == 0 and (workdir / RESULT).exists():
        return (workdir / RESULT).read_bytes()
    if refusal.exists() and returncode in (0, 3):
        said = json.loads(refusal.read_text(encoding="utf-8"))
        params = {**said.get("params", {}), **_figures(said["key"], limits)}
        raise SandboxError(
            said["key"], said["message"], problems=said.get("problems", []), **params
        )
    if returncode == -signal.SIGKILL:
        megabytes = limits.memory_bytes // 1024**2
        raise SandboxError(
            "sandbox.memory", "Stopped: it used too much memory.", megabytes=megabytes
        )
    tail = (workdir / LOG).read_bytes()[-2000:].decode("utf-8", "replace")
    raise SandboxError("sandbox.crashed", f"The work crashed (exit {returncode}).", log=tail)
