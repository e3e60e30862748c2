"""Red flags on the pages and through the API and the command line, as a procurement officer
imports the shared releases and reviews a raised flag, in English and Welsh."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from infuse.core import files
from infuse.core.models import TaskProgress
from infuse.procurement.models import FlagReview, RedFlag
from infuse.procurement.redflags.imports import queue_import
from infuse.procurement.redflags.tasks import UPLOADS, recover_interrupted_imports
from tests.clients import api_for
from tests.processes import run
from tests.reference_data import shared

pytestmark = pytest.mark.django_db

SHARED = "ocds/contracts-finder/releases.jsonl"


@pytest.mark.django_db(transaction=True)  # the task worker runs the import
def test_import_on_the_page_then_review_a_raised_flag(buyer):
    client = Client()
    client.force_login(buyer)
    with shared(SHARED).open("rb") as handle:
        queued = client.post("/procurement/flags/import/", {"releases": handle}, follow=True)
    # Read in the background: its progress page, which links to the flags once it is done.
    page = queued.content.decode()
    assert "Importing open contracting data" in page and "The file is being imported" in page
    call_command("worker", "--batch")
    progress = TaskProgress.objects.get(kind=TaskProgress.Kind.OCDS_IMPORT)
    done = client.get(f"/tasks/{progress.pk}/").content.decode()
    assert "Releases imported and the red flags computed again" in done
    assert "/procurement/flags/" in done
    body = client.get("/procurement/flags/").content.decode()
    assert "covered 191 procedures. Releases read: 201; new: 201; left out: 0." in body
    assert "Contract value far above the estimate: 5 raised" in body
    flag = RedFlag.objects.filter(code="above_estimate", state="fires").order_by("-value").first()
    process = client.get(f"/procurement/flags/processes/{flag.subject}/").content.decode()
    assert "Value awarded" in process and "Estimated value" in process
    assert "above_estimate" not in process  # the flag by its name, never its code
    reviewed = client.post(
        f"/procurement/flags/{flag.pk}/review/",
        {
            "explanation": "The estimate was keyed as 1p.",
            "next": f"/procurement/flags/processes/{flag.subject}/",
        },
        follow=True,
    )
    assert "Your review is recorded beside the flag." in reviewed.content.decode()
    assert "The estimate was keyed as 1p." in reviewed.content.decode()
    welsh = client.get(f"/cy/procurement/flags/processes/{flag.subject}/").content.decode()
    assert "Gwerth contract ymhell uwchlaw&#x27;r amcangyfrif" in welsh
    buyer_page = client.get(f"/procurement/flags/buyers/{json.loads(json.dumps(flag.buyer_id))}/")
    assert buyer_page.status_code == 200
    assert FlagReview.objects.get().explanation == "The estimate was keyed as 1p."


@pytest.mark.django_db(transaction=True)
def test_a_bad_file_on_the_page_is_refused_with_why(buyer):
    client = Client()
    client.force_login(buyer)
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("broken.jsonl", b"{nope\n")
    client.post("/procurement/flags/import/", {"releases": bad})
    call_command("worker", "--batch")
    progress = TaskProgress.objects.get(kind=TaskProgress.Kind.OCDS_IMPORT)
    failed = client.get(f"/tasks/{progress.pk}/").content.decode()
    assert progress.state == "failed"
    assert "No release in the file could be read: not JSON" in failed
    assert "What went wrong, and what to do next:" in failed


def test_the_api_imports_lists_and_reviews(buyer, make_person):
    api = api_for(buyer)
    with shared(SHARED).open("rb") as handle:
        imported = api.post("/api/v1/procurement/ocds/import", {"file": handle})
    assert imported.status_code == 200 and imported.json()["processes"] == 191
    definitions = {d["code"]: d for d in api.get("/api/v1/procurement/flags").json()}
    assert len(definitions) == 12
    assert definitions["short_submission"]["threshold"] == "fewer than 15 days"
    raised = api.get("/api/v1/procurement/flags/raised?code=above_estimate").json()
    assert len(raised) == 5 and raised[0]["state_name"] == "Raised"
    reviewed = api.post(
        f"/api/v1/procurement/flags/{raised[0]['id']}/review",
        {"explanation": "Checked with the buyer."},
        content_type="application/json",
    )
    assert reviewed.status_code == 201
    officer = api_for(make_person("officer"))
    refused = officer.post(
        f"/api/v1/procurement/flags/{raised[0]['id']}/review",
        {"explanation": "Not mine to say."},
        content_type="application/json",
    )
    assert refused.status_code == 403
    assert api_for(make_person("supplier")).get("/api/v1/procurement/flags").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_command_line_imports_with_progress(migrated_env):
    run(migrated_env, "demo", "--people-only")
    done = run(
        migrated_env,
        "procurement",
        "ocds-import",
        str(shared(SHARED)),
        "--as",
        "procurement@infuse.example",
    )
    assert json.loads(done.stdout)["processes"] == 191
    assert "Importing releases.jsonl" in done.stderr  # the progress bar, on standard error
    raised = json.loads(
        run(migrated_env, "procurement", "flags", "--as", "procurement@infuse.example").stdout
    )
    assert {f["code"] for f in raised} == {"above_estimate"}


@pytest.mark.django_db(transaction=True)
def test_uploads_are_their_own_and_gone_once_imported_and_a_stopped_import_says_so(buyer):
    lines = b'{"ocid": "ocds-x-1", "id": "1", "date": "2026-01-01T00:00:00Z"}\n'
    for _ in range(2):  # the same file twice: two uploads, neither removes the other's
        queue_import(actor=buyer, upload=files.Upload("same.jsonl", "", [lines]))
    call_command("worker", "--batch")
    imports = TaskProgress.objects.filter(kind=TaskProgress.Kind.OCDS_IMPORT)
    assert {p.state for p in imports} == {"succeeded"}
    folder = files.data_dir() / UPLOADS
    assert not [p for p in folder.rglob("*") if p.is_file()]
    stuck = TaskProgress.objects.create(
        kind=TaskProgress.Kind.OCDS_IMPORT, owner=buyer, state=TaskProgress.State.RUNNING
    )
    TaskProgress.objects.filter(pk=stuck.pk).update(
        updated_at=timezone.now() - dt.timedelta(hours=1)
    )
    assert "interrupted" in recover_interrupted_imports()
    stuck.refresh_from_db()
    assert stuck.state == "failed" and "Import the file again" in stuck.message
