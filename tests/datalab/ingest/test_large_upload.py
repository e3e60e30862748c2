"""A 1 GB file through the whole ingest (stream to disk, convert, profile) in bounded memory,
and a file over the upload limit refused with a clear message and nothing kept."""

from __future__ import annotations

import html
import json
import textwrap
from pathlib import Path

import duckdb
import pytest
from django.test import Client

from infuse.datalab.models import DatasetUpload
from tests.processes import run

GIB = 1024**3

SETUP = (
    "from infuse.core.models import Person\n"
    "from infuse.datalab.catalogue import services\n"
    "from infuse.datalab.catalogue.schemas import DatasetIn\n"
    "officer = Person.objects.get(email='officer@infuse.example')\n"
    "services.create_dataset(actor=officer, dataset_in=DatasetIn(\n"
    "    title_en='Spend', title_cy='Gwariant',\n"
    "    publisher='cardiff'))\n"
)


def spend_csv(path: Path, rows: int) -> None:
    """Council spend lines (UK dates, £ amounts with separators), written by DuckDB quickly."""
    duckdb.sql(
        f"""COPY (SELECT 'CC-' || i AS ref,
                   strftime(DATE '2024-04-01' + (i % 365)::INTEGER, '%d/%m/%Y') AS date_paid,
                   'Supplier number ' || (i % 9973) || ' Limited' AS supplier,
                   'Service area ' || (i % 37) AS service_area,
                   '£' || format('{{:,}}', 500 + i % 90000) || '.'
                       || lpad((i % 100)::VARCHAR, 2, '0') AS amount
                 FROM range({rows}) t(i)) TO '{path}' (HEADER)"""
    )


@pytest.mark.slow
def test_a_1_gb_csv_ingests_in_bounded_memory(migrated_env, tmp_path):
    source = tmp_path / "spend-1gb.csv"
    spend_csv(source, 13_500_000)
    size = source.stat().st_size
    assert size >= GIB, f"the generated file is {size / GIB:.2f} GiB"
    run(migrated_env, "demo", "--people-only")
    run(migrated_env, "shell", "--no-imports", "-c", SETUP)
    script = textwrap.dedent(
        f"""
        import io, json, resource
        from django.core.management import call_command
        from infuse.datalab.models import DatasetVersion
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        call_command("data", "ingest", {str(source)!r}, "--dataset", "spend",
                     "--as", "officer@infuse.example", stdout=io.StringIO())
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        version = DatasetVersion.objects.get()
        print(json.dumps({{"before": before, "after": after, "rows": version.row_count,
                           "types": [f["type"] for f in version.table_schema["fields"]]}}))
        """
    )
    completed = run(migrated_env, "shell", "--no-imports", "-c", script)
    measured = json.loads(completed.stdout.strip().splitlines()[-1])
    assert measured["rows"] == 13_500_000
    assert measured["types"] == ["string", "date", "string", "string", "number"]
    growth = measured["after"] - measured["before"]
    print(
        f"peak RSS {measured['before'] / 2**20:.0f} -> {measured['after'] / 2**20:.0f} MiB "
        f"for a {size / 2**20:.0f} MiB file"
    )
    assert growth < size / 2, f"peak RSS grew by {growth / 2**20:.0f} MiB"


@pytest.mark.django_db
def test_a_file_over_the_limit_is_refused_and_nothing_is_kept(
    make_dataset, make_person, settings, tmp_path
):
    settings.DATA_DIR = tmp_path / "data"
    settings.MAX_UPLOAD_BYTES = 1024 * 1024
    officer = make_person("officer")
    dataset = make_dataset("Spend", actor=officer)
    client = Client()
    client.force_login(officer)
    big = tmp_path / "big.csv"
    spend_csv(big, 40_000)
    assert big.stat().st_size > settings.MAX_UPLOAD_BYTES
    for prefix, text in (("", "The file is larger than 1.0"), ("/cy", "Mae'r ffeil yn fwy na 1.0")):
        with big.open("rb") as handle:
            response = client.post(
                f"{prefix}/data/datasets/{dataset.slug}/upload/", {"file": handle}
            )
        assert response.status_code == 413
        assert text in html.unescape(response.content.decode())
    assert DatasetUpload.objects.count() == 0
    raw = settings.DATA_DIR / "raw"
    assert not raw.exists() or not any(p.is_file() for p in raw.rglob("*"))
