"""Upload → background ingest → immutable version, with the real worker and real files.

The files in ../shared/data are real council publications nobody here wrote.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from django.core.management import call_command
from django.test import Client

from infuse.core import files
from infuse.core.errors import InvalidInput, PermissionDenied
from infuse.datalab.ingest import services
from infuse.datalab.ingest.schemas import SchemaIn, UploadIn
from infuse.datalab.models import DatasetUpload, DatasetVersion
from tests.reference_data import shared

# The worker closes connections between tasks, as in production: these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)


def upload(actor, dataset, path: Path, **options):
    data = path.read_bytes()
    return services.upload_file(
        actor=actor,
        dataset=dataset,
        chunks=[data[:1000], data[1000:]],
        original_name=path.name,
        upload_in=UploadIn(**options),
    )


def test_a_real_spend_file_becomes_version_1(make_dataset, make_person):
    officer = make_person("officer")
    dataset = make_dataset("Darlington spend", actor=officer)
    outcome = upload(officer, dataset, shared("spend/darlington_clean_2010-09.csv"))
    assert outcome.upload is not None and outcome.upload.status == "queued"
    call_command("worker", "--batch")
    received = DatasetUpload.objects.get(pk=outcome.upload.pk)
    assert received.status == "accepted", received.error_detail
    version = DatasetVersion.objects.get(dataset=dataset)
    assert version.number == 1 and version.row_count > 100
    types = {f["name"]: f["type"] for f in version.table_schema["fields"]}
    assert types["Invoice Line Value (net of VAT)"] == "number"
    assert types["Date"] == "string"  # "July 2010-September 2010" is a period label, not a date
    parquet = files.resolve(version.parquet_path)
    rows = duckdb.sql(f"select count(*) from read_parquet('{parquet}')").fetchall()[0][0]
    assert rows == version.row_count
    progress = received.progress
    progress.refresh_from_db()
    assert progress.state == "succeeded" and progress.result["version"] == 1


def test_the_same_bytes_twice_point_to_the_existing_version(make_dataset, make_person):
    officer = make_person("officer")
    dataset = make_dataset("Salford spend", actor=officer)
    path = shared("spend/salford_processed_2019-01.csv")
    upload(officer, dataset, path)
    call_command("worker", "--batch")
    again = upload(officer, dataset, path)
    assert again.upload is None and again.existing_version.number == 1
    assert DatasetUpload.objects.filter(dataset=dataset).count() == 1


def test_a_file_without_rows_is_rejected_with_a_clear_reason(make_dataset, make_person, tmp_path):
    officer = make_person("officer")
    dataset = make_dataset("Empty", actor=officer)
    header_only = tmp_path / "header.csv"
    header_only.write_text("council,value\n")
    outcome = upload(officer, dataset, header_only)
    call_command("worker", "--batch")
    received = DatasetUpload.objects.get(pk=outcome.upload.pk)
    assert received.status == "rejected" and received.error_key == "ingest.header-only"
    assert "no rows of data" in received.error_message
    assert not DatasetVersion.objects.filter(dataset=dataset).exists()


def test_an_empty_file_or_unknown_type_is_refused_at_once(make_dataset, make_person, tmp_path):
    officer = make_person("officer")
    dataset = make_dataset("Nothing", actor=officer)
    with pytest.raises(InvalidInput):
        services.upload_file(actor=officer, dataset=dataset, chunks=[b""], original_name="a.csv")
    with pytest.raises(InvalidInput) as raised:
        services.upload_file(
            actor=officer, dataset=dataset, chunks=[b"x"], original_name="payload.exe"
        )
    assert raised.value.problems[0].field == "file"


def test_path_traversal_in_a_file_name_goes_nowhere(make_dataset, make_person, settings):
    officer = make_person("officer")
    dataset = make_dataset("Traversal", actor=officer)
    outcome = services.upload_file(
        actor=officer,
        dataset=dataset,
        chunks=[b"a,b\n1,2\n"],
        original_name="../../../etc/passwd.csv",
    )
    assert "/" not in outcome.upload.original_name and ".." not in outcome.upload.original_name
    assert files.resolve(outcome.upload.raw_path).is_relative_to(Path(settings.DATA_DIR))


def test_only_the_publishers_data_people_upload(make_dataset, make_person):
    dataset = make_dataset("Guarded", visibility="public")
    with pytest.raises(PermissionDenied):
        services.upload_file(
            actor=make_person("evaluator"),
            dataset=dataset,
            chunks=[b"a\n1\n"],
            original_name="a.csv",
        )


SCHEMA = {
    "fields": [
        {"name": "council", "type": "string", "council": True, "constraints": {"required": True}},
        {"name": "month", "type": "date"},
        {"name": "tonnes", "type": "number", "constraints": {"minimum": 0}},
    ],
    "primaryKey": ["council", "month"],
}

ROWS = (
    "council,month,tonnes\n"
    "W06000015,2024-04-01,120.5\n"
    "Caerdydd,2024-05-01,118\n"
    "Atlantis,2024-04-01,3\n"
    "Newport,2024-04-01,-2\n"
    "Casnewydd,2024-05-01,77\n"
)


@pytest.mark.parametrize(
    ("policy", "status", "versions"), [("reject", "rejected", 0), ("quarantine", "accepted", 1)]
)
def test_declared_schema_rejects_or_quarantines(
    make_dataset, make_person, tmp_path, policy, status, versions
):
    officer = make_person("officer")
    dataset = make_dataset("Waste", actor=officer, validation_policy=policy)
    services.set_declared_schema(actor=officer, dataset=dataset, schema_in=SchemaIn(schema=SCHEMA))
    path = tmp_path / "waste.csv"
    path.write_text(ROWS)
    outcome = upload(officer, dataset, path)
    call_command("worker", "--batch")
    received = DatasetUpload.objects.get(pk=outcome.upload.pk)
    assert received.status == status, received.error_detail
    report = received.report["validation"]
    assert report["invalid_rows"] == 2
    problems = {
        (g["column"], g["key"]): [e["row"] for e in g["examples"]] for g in report["groups"]
    }
    assert problems[("council", "validation.unknown-council")] == [3]
    assert problems[("tonnes", "validation.below-minimum")] == [4]
    assert DatasetVersion.objects.filter(dataset=dataset).count() == versions
    if versions:
        version = DatasetVersion.objects.get(dataset=dataset)
        assert (version.row_count, version.quarantined_rows) == (3, 2)
        # The profile is of the rows kept (the sandbox's profile was of all five).
        assert version.profile["rows"] == 3
        councils = next(c for c in version.profile["columns"] if c["name"] == "council")
        assert "Atlantis" not in {v["value"] for v in councils["top_values"]}
        quarantine = files.resolve(version.quarantine_path)
        kept = duckdb.sql(f"select council from read_parquet('{quarantine}') order by 1").fetchall()
        assert kept == [("Atlantis",), ("Newport",)]
        # Its publisher downloads the quarantined rows, problems included, in every format.
        from django.test import Client

        client = Client()
        client.force_login(officer)
        url = f"/data/datasets/{dataset.slug}/versions/1/quarantine"
        page = client.get(f"/data/datasets/{dataset.slug}/versions/1/").content.decode()
        assert f"{url}.csv" in page
        text = b"".join(client.get(f"{url}.csv").streaming_content).decode()
        assert "Atlantis" in text and "validation.unknown-council" in text
        sheet = b"".join(client.get(f"{url}.xlsx").streaming_content)
        assert sheet[:2] == b"PK"
        rows = json.loads(b"".join(client.get(f"{url}.json").streaming_content))
        assert {r["_problems"][0]["key"] for r in rows} == {
            "validation.unknown-council",
            "validation.below-minimum",
        }
        assert Client().get(f"{url}.csv").status_code in (403, 404)
        outsider = Client()
        outsider.force_login(make_person("evaluator"))
        assert outsider.get(f"{url}.csv").status_code in (403, 404)


def test_a_malformed_schema_is_refused_field_by_field(make_dataset, make_person):
    officer = make_person("officer")
    dataset = make_dataset("Schema", actor=officer)
    with pytest.raises(InvalidInput) as raised:
        services.set_declared_schema(
            actor=officer,
            dataset=dataset,
            schema_in=SchemaIn(
                schema={
                    "fields": [
                        {"name": "a", "type": "colour"},
                        {"type": "string"},
                        {"name": "b", "constraints": {"sparkly": True}},
                    ],
                    "primaryKey": ["zzz"],
                }
            ),
        )
    assert {p.field for p in raised.value.problems} == {
        "fields[1]",
        "fields[2]",
        "fields[3]",
        "primaryKey",
    }


def test_upload_page_then_status_page_in_both_languages(make_dataset, make_person, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    officer = make_person("officer")
    dataset = make_dataset("Waste by month", actor=officer, validation_policy="reject")
    services.set_declared_schema(actor=officer, dataset=dataset, schema_in=SchemaIn(schema=SCHEMA))
    client = Client()
    client.force_login(officer)
    page = client.get(f"/data/datasets/{dataset.slug}/upload/")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.content.decode()
    missing = client.post(f"/data/datasets/{dataset.slug}/upload/", {})
    assert missing.status_code == 400 and "Choose a file to upload" in missing.content.decode()
    sent = client.post(
        f"/data/datasets/{dataset.slug}/upload/",
        {
            "file": SimpleUploadedFile("waste.csv", ROWS.encode(), content_type="text/csv"),
        },
    )
    assert sent.status_code == 302
    # A CSV file is kept to be checked first: how it will be read, then the button.
    check_url = sent["Location"]
    assert check_url.endswith("/check/")
    check = client.get(check_url).content.decode()
    assert "Check how the file is read" in check and "council" in check
    converted = client.post(check_url, {"skip_rows": "0", "header_rows": "1"})
    assert converted.status_code == 302
    status_url = converted["Location"]
    assert client.post(check_url, {"skip_rows": "0", "header_rows": "1"}).status_code == 302
    waiting = client.get(status_url).content.decode()
    assert 'role="status"' in waiting and "Check again" in waiting
    call_command("worker", "--batch")
    english = client.get(status_url).content.decode()
    assert "Validation report" in english and "Not one of the ten councils" in english
    assert "2 rows do not match" in english
    welsh = client.get("/cy" + status_url).content.decode()
    assert 'lang="cy"' in welsh and "Adroddiad dilysu" in welsh


def test_upload_through_the_api(make_dataset, make_person):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from infuse.core import services as core_services

    officer = make_person("officer")
    dataset = make_dataset("Potholes", actor=officer)
    auth = {
        "HTTP_AUTHORIZATION": "Bearer "
        + core_services.create_api_token(actor=officer, name="t").secret
    }
    body = b"council,reports\nCardiff,12\nNewport,9\n"
    sent = Client().post(
        f"/api/v1/data/datasets/{dataset.slug}/uploads",
        {"file": SimpleUploadedFile("potholes.csv", body)},
        **auth,
    )
    assert sent.status_code == 202, sent.content
    upload_id = sent.json()["id"]
    call_command("worker", "--batch")
    done = Client().get(f"/api/v1/data/uploads/{upload_id}", **auth).json()
    assert done["status"] == "accepted" and done["version"] == 1
    again = Client().post(
        f"/api/v1/data/datasets/{dataset.slug}/uploads",
        {"file": SimpleUploadedFile("same.csv", body)},
        **auth,
    )
    assert again.status_code == 200 and again.json()["version"] == 1
    missing = Client().post(f"/api/v1/data/datasets/{dataset.slug}/uploads", {}, **auth)
    assert missing.status_code == 400


@pytest.mark.parametrize("line_end", [b"\n", b"\r\n"], ids=["as-published", "saved-by-excel"])
def test_a_statswales_file_as_it_comes_finds_its_own_table(make_dataset, make_person, line_end):
    """Uploaded with no options, the preamble is found and skipped, and said; the table's
    columns are the real ones (not one named after the breadcrumb line, all text). Giving 0
    lines to skip reads the file as it is, as asked."""
    officer = make_person("officer")
    dataset = make_dataset("Births", actor=officer)
    raw = shared("health/low_birth_weight.csv").read_bytes().replace(b"\r\n", b"\n")
    outcome = services.upload_file(
        actor=officer,
        dataset=dataset,
        chunks=[raw.replace(b"\n", line_end)],
        original_name="low_birth_weight.csv",
    )
    call_command("worker", "--batch")
    received = DatasetUpload.objects.get(pk=outcome.upload.pk)
    assert received.status == "accepted", received.error_detail
    version = DatasetVersion.objects.get(dataset=dataset)
    assert version.row_count == 30
    names = [f["name"] for f in version.table_schema["fields"]]
    assert names[3:5] == ["<2000g", "2000-2499g"] and names[-1] == "Total"
    said = {w["key"]: w["params"] for w in received.report["conversion"]["warnings"]}
    assert said["ingest.preamble-skipped"] == {"count": 6, "header_line": 7}
    assert said["ingest.footer-dropped"]["count"] == 29
    page = Client()
    page.force_login(officer)
    text = page.get(f"/data/uploads/{received.pk}/").content.decode()
    assert "The first 6 lines, above the table" in text

    as_asked = services.upload_file(
        actor=officer,
        dataset=make_dataset("Births as they are", actor=officer),
        chunks=[raw],
        original_name="low_birth_weight.csv",
        upload_in=UploadIn(skip_rows=0),
    )
    call_command("worker", "--batch")
    plain = DatasetUpload.objects.get(pk=as_asked.upload.pk)
    assert "ingest.preamble-skipped" not in {
        w["key"] for w in plain.report.get("conversion", {}).get("warnings", [])
    }
