"""A worker killed (SIGKILL) mid-ingest: nothing half-written is visible, nothing earlier
changes, and the next worker ingests the upload again. Real processes, real database."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import time
from pathlib import Path

import duckdb
import pytest
from django.test import Client

from infuse.datalab.ingest import services
from infuse.datalab.ingest.tasks import recover_interrupted_uploads
from infuse.datalab.models import DatasetUpload
from tests.processes import INFUSE, query, run

SETUP = (
    "from infuse.core.models import Person\n"
    "from infuse.datalab.catalogue import services\n"
    "from infuse.datalab.catalogue.schemas import DatasetIn\n"
    "officer = Person.objects.get(email='officer@infuse.example')\n"
    "services.create_dataset(actor=officer, dataset_in=DatasetIn(\n"
    "    title_en='Payments', title_cy='Taliadau',\n"
    "    publisher='cardiff'))\n"
)
QUEUE = (
    "import sys\n"
    "from pathlib import Path\n"
    "from infuse.core.models import Person\n"
    "from infuse.datalab.catalogue.services import get_dataset\n"
    "from infuse.datalab.ingest import services\n"
    "officer = Person.objects.get(email='officer@infuse.example')\n"
    "dataset = get_dataset(actor=officer, slug='payments')\n"
    "path = Path('{path}')\n"
    "def chunks():\n"
    "    with path.open('rb') as f:\n"
    "        while chunk := f.read(1 << 20):\n"
    "            yield chunk\n"
    "outcome = services.upload_file(actor=officer, dataset=dataset, chunks=chunks(),\n"
    "    original_name=path.name)\n"
    "print(outcome.upload.pk)\n"
)


def big_csv(path: Path, rows: int) -> None:
    duckdb.sql(
        f"COPY (SELECT 'PAY-' || i AS ref, DATE '2024-04-01' + (i % 365)::INTEGER AS paid, "
        f"'Supplier ' || (i % 997) AS supplier, round(500 + (i * 7919 % 100000) / 7.0, 2) "
        f"AS amount FROM range({rows}) t(i)) TO '{path}' (HEADER)"
    )


def test_a_killed_worker_leaves_no_version_and_the_next_one_finishes(migrated_env, tmp_path):
    run(migrated_env, "demo", "--people-only")
    run(migrated_env, "shell", "--no-imports", "-c", SETUP)
    small = tmp_path / "payments-v1.csv"
    small.write_text("ref,paid,supplier,amount\nPAY-1,2024-04-01,Acme,600.00\n")
    run(
        migrated_env,
        "data",
        "ingest",
        str(small),
        "--dataset",
        "payments",
        "--as",
        "officer@infuse.example",
    )
    (v1_path,) = query(migrated_env, "SELECT parquet_path FROM datalab_datasetversion")[0:1]
    v1_file = Path(migrated_env["INFUSE_VAR_DIR"]) / "data" / v1_path[0]
    v1_digest = hashlib.sha256(v1_file.read_bytes()).hexdigest()

    big = tmp_path / "payments-v2.csv"
    big_csv(big, 3_000_000)
    upload_id = (
        run(migrated_env, "shell", "--no-imports", "-c", QUEUE.format(path=big))
        .stdout.strip()
        .replace("-", "")
    )

    worker = subprocess.Popen(
        [*INFUSE, "worker", "--interval", "0.1"],
        env=migrated_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        status = ""
        while time.monotonic() < deadline:
            rows = query(
                migrated_env,
                "SELECT status FROM datalab_datasetupload "
                f"WHERE replace(CAST(id AS TEXT), '-', '') = '{upload_id}'",
            )
            status = rows[0][0] if rows else ""
            if status != "queued":
                break
            time.sleep(0.02)
        assert status == "processing", f"the worker did not start the ingest ({status})"
        os.killpg(worker.pid, signal.SIGKILL)  # mid-ingest, no chance to clean up
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)

    # Nothing half-written is visible, and version 1 is as it was.
    assert query(migrated_env, "SELECT number FROM datalab_datasetversion") == [(1,)]
    assert query(migrated_env, "SELECT status FROM datalab_datasetupload ORDER BY created_at")[
        -1
    ] == ("processing",)
    assert hashlib.sha256(v1_file.read_bytes()).hexdigest() == v1_digest
    page_env = {**migrated_env, "INFUSE_INGEST_STALE_SECONDS": "0"}
    # The next worker finds the upload with no heartbeat, queues it again and ingests it.
    restarted = run(page_env, "worker", "--batch")
    assert "Queued again 1 interrupted upload" in restarted.stdout
    assert query(
        migrated_env, "SELECT number, row_count FROM datalab_datasetversion ORDER BY number"
    ) == [
        (1, 1),
        (2, 3_000_000),
    ]
    assert query(
        migrated_env, "SELECT status, attempts FROM datalab_datasetupload ORDER BY created_at"
    )[-1] == ("accepted", 2)
    assert hashlib.sha256(v1_file.read_bytes()).hexdigest() == v1_digest
    assert "Audit chain intact" in run(migrated_env, "audit", "verify").stdout


@pytest.mark.django_db(transaction=True)
def test_the_status_page_requeues_a_dead_ingest_and_gives_up_after_three(
    make_dataset, make_person, settings, tmp_path
):
    settings.DATA_DIR = tmp_path / "data"
    settings.INGEST_STALE_SECONDS = 0
    officer = make_person("officer")
    dataset = make_dataset("Payments", actor=officer)
    outcome = services.upload_file(
        actor=officer, dataset=dataset, chunks=[b"a,b\n1,2\n"], original_name="p.csv"
    )
    upload = outcome.upload
    # As a killed worker leaves it: claimed, processing, its heart stopped.
    DatasetUpload.objects.filter(pk=upload.pk).update(status="processing", attempts=1)
    client = Client()
    client.force_login(officer)
    page = client.get(f"/data/uploads/{upload.pk}/").content.decode()
    upload.refresh_from_db()
    assert upload.status == "queued" and "Interrupted; queued again" in page
    DatasetUpload.objects.filter(pk=upload.pk).update(status="processing", attempts=3)
    assert recover_interrupted_uploads() == []
    upload.refresh_from_db()
    assert upload.status == "failed" and upload.error_key == "ingest.interrupted"
    page = client.get(f"/data/uploads/{upload.pk}/").content.decode()
    assert "interrupted 3 times" in page
    assert dataset.versions.count() == 0
