"""The flags kept current as the lab's own challenges move on: each release the lab publishes
(a challenge published, an award, a contract) queues a computation in the background, which
skips itself when a run since has already read that release."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.tasks import task

from infuse.procurement.models import Release
from infuse.procurement.redflags import services


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
