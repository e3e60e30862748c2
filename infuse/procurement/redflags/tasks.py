"""Red flag work in the background: an import sent from the page (its progress on the task's
page), and the flags kept current as the lab's own challenges move on — each release the lab
publishes (a challenge published, an award, a contract) queues a computation, which skips
itself when a run since has already read every release published.

A worker killed mid-import leaves its progress "running": at the next worker's start it is
marked failed with what to do (import the file again: releases already stored are not stored
twice, and every process the file touches is compiled again), and uploads no import is
waiting for are removed.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.tasks.base import TaskResultStatus
from django.utils import timezone, translation
from django.utils.translation import gettext_noop
from django_tasks_db.models import DBTaskResult

from infuse.core import files
from infuse.core.errors import DomainError
from infuse.core.links import english_path
from infuse.core.models import Person, TaskProgress
from infuse.core.progress import ProgressReporter
from infuse.procurement.models import Release
from infuse.procurement.redflags import outputs, services

UPLOADS = "ocds-imports"
INTERRUPTED = gettext_noop(
    "The import stopped when the service restarted. Import the file again: releases already "
    "stored are not stored twice."
)


@task()
def refresh_flags() -> dict[str, str]:
    if not services.platform_stale():
        return {"status": "current"}
    services.compute_flags()
    return {"status": "computed"}


def _queue_refresh() -> None:
    """One refresh waiting is enough: it reads every release published before it runs."""
    waiting = DBTaskResult.objects.filter(
        task_path=refresh_flags.module_path, status=TaskResultStatus.READY
    ).exists()
    if not waiting:
        refresh_flags.enqueue()


def release_published(sender: Any, instance: Release, created: bool, **kwargs: Any) -> None:
    """After a release of the lab's own is stored (``post_save``), once its transaction
    commits: nothing is queued for a change that was rolled back."""
    if created:
        transaction.on_commit(_queue_refresh)


@task()
def import_ocds_file(
    path: str, name: str, actor_id: int, progress_id: str, language: str
) -> dict[str, Any]:
    """Import a file sent from the page, as the person who sent it and in the language they
    were reading; the stored upload is removed however the import ends."""
    reporter = ProgressReporter(progress_id)
    stored = files.resolve(path)
    try:
        if not reporter.claim():
            return {"status": "already-claimed"}
        size = max(stored.stat().st_size, 1)
        reporter.start(total=100, message=gettext_noop("Reading releases"))
        with translation.override(language), stored.open("rb") as stream:
            try:
                found = services.import_releases(
                    actor=Person.objects.get(pk=actor_id),
                    stream=stream,
                    name=name,
                    advance=lambda done: reporter.advance(min(99, 100 * done // size)),
                )
            except DomainError as refused:
                message = refused.problems[0].message if refused.problems else refused.message
                reporter.fail(str(message), {"url": _flags_page()})
                return {"status": "failed"}
    finally:
        stored.unlink(missing_ok=True)  # kept as releases now, or refused: not needed again
    reporter.succeed(
        {**outputs.summary(found).model_dump(), "url": _flags_page()},
        gettext_noop("Releases imported and the red flags computed again"),
    )
    return {"status": "succeeded"}


def _flags_page() -> str:
    return english_path("procurement:flags")


def recover_interrupted_imports() -> str | None:
    """At a worker's start: imports a killed worker left running are marked failed with what
    to do, and uploads no waiting import refers to (older than a stale beat) are removed."""
    cutoff = timezone.now() - timedelta(seconds=settings.INGEST_STALE_SECONDS)
    stopped = TaskProgress.objects.filter(
        kind=TaskProgress.Kind.OCDS_IMPORT,
        state=TaskProgress.State.RUNNING,
        updated_at__lte=cutoff,
    )
    failed = 0
    for progress in stopped:
        ProgressReporter(progress.pk).fail(INTERRUPTED, {"url": _flags_page()})
        failed += 1
    waiting = DBTaskResult.objects.filter(
        task_path=import_ocds_file.module_path,
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
    ).values_list("args_kwargs", flat=True)
    kept = {str(queued["args"][0]) for queued in waiting if queued.get("args")}
    removed = files.remove_unreferenced(
        UPLOADS, kept, older_than_seconds=settings.INGEST_STALE_SECONDS
    )
    if not (failed or removed):
        return None
    return f"Marked {failed} interrupted OCDS import(s) failed; removed {removed} upload(s)."
