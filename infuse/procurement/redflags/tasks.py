"""Red flag work in the background: an import sent from the page (its progress on the task's
page), and the flags kept current as the lab's own challenges move on — each release the lab
publishes (a challenge published, an award, a contract) queues a computation, which skips
itself when a run since has already read that release."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.tasks import task
from django.utils import translation
from django.utils.translation import gettext_noop

from infuse.core import files
from infuse.core.errors import InvalidInput
from infuse.core.links import english_path
from infuse.core.models import Person
from infuse.core.progress import ProgressReporter
from infuse.procurement.models import Release
from infuse.procurement.redflags import outputs, services


@task()
def refresh_flags() -> dict[str, str]:
    if not services.platform_stale():
        return {"status": "current"}
    services.compute_flags()
    return {"status": "computed"}


def release_published(sender: Any, instance: Release, created: bool, **kwargs: Any) -> None:
    """After a release of the lab's own is stored (``post_save``), once its transaction
    commits: nothing is queued for a change that was rolled back."""
    if created:
        transaction.on_commit(refresh_flags.enqueue)


@task()
def import_ocds_file(path: str, name: str, actor_id: int, progress_id: str) -> dict[str, Any]:
    """Import a file sent from the page, in the background, its progress by the share read."""
    reporter = ProgressReporter(progress_id)
    if not reporter.claim():
        return {"status": "already-claimed"}
    actor = Person.objects.get(pk=actor_id)
    stored = files.resolve(path)
    size = max(stored.stat().st_size, 1)
    reporter.start(total=100, message=gettext_noop("Reading releases"))
    with translation.override(actor.preferred_language or "en"), stored.open("rb") as stream:
        try:
            found = services.import_releases(
                actor=actor,
                stream=stream,
                name=name,
                advance=lambda done: reporter.advance(min(99, 100 * done // size)),
            )
        except InvalidInput as refused:
            reporter.fail(str(refused.problems[0].message), {"url": _flags_page()})
            return {"status": "failed"}
    stored.unlink(missing_ok=True)  # kept as releases now; the upload itself is not needed
    reporter.succeed(
        {**outputs.summary(found).model_dump(), "url": _flags_page()},
        gettext_noop("Releases imported and the red flags computed again"),
    )
    return {"status": "succeeded"}


def _flags_page() -> str:
    return english_path("procurement:flags")
