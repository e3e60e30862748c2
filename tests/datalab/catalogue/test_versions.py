"""A version's page (the profile of every column) and its downloads and datapackage.json."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from infuse.datalab.ingest import services
from infuse.datalab.models import DatasetVersion
from tests.datalab.ingest.test_ingest_flow import shared, upload

# The worker closes connections between tasks, as in production: these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)


def test_version_page_profiles_every_column(make_dataset, make_person):
    from django.test import Client

    officer = make_person("officer")
    dataset = make_dataset("Bradford spend", actor=officer, visibility="public")
    upload(officer, dataset, shared("spend/bradford_2019-01_processed.csv"))
    call_command("worker", "--batch")
    version = DatasetVersion.objects.get(dataset=dataset)
    columns = {c["name"]: c for c in version.profile["columns"]}
    assert set(columns) == {f["name"] for f in version.table_schema["fields"]}
    assert all(c["rows"] == version.row_count for c in columns.values())
    page = Client().get(f"/data/datasets/{dataset.slug}/versions/1/").content.decode()
    assert "Most common values" in page and 'role="img"' in page
    welsh = Client().get(f"/cy/data/datasets/{dataset.slug}/versions/1/").content.decode()
    assert 'lang="cy"' in welsh


def test_downloads_and_datapackage(make_dataset, make_person):
    from django.test import Client

    officer = make_person("officer")
    dataset = make_dataset("Fuel", actor=officer, visibility="public")
    services.upload_file(
        actor=officer,
        dataset=dataset,
        chunks=[b"council,litres\nCardiff,10.5\nNewport,=1+1\n"],
        original_name="fuel.csv",
    )
    call_command("worker", "--batch")
    base = f"/data/datasets/{dataset.slug}/versions/1/"
    for file_format in ("csv", "xlsx", "json", "parquet"):
        response = Client().get(f"{base}download.{file_format}")
        assert response.status_code == 200, file_format
        assert f'filename="fuel-v1.{file_format}"' in response["Content-Disposition"]
        b"".join(response.streaming_content)
    csv_text = b"".join(Client().get(f"{base}download.csv").streaming_content).decode()
    assert "'=1+1" in csv_text
    assert Client().get(f"{base}download.exe").status_code == 404
    package = Client().get(f"{base}datapackage.json").json()
    assert package["licenses"][0]["name"] == "OGL-UK-3.0"
    csv_resource = next(r for r in package["resources"] if r["format"] == "csv")
    assert [f["name"] for f in csv_resource["schema"]["fields"]] == ["council", "litres"]
