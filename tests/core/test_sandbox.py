"""The sandbox for untrusted work: every way out of it is one clear error, never the caller's."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from infuse.core.sandbox import Limits, SandboxError, SlotPool, run

ROOT = str(Path(__file__).resolve().parents[2])
LIMITS = Limits(
    memory_bytes=1024**3,
    cpu_seconds=5,
    wall_seconds=5,
    output_bytes=2**20,
    environment={"PYTHONPATH": ROOT},
)


def _error(target, payload=None, limits=LIMITS, **options):
    with pytest.raises(SandboxError) as raised:
        run(f"tests.core.sandbox_targets:{target}", payload or {}, limits, **options)
    return raised.value


def test_work_runs_in_a_private_directory_without_the_services_environment(monkeypatch):
    monkeypatch.setenv("INFUSE_SECRET_KEY", "not for the child")
    seen = eval(run("tests.core.sandbox_targets:echo", {"a": 1}, LIMITS))  # noqa: S307
    assert seen["payload"] == {"a": 1}
    assert Path(seen["cwd"]).name.startswith("infuse-sandbox-")
    assert not Path(seen["cwd"]).exists()  # removed afterwards
    assert "INFUSE_SECRET_KEY" not in seen["environ"]


def test_a_refusal_keeps_its_key_and_figures():
    error = _error("refuse", {"reason": "because"})
    assert (error.key, error.params) == ("test.refused", {"reason": "because"})


def test_a_crash_is_an_error_for_this_work_only():
    assert _error("crash").key == "sandbox.crashed"


def test_a_busy_loop_is_stopped_by_cpu_or_wall_time():
    started = time.monotonic()
    assert _error("spin", limits=LIMITS.__class__(**{**LIMITS.__dict__, "cpu_seconds": 1})).key == (
        "sandbox.timeout"
    )
    assert time.monotonic() - started < 5


def test_sleeping_past_the_wall_clock_is_stopped():
    limits = Limits(**{**LIMITS.__dict__, "wall_seconds": 1})
    error = _error("sleep", {"seconds": 30}, limits=limits)
    assert error.key == "sandbox.timeout" and error.params["seconds"] == 1


def test_memory_beyond_the_address_space_is_refused():
    assert _error("allocate", {"bytes": 4 * 1024**3}).key == "sandbox.memory"


def test_output_beyond_the_cap_is_refused():
    error = _error("write_big", {"bytes": 3 * 2**20})
    assert error.key == "sandbox.too-large" and error.params["megabytes"] == 1


def test_slots_bound_the_work_at_once_in_total_and_per_person(tmp_path):
    slots = SlotPool(tmp_path, total=1, per_owner=1, wait_seconds=0.2)
    started = threading.Event()

    def hold() -> None:
        with slots.hold("person-1"):
            started.set()
            time.sleep(2)

    holder = threading.Thread(target=hold)
    holder.start()
    started.wait(5)
    try:
        assert _error("echo", slots=slots, owner="person-1").key == "sandbox.busy-owner"
        assert _error("echo", slots=slots, owner="person-2").key == "sandbox.busy"
    finally:
        holder.join()
    assert run("tests.core.sandbox_targets:echo", {}, LIMITS, slots=slots, owner="person-1")
