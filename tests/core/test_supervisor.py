"""`infuse serve --with-worker` as one service: stopping it stops everything it started, and a
worker that dies is started again. Real processes, real signals."""

from __future__ import annotations

import os
import signal
import socket
import sys
import time
from pathlib import Path

import pytest

from infuse.core.supervisor import Child, Supervisor
from tests.processes import children, descendants, serving, wait_for

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]


def _stubborn(ready: Path) -> list[str]:
    """A child that ignores SIGTERM and says so by creating `ready` once its handler is in place
    (a fixed pause raced the interpreter's start-up on a loaded machine)."""
    code = (
        "import pathlib, signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        "pathlib.Path(sys.argv[1]).touch(); time.sleep(120)"
    )
    return [sys.executable, "-c", code, str(ready)]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_a_child_that_dies_is_started_again_with_a_growing_pause():
    crashing = Child("crasher", [sys.executable, "-c", "raise SystemExit(3)"], restart=True)
    web = Child("web", SLEEPER, restart=False)
    supervisor = Supervisor([web, crashing], grace=2, tick=0.05)

    def stop_soon() -> None:
        signal.setitimer(signal.ITIMER_REAL, 3.5)

    previous = signal.signal(signal.SIGALRM, lambda *_: supervisor._on_signal(signal.SIGTERM, None))
    try:
        assert supervisor.run(on_started=stop_soon) == 0
    finally:
        signal.signal(signal.SIGALRM, previous)
    # Pauses of 1 s then 2 s: started three times in 3.5 s, not dozens.
    assert 2 <= crashing.restarts <= 3
    assert web.process is not None and web.process.poll() is not None


def test_a_child_that_ignores_sigterm_is_killed_after_the_grace(tmp_path):
    ready = tmp_path / "ready"
    stubborn = Child("stubborn", _stubborn(ready), restart=False)
    supervisor = Supervisor([stubborn], grace=1)
    stubborn.start()
    wait_for(ready.exists, 30, "the stubborn child ignoring SIGTERM")
    started = time.monotonic()
    supervisor.stop()
    assert stubborn.process is not None and stubborn.process.returncode == -signal.SIGKILL
    assert time.monotonic() - started < 5


@pytest.fixture
def served(migrated_env):
    with serving(migrated_env, "--with-worker", "--workers", "1") as (process, port):
        wait_for(lambda: len(children(process.pid)) == 2, 30, "web server and worker started")
        yield process, port


def test_sigterm_stops_the_web_server_and_the_worker_and_frees_the_port(served):
    process, port = served
    everything = descendants(process.pid)
    assert len(everything) >= 3  # gunicorn's master and worker, the task worker
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=40)
    wait_for(lambda: not any(_alive(pid) for pid in everything), 10, "every child gone")
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))  # the port is free for the next start


def test_a_killed_task_worker_is_started_again(served):
    process, _port = served
    worker = next(
        pid
        for pid in children(process.pid)
        if b"worker" in Path(f"/proc/{pid}/cmdline").read_bytes()
    )
    os.kill(worker, signal.SIGKILL)

    def replaced() -> bool:
        return any(
            pid != worker and b"worker" in Path(f"/proc/{pid}/cmdline").read_bytes()
            for pid in children(process.pid)
        )

    wait_for(replaced, 15, "a new task worker")
