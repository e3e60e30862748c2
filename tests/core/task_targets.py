"""Tasks that fail as real work can fail, for the worker tests (a module of its own so the
database task worker can import them by path)."""

from __future__ import annotations

from django.tasks import task

from infuse.core.progress import ProgressReporter


@task()
def run_out_of_memory(progress_id: str) -> None:
    ProgressReporter(progress_id).start(message="Working")
    raise MemoryError


@task()
def divide_by_zero(progress_id: str) -> float:
    ProgressReporter(progress_id).start(message="Working")
    return 1 / 0
