"""Following an upload is one use case: the access check and the recovery of a dead ingest.

The status page used to look the upload up and then, as a second step of its own, queue again
an ingest whose worker had died. ``follow_upload`` does both, in that order, so whoever may not
follow an upload can never make it move, and whoever may gets it back as it now is.
"""

from __future__ import annotations

import pytest

from infuse.core.errors import NotFound
from infuse.core.models import AuditEvent, TaskProgress
from infuse.datalab.ingest import services
from infuse.datalab.models import DatasetUpload

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def dead_ingest(make_dataset, make_person, settings, tmp_path):
    """An upload as a killed worker leaves it: claimed, processing, its heart stopped."""
    settings.DATA_DIR = tmp_path / "data"
    settings.INGEST_STALE_SECONDS = 0
    officer = make_person("officer")
    dataset = make_dataset("Payments", actor=officer)
    outcome = services.upload_file(
        actor=officer, dataset=dataset, chunks=[b"a,b\n1,2\n"], original_name="p.csv"
    )
    upload = outcome.upload
    DatasetUpload.objects.filter(pk=upload.pk).update(status="processing", attempts=1)
    return officer, upload


def test_whoever_sent_it_finds_it_queued_again(dead_ingest):
    officer, upload = dead_ingest
    followed = services.follow_upload(actor=officer, upload_id=upload.pk)
    assert followed.status == DatasetUpload.Status.QUEUED  # as stored now, not as it was read
    assert followed.progress.state == TaskProgress.State.QUEUED
    assert AuditEvent.objects.filter(action="dataset.upload_interrupted").count() == 1


def test_someone_who_may_not_follow_it_cannot_make_it_move(dead_ingest, make_person):
    _officer, upload = dead_ingest
    for outsider in (make_person("evaluator"), make_person("supplier")):
        with pytest.raises(NotFound):
            services.follow_upload(actor=outsider, upload_id=upload.pk)
    upload.refresh_from_db()
    assert upload.status == DatasetUpload.Status.PROCESSING and upload.attempts == 1
    assert not AuditEvent.objects.filter(action="dataset.upload_interrupted").exists()


def test_a_live_ingest_is_left_alone(dead_ingest, settings):
    officer, upload = dead_ingest
    settings.INGEST_STALE_SECONDS = 3600  # its heart beat a moment ago
    followed = services.follow_upload(actor=officer, upload_id=upload.pk)
    assert followed.status == DatasetUpload.Status.PROCESSING
    assert not AuditEvent.objects.filter(action="dataset.upload_interrupted").exists()
