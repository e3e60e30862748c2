"""Background tasks of the core (run by ``infuse worker``)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.tasks import task
from django.utils.translation import gettext_noop

from infuse.core import audit
from infuse.core.progress import ProgressReporter


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
