"""Progress of long work, shared by the worker (writes), pages and the CLI (read).

A task receives the id of its ``TaskProgress`` row and reports through a ``ProgressReporter``,
which writes at most a few times a second so a tight loop does not hammer the database.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from django.db import connection
from django.tasks.base import TaskResult, TaskResultStatus
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from infuse.core.links import english_path
from infuse.core.models import Notification, TaskProgress
from infuse.core.notifications import News, notify

# Work run in this process (a command's foreground task) wakes whoever follows it at once;
# work in another process (the task worker) is seen by polling the row. One counter for every
# row: a wake for another row costs a follower one read.
_changed = threading.Condition()
_changes = 0


def announce_change() -> None:
    """Tell followers in this process that some progress changed (or some work ended)."""
    global _changes
    with _changed:
        _changes += 1
        _changed.notify_all()


def wait_for_change(seen: int, timeout: float) -> int:
    """Wait until progress changes in this process, or ``timeout`` passes (for changes made
    elsewhere); returns the count of changes to pass as ``seen`` next time."""
    with _changed:
        _changed.wait_for(lambda: _changes != seen, timeout)
        return _changes


class ProgressReporter:
    """Update one TaskProgress row from inside a running task."""

    def __init__(self, progress_id: Any, *, min_interval: float = 0.25) -> None:
        self.progress_id = progress_id
        self.min_interval = min_interval
        self._last_write = 0.0
        self._owner_thread = threading.current_thread()

    def _update(self, **fields: Any) -> None:
        fields["updated_at"] = timezone.now()
        TaskProgress.objects.filter(pk=self.progress_id).update(**fields)
        if threading.current_thread() is not self._owner_thread:
            # Called back from a library's worker thread: do not leave a connection behind.
            connection.close()
        announce_change()

    def claim(self) -> bool:
        """Take the queued work, atomically: whoever moves it from queued to running does it
        (a worker, or the CLI running it in the foreground); anyone else leaves it alone."""
        return bool(
            TaskProgress.objects.filter(
                pk=self.progress_id, state=TaskProgress.State.QUEUED
            ).update(state=TaskProgress.State.RUNNING, updated_at=timezone.now())
        )

    def start(self, total: int | None = None, message: str = "") -> None:
        self._update(state=TaskProgress.State.RUNNING, total=total, done=0, message=message)

    def advance(self, done: int, total: int | None = None, message: str | None = None) -> None:
        now = time.monotonic()
        if now - self._last_write < self.min_interval and (total is None or done < total):
            return
        self._last_write = now
        fields: dict[str, Any] = {"done": done}
        if total is not None:
            fields["total"] = total
        if message is not None:
            fields["message"] = message
        self._update(**fields)

    def succeed(self, result: dict[str, Any] | None = None, message: str = "") -> None:
        progress = TaskProgress.objects.get(pk=self.progress_id)
        self._update(
            state=TaskProgress.State.SUCCEEDED,
            done=progress.total if progress.total is not None else progress.done,
            result=result or {},
            message=message,
            finished_at=timezone.now(),
        )
        tell_owner(progress, succeeded=True)

    def fail(self, message: str, result: dict[str, Any] | None = None) -> None:
        """Mark the work failed with its reason; ``result`` keeps what a page needs (such as
        ``url``, the page of the thing worked on, which says more)."""
        fields: dict[str, Any] = {"result": result} if result is not None else {}
        self._update(
            state=TaskProgress.State.FAILED,
            message=message[:500],
            finished_at=timezone.now(),
            **fields,
        )
        tell_owner(TaskProgress.objects.get(pk=self.progress_id), succeeded=False)


def tell_owner(progress: TaskProgress, *, succeeded: bool) -> None:
    """The person who started the work hears that it finished or failed, with its page."""
    owner = progress.owner
    if owner is None:
        return
    work = TaskProgress.Kind(progress.kind).label
    url = english_path("task", progress_id=progress.pk)
    if succeeded:
        subject, body = (
            gettext_noop("Finished: %(work)s"),
            gettext_noop("%(work)s has finished. Open its page to see the result."),
        )
    else:
        subject, body = (
            gettext_noop("Failed: %(work)s"),
            gettext_noop(
                "%(work)s stopped without finishing. Its page says what went wrong and what "
                "to do next."
            ),
        )
    notify(
        [owner],
        News(
            topic=Notification.Topic.WORK_DONE,
            key=f"work:{progress.pk}",
            subject=lambda: gettext(subject) % {"work": work},
            body=lambda: gettext(body) % {"work": work},
            url=url,
        ),
    )


def enqueue_tracked(progress: TaskProgress, task: Any, *args: Any) -> TaskProgress:
    """Enqueue ``task(*args)`` and remember its result id on ``progress``, so the status page
    and the stale-work recovery can find the queued task behind a progress row."""
    result = task.enqueue(*args)
    progress.task_result_id = str(result.id)
    progress.save(update_fields=["task_result_id"])
    return progress


OUT_OF_MEMORY = gettext_noop(
    "Stopped: this work needed more memory than the service allows. Try a smaller piece of work."
)
UNEXPECTED = gettext_noop(
    "Stopped by an unexpected error. Try again; if it happens again, tell the programme team."
)


def fail_unfinished(task_result: TaskResult) -> int:
    """When a task dies of an exception it did not expect (out of memory, say), its progress
    row says so, instead of showing "running" for ever; rows the task finished are kept."""
    if task_result.status != TaskResultStatus.FAILED:
        return 0
    errors = task_result.errors
    memory = bool(errors) and errors[-1].exception_class_path.endswith("MemoryError")
    return TaskProgress.objects.filter(
        task_result_id=str(task_result.id),
        state__in=[TaskProgress.State.QUEUED, TaskProgress.State.RUNNING],
    ).update(
        state=TaskProgress.State.FAILED,
        message=OUT_OF_MEMORY if memory else UNEXPECTED,
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )
