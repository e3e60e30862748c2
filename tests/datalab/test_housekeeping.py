"""At a worker's start, stored files that no row refers to (a process was killed between
storing one and recording it) are removed once they are old enough; nothing referred to is."""

from __future__ import annotations

import os
import time

import pytest
from django.core.management import call_command

from infuse.core import files
from infuse.datalab.apps import remove_orphaned_files
from infuse.datalab.ingest.services import upload_file

pytestmark = pytest.mark.django_db(transaction=True)


def _aged(relative: str, seconds: float) -> str:
    path = files.resolve(relative)
    then = time.time() - seconds
    os.utime(path, (then, then))
    return relative


def test_old_orphans_go_and_everything_referred_to_stays(make_dataset, make_person, settings):
    officer = make_person("officer")
    dataset = make_dataset("Payments", actor=officer)
    upload_file(actor=officer, dataset=dataset, chunks=[b"a,b\n1,2\n"], original_name="p.csv")
    call_command("worker", "--batch")
    version = dataset.versions.get()
    stale = settings.INGEST_STALE_SECONDS + 60
    kept = [_aged(version.parquet_path, stale), _aged(version.upload.raw_path, stale)]
    orphans = [
        _aged(
            files.store_stream([b"left by a killed ingest"], kind="parquet").relative_path, stale
        ),
        _aged(files.store_stream([b"left by a killed upload"], kind="raw").relative_path, stale),
    ]
    young = files.store_stream([b"just stored, not yet recorded"], kind="parquet").relative_path

    assert remove_orphaned_files() == "Removed 2 orphaned data file(s)."
    assert all(files.resolve(path).exists() for path in [*kept, young])
    assert not any(files.resolve(path).exists() for path in orphans)
    assert remove_orphaned_files() is None
