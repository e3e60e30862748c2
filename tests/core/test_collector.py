"""Start-up runs with the collector paused and leaves it on, with what it loaded frozen."""

from __future__ import annotations

import gc
import subprocess
import sys

import pytest

from infuse.core import collector


@pytest.fixture
def restored_collector():
    was_enabled = gc.isenabled()
    yield
    gc.unfreeze()
    if was_enabled:
        gc.enable()
    else:
        gc.disable()


def test_loading_pauses_the_collector_then_freezes_what_loaded_and_resumes(restored_collector):
    gc.enable()
    gc.unfreeze()
    kept: list[object] = []
    with collector.loading():
        assert not gc.isenabled()
        kept.extend({"n": n} for n in range(1000))
    assert gc.isenabled()
    assert gc.get_freeze_count() >= 1000


def test_loading_resumes_the_collector_even_when_loading_fails(restored_collector):
    gc.enable()
    with pytest.raises(RuntimeError), collector.loading():
        raise RuntimeError("a broken module")
    assert gc.isenabled()


def test_loading_leaves_a_paused_collector_paused(restored_collector):
    gc.disable()
    with collector.loading():
        pass
    assert not gc.isenabled()


def test_a_command_runs_with_the_collector_on_and_start_up_frozen():
    """What a long command (the worker, the server) allocates is still collected."""
    code = "import gc; print(gc.isenabled(), gc.get_freeze_count() > 10000)"
    done = subprocess.run(
        [sys.executable, "-m", "infuse.cli", "shell", "-c", code],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.split()[-2:] == ["True", "True"]
