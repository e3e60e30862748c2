"""Terminal progress for long work: a Rich bar for inline work and for background tasks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from infuse.core.models import TaskProgress
from infuse.core.progress import wait_for_change


def progress_bar() -> Progress:
    """A Rich progress bar with count and elapsed time (indeterminate until total is known).

    On standard error, so a command's output (JSON, CSV) can be piped or redirected clean.
    """
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
    )


def follow_progress(
    progress_id: Any,
    description: str,
    poll_seconds: float = 0.5,
    still_running: Callable[[], bool] | None = None,
) -> TaskProgress:
    """Show a task's TaskProgress as a bar, with the step it is on, until it finishes; returns
    the final row.

    Work in this process wakes the bar as soon as it reports (no lag at the end); work in the
    task worker is read every ``poll_seconds``. ``still_running``, when given, says whether
    the work is still alive (a thread in this process): the bar stops when it is not, even if
    the work never reported its end.
    """
    seen = 0
    with progress_bar() as bar:
        task = bar.add_task(description, total=None)
        while True:
            progress = TaskProgress.objects.get(pk=progress_id)
            step = description + (f": {gettext(progress.message)}" if progress.message else "")
            if progress.state == TaskProgress.State.SUCCEEDED:
                # Finished: a full bar, whether or not the work knew its size.
                total = progress.total or progress.done or 1
                bar.update(task, description=description, completed=total, total=total)
            else:
                bar.update(task, description=step, completed=progress.done, total=progress.total)
            if progress.is_finished or (still_running is not None and not still_running()):
                return TaskProgress.objects.get(pk=progress_id)
            seen = wait_for_change(seen, poll_seconds)
