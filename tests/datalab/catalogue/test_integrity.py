"""A dataset version whose stored file changed or went missing is named by `audit verify`."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from infuse.core import files
from infuse.datalab.catalogue.integrity import changed_versions
from infuse.datalab.ingest.services import upload_file

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_replaced_or_missing_file_is_found(make_dataset, make_person):
    officer = make_person("officer")
    dataset = make_dataset("Payments", actor=officer)
    upload_file(actor=officer, dataset=dataset, chunks=[b"a,b\n1,2\n"], original_name="p.csv")
    call_command("worker", "--batch")
    version = dataset.versions.get()
    assert list(changed_versions()) == []
    path = files.resolve(version.parquet_path)
    path.chmod(0o600)
    path.write_bytes(path.read_bytes()[:-1] + b"\0")
    with pytest.raises(
        CommandError, match="its data file no longer has the bytes it was stored with"
    ):
        call_command("audit", "verify")
    path.unlink()
    assert "is missing" in next(iter(changed_versions()))
