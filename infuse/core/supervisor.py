"""Run the web server and the task worker as one service: `infuse serve --with-worker`.

Why a supervisor of our own: stopped with SIGTERM (``kill``, systemd, a container runtime), the
command used to exit alone, leaving gunicorn on its port and the worker running, so a restart
failed and two workers could run at once; and a worker that died (killed for memory, or crashed
by a bad file) was never started again, so every queued task waited. Here:

* SIGTERM, SIGINT and SIGHUP are forwarded to every child, which gets ``grace`` seconds to
  finish before it is killed; the supervisor exits only when they have gone.
* Children are started with the parent-death signal set (Linux), so even a supervisor killed
  with SIGKILL takes them with it.
* The worker is restarted when it exits, after a pause that doubles with each quick failure
  (1 s to 60 s) and resets once it has run for a minute. If the web server exits, everything
  stops and the supervisor exits with its code, for the process manager to act on.
"""

from __future__ import annotations

import ctypes
import logging
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import FrameType

logger = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
FIRST_PAUSE = 1.0
LONGEST_PAUSE = 60.0
HEALTHY_AFTER = 60.0


def _die_with_parent() -> None:
    """In the child, before exec: ask Linux for SIGTERM when the supervisor dies."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: the signal forwarding still holds
        pass


@dataclass
class Child:
    """One supervised command, and how it has fared."""

    name: str
    command: Sequence[str]
    restart: bool
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    pause: float = FIRST_PAUSE
    restart_at: float | None = None
    restarts: int = field(default=0)

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - our own console script, no shell
            list(self.command), preexec_fn=_die_with_parent
        )
        self.started_at = time.monotonic()
        self.restart_at = None
        logger.info("%s started (pid %s)", self.name, self.process.pid)

    def exited(self) -> int | None:
        """The exit code if the process has ended since it was started, else None."""
        if self.process is None:
            return None
        return self.process.poll()

    def schedule_restart(self, now: float) -> None:
        """Plan the next start: soon after a long run, later after each quick failure."""
        if now - self.started_at >= HEALTHY_AFTER:
            self.pause = FIRST_PAUSE
        self.restart_at = now + self.pause
        self.pause = min(self.pause * 2, LONGEST_PAUSE)
        self.restarts += 1
        self.process = None


class Supervisor:
    """Start the children, keep the restartable ones running, stop them all together."""

    def __init__(self, children: Sequence[Child], *, grace: float = 20.0, tick: float = 0.2):
        self.children = list(children)
        self.grace = grace
        self.tick = tick
        self.stopping: int | None = None  # the signal that asked us to stop

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.stopping = signum

    def run(self, on_started: Callable[[], None] | None = None) -> int:
        """Run until a stop signal or the end of a child that is not restarted; the exit code
        is that child's (0 when stopped by a signal)."""
        previous = {sig: signal.signal(sig, self._on_signal) for sig in STOP_SIGNALS}
        try:
            for child in self.children:
                child.start()
            if on_started is not None:
                on_started()
            code = self._watch()
        finally:
            self.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return code

    def _watch(self) -> int:
        while self.stopping is None:
            now = time.monotonic()
            for child in self.children:
                if child.restart_at is not None and now >= child.restart_at:
                    child.start()
                    continue
                code = child.exited()
                if code is None:
                    continue
                if not child.restart:
                    logger.warning("%s exited with %s: stopping everything", child.name, code)
                    return code
                logger.warning("%s exited with %s: starting it again", child.name, code)
                child.schedule_restart(now)
            time.sleep(self.tick)
        return 0

    def stop(self) -> None:
        """SIGTERM to every running child, then SIGKILL to any still there after the grace."""
        running = [c.process for c in self.children if c.process and c.process.poll() is None]
        for process in running:
            process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.grace
        for process in running:
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def console_script() -> list[str]:
    """How to run `infuse …` again from this process (the same interpreter and environment)."""
    return [sys.executable, "-m", "infuse.cli"]
