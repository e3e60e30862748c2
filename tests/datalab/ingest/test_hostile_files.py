"""Files built to crash or exhaust a reader fail their own upload with a reason, at once, and the
worker goes on to the next task."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from infuse.datalab.ingest.services import upload_file
from infuse.datalab.messages import explain
from infuse.datalab.models import DatasetUpload

pytestmark = pytest.mark.django_db(transaction=True)


def _upload(dataset, officer, content: bytes, name: str) -> DatasetUpload:
    outcome = upload_file(actor=officer, dataset=dataset, chunks=[content], original_name=name)
    return outcome.upload


def _billion_laughs_xlsx() -> bytes:
    """A spreadsheet whose sheet expands nested entities to gigabytes (openpyxl writes its
    strings inline, so the bomb goes in the sheet the reader parses, not in shared strings)."""
    buffer = io.BytesIO()
    workbook = Workbook()
    workbook.active.append(["area", "count"])
    workbook.active.append(["Cardiff", 1])
    workbook.save(buffer)
    laughs = ['<!ENTITY l0 "ha">'] + [
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)
    ]
    sheet = (
        '<?xml version="1.0"?><!DOCTYPE worksheet [' + "".join(laughs) + "]>"
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&l9;</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                target.writestr(item, source.read(item.filename))
        target.writestr("xl/worksheets/sheet1.xml", sheet)
    return out.getvalue()


def test_a_reader_crash_fails_that_upload_once_and_the_worker_goes_on(make_dataset, make_person):
    officer = make_person("officer")
    dataset = make_dataset("Payments", actor=officer)
    nested = _upload(dataset, officer, b"[" * 100_000 + b"]" * 100_000, "nested.json")
    good = _upload(dataset, officer, b"area,count\nCardiff,3\n", "good.csv")

    call_command("worker", "--batch")  # the worker process itself must survive both

    nested.refresh_from_db()
    good.refresh_from_db()
    assert nested.status == DatasetUpload.Status.REJECTED
    assert nested.error_key == "sandbox.crashed" and nested.attempts == 1
    assert "stopped unexpectedly" in explain(nested.error_key, nested.error_params)
    assert good.status == DatasetUpload.Status.ACCEPTED


def test_a_billion_laughs_spreadsheet_is_rejected_with_its_reason(make_dataset, make_person):
    officer = make_person("officer")
    dataset = make_dataset("Payments", actor=officer)
    upload = _upload(dataset, officer, _billion_laughs_xlsx(), "laughs.xlsx")
    call_command("worker", "--batch")
    upload.refresh_from_db()
    assert upload.status == DatasetUpload.Status.REJECTED
    assert upload.error_key != "ingest.internal-error"
    assert explain(upload.error_key, upload.error_params)
