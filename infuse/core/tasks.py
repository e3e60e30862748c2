"""Background tasks of the core (run by ``infuse worker``), and what a worker does first.

A lab whose work a killed worker can leave half-done (an upload being converted, say) registers
a start-up hook with :func:`on_worker_start` from its ``AppConfig.ready``; ``infuse worker`` runs
every hook before it takes any task, so the core never imports the labs above it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.tasks import task
from django.tasks.base import TaskResultStatus
from django.utils.translation import gettext_noop
from django_tasks_db.models import DBTaskResult

from infuse.core import audit
from infuse.core.progress import ProgressReporter

WorkerHook = Callable[[], str | None]
_worker_hooks: list[WorkerHook] = []


def on_worker_start(hook: WorkerHook) -> WorkerHook:
    """Run ``hook`` each time a worker starts; what it returns (if anything) is printed."""
    if hook not in _worker_hooks:
        _worker_hooks.append(hook)
    return hook


def run_worker_start_hooks() -> list[str]:
    """Every registered hook, in the order registered; the messages they gave."""
    return [message for hook in _worker_hooks if (message := hook())]


@task()
def verify_audit_chain(progress_id: str) -> dict[str, Any]:
    """Walk the audit chain, reporting progress; record the outcome as an audit event."""
    reporter = ProgressReporter(progress_id)
    reporter.start(message=gettext_noop("Checking the audit chain"))
    try:
        result = audit.verify_chain(progress=lambda done, total: reporter.advance(done, total))
    except Exception as error:
        reporter.fail(f"Verification stopped: {error}")
        raise
    outcome = {
        "checked": result.checked,
        "ok": result.ok,
        "first_break": result.first_break.describe() if result.first_break else None,
        "first_break_sequence": result.first_break.sequence if result.first_break else None,
    }
    with transaction.atomic():
        audit.record_event(
            actor=None,
            action="audit.verified",
            object_type="core.auditchain",
            object_id="1",
            after=outcome,
        )
    reporter.succeed(outcome)
    return outcome


def ensure_queued(task: Any) -> bool:
    """Queue ``task`` now unless a run of it waits or runs already: work that re-queues itself
    (a daily check) starts with the first worker and is never queued twice. True if queued."""
    waiting = DBTaskResult.objects.filter(
        task_path=task.module_path,
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
    ).exists()
    if not waiting:
        task.enqueue()
    return not waiting
