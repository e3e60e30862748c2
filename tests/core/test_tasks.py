"""Background work: a real task in the database queue, run by the real worker, with progress."""

import pytest
from django.core.management import call_command
from django.test import Client

from infuse.core import services
from infuse.core.models import AuditEvent, Notification, TaskProgress
from infuse.core.progress import ProgressReporter

# The worker closes database connections between tasks, as in production, so these tests
# commit for real (and restore the reference data afterwards).
pytestmark = pytest.mark.django_db(transaction=True)


def test_audit_verification_runs_in_the_worker_and_reports_progress(admin_person):
    progress = services.start_audit_verification(actor=admin_person)
    assert progress.state == TaskProgress.State.QUEUED and progress.task_result_id
    call_command("worker", "--batch")
    progress.refresh_from_db()
    assert progress.state == TaskProgress.State.SUCCEEDED
    assert progress.result["ok"] is True
    assert progress.result["checked"] == progress.done == progress.total
    assert AuditEvent.objects.filter(action="audit.verified").exists()


def test_a_broken_chain_is_reported_by_the_task(admin_person):
    AuditEvent.objects.filter(sequence=1).update(action="forged")
    progress = services.start_audit_verification(actor=admin_person)
    call_command("worker", "--batch")
    progress.refresh_from_db()
    assert progress.result["ok"] is False
    assert progress.result["first_break_sequence"] == 1


def test_progress_page_and_json_for_the_owner_only(admin_person, make_person):
    progress = services.start_audit_verification(actor=admin_person)
    client = Client()
    client.force_login(admin_person)
    page = client.get(f"/tasks/{progress.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'role="status"' in html and "Check again" in html and "http-equiv" not in html
    # From the start, the page links to what the work is for.
    assert "you can leave this page" in html and '<a class="govuk-link" href="/audit/">' in html
    welsh = client.get(f"/cy/tasks/{progress.pk}/").content.decode()
    assert '<a class="govuk-link" href="/cy/audit/">' in welsh  # the reader's language
    data = client.get(f"/tasks/{progress.pk}/", HTTP_ACCEPT="application/json").json()
    assert data["state"] == "queued" and data["finished"] is False
    other = Client()
    other.force_login(make_person("officer"))
    assert other.get(f"/tasks/{progress.pk}/").status_code == 404
    call_command("worker", "--batch")
    done = client.get(f"/tasks/{progress.pk}/").content.decode()
    assert "The audit chain is intact" in done and "Check again" not in done
    assert "See the outcome:" in done and "The audit log" in done


@pytest.mark.parametrize(
    ("target", "said"),
    [
        ("run_out_of_memory", "more memory than the service allows"),
        ("divide_by_zero", "unexpected"),
    ],
)
def test_a_task_that_dies_unexpectedly_fails_its_progress(admin_person, target, said):
    """A task killed by MemoryError (a huge simulation, say) used to leave its page saying
    "running" for ever."""
    from infuse.core.progress import enqueue_tracked
    from tests.core import task_targets

    progress = TaskProgress.objects.create(kind="test", owner=admin_person)
    enqueue_tracked(progress, getattr(task_targets, target), str(progress.pk))
    call_command("worker", "--batch")
    progress.refresh_from_db()
    assert progress.state == TaskProgress.State.FAILED and progress.finished_at
    assert said in progress.message
    client = Client()
    client.force_login(admin_person)
    welsh = client.get(f"/cy/tasks/{progress.pk}/").content.decode()
    assert said not in welsh


def test_the_owner_hears_that_the_work_finished_or_failed(admin_person):
    progress = services.start_audit_verification(actor=admin_person)
    call_command("worker", "--batch")
    [done] = Notification.objects.filter(person=admin_person, topic=Notification.Topic.WORK_DONE)
    assert done.subject_en == "Finished: Checking the audit log"
    assert done.subject_cy.startswith("Wedi gorffen: ") and done.url == f"/tasks/{progress.pk}/"
    failing = TaskProgress.objects.create(kind=TaskProgress.Kind.AUDIT, owner=admin_person)
    ProgressReporter(failing.pk).fail("Stopped")
    failed = Notification.objects.get(key=f"work:{failing.pk}")
    assert failed.subject_en == "Failed: Checking the audit log"
    assert "what went wrong" in failed.body_en
