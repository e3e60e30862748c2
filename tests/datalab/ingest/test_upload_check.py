"""Checking how a file will be read before it is converted: the page shows the lines above the
table, where the column names come from and the first rows; other settings can be tried; the
file is converted as shown. The API and the command do the same."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from infuse.datalab.models import DatasetUpload
from tests.reference_data import shared

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_births_file_is_checked_then_converted_as_shown(make_dataset, make_person):
    officer = make_person("officer")
    dataset = make_dataset("Births", actor=officer)
    page = Client()
    page.force_login(officer)
    raw = shared("health/low_birth_weight.csv").read_bytes()
    sent = page.post(
        f"/data/datasets/{dataset.slug}/upload/",
        {"file": SimpleUploadedFile("lbw.csv", raw, content_type="text/csv")},
    )
    upload = DatasetUpload.objects.get(dataset=dataset)
    assert upload.status == "waiting" and upload.progress is None
    assert sent["Location"] == f"/data/uploads/{upload.pk}/check/"
    # Its progress page and the dataset's task list both lead to the check.
    assert page.get(f"/data/uploads/{upload.pk}/")["Location"].endswith("/check/")
    steps = page.get(f"/data/datasets/{dataset.slug}/").content.decode()
    assert f"/data/uploads/{upload.pk}/check/" in steps
    check = page.get(sent["Location"]).content.decode()
    assert "6 lines, kept as the file's title" in check
    assert "From line 7" in check and "Year: 2023" in check
    assert "Line 38 is blank: the notes below it are left out" in check
    assert (
        "3 columns have no name in the file, so they are called column_1, column_2, column_3"
        in check
    )
    assert '<th scope="col" class="govuk-table__header">2000-2499g</th>' in check
    assert "Isle of Anglesey" in check
    # Trying the first line as the header shows what that would do, and what the file suggests.
    tried = page.get(sent["Location"], {"skip_rows": "0", "header_rows": "1"}).content.decode()
    assert "None: the table starts on the first line" in tried
    assert "The file's shape suggests 6 lines." in tried
    welsh = page.get("/cy" + sent["Location"]).content.decode()
    assert "Gwirio sut mae'r ffeil yn cael ei darllen" in welsh.replace("&#x27;", "'")
    converted = page.post(sent["Location"], {"skip_rows": "6", "header_rows": "1"})
    assert converted["Location"] == f"/data/uploads/{upload.pk}/"
    call_command("worker", "--batch")
    upload.refresh_from_db()
    assert upload.status == "accepted" and upload.read_options == {"skip_rows": 6}
    assert upload.version.title_lines[-1] == "Year: 2023"
    again = page.post(sent["Location"], {"skip_rows": "6", "header_rows": "1"})
    assert again["Location"] == f"/data/uploads/{upload.pk}/"  # converted already: its page


def test_a_workbook_is_checked_too_its_cells_read_in_the_sandbox(make_dataset, make_person):
    officer = make_person("officer")
    dataset = make_dataset("Participation", actor=officer)
    page = Client()
    page.force_login(officer)
    raw = shared("health/post16_participation.xlsx").read_bytes()
    sent = page.post(
        f"/data/datasets/{dataset.slug}/upload/",
        {"file": SimpleUploadedFile("p16.xlsx", raw)},
    )
    upload = DatasetUpload.objects.get(dataset=dataset)
    assert upload.status == "waiting" and sent["Location"].endswith("/check/")
    check = page.get(sent["Location"]).content.decode()
    assert "Full post-16 learner cohort" in check and "Isle of Anglesey" in check
    assert "Academic Year: 2009/10" in check  # from the Metadata sheet
    assert 'name="sheet"' in check
    missing = page.get(sent["Location"], {"sheet": "Nowhere", "header_rows": "1"}).content.decode()
    assert "<title>Error: Check how the file is read" in missing
    assert "govuk-error-summary" in missing and 'href="#id_sheet"' in missing
    assert "The spreadsheet has no sheet called ‘Nowhere’" in missing
    assert "Isle of Anglesey" in missing  # still shown as it was sent
    page.post(sent["Location"], {"skip_rows": "0", "header_rows": "1", "sheet": ""})
    call_command("worker", "--batch")
    upload.refresh_from_db()
    assert upload.status == "accepted", upload.error_detail


def test_the_api_checks_first_when_asked(make_dataset, make_person, capsys):
    officer = make_person("officer")
    dataset = make_dataset("Births", actor=officer)
    api = Client()
    api.force_login(officer)
    raw = shared("health/low_birth_weight.csv").read_bytes()
    sent = api.post(
        f"/api/v1/data/datasets/{dataset.slug}/uploads",
        {"file": SimpleUploadedFile("lbw.csv", raw), "check_first": "true"},
    )
    assert sent.status_code == 202 and sent.json()["status"] == "waiting"
    upload_id = sent.json()["id"]
    found = api.get(f"/api/v1/data/uploads/{upload_id}/preview").json()
    assert (found["skip_rows"], found["header_line"], found["unnamed"]) == (
        6,
        7,
        ["column_1", "column_2", "column_3"],
    )
    assert found["rows"][0][:4] == ["Wales", "", "", "684"]
    plain = api.get(f"/api/v1/data/uploads/{upload_id}/preview", {"skip_rows": 0}).json()
    assert plain["columns"][0].startswith("Health and social care")
    converted = api.post(
        f"/api/v1/data/uploads/{upload_id}/convert",
        data=json.dumps({"skip_rows": 6}),
        content_type="application/json",
    )
    assert converted.status_code == 202 and converted.json()["status"] == "queued"
    twice = api.post(
        f"/api/v1/data/uploads/{upload_id}/convert",
        data=json.dumps({"skip_rows": 6}),
        content_type="application/json",
    )
    assert twice.status_code == 409

    call_command(
        "data",
        "ingest",
        str(shared("health/low_birth_weight.csv")),
        "--dataset",
        dataset.slug,
        "--preview",
        "--as",
        officer.email,
    )
    said = capsys.readouterr().out
    assert "Lines above the table: 6; column names from line 7." in said
    assert "  | Year: 2023" in said and "Columns: column_1, column_2, column_3, <2000g" in said
    assert DatasetUpload.objects.filter(dataset=dataset).count() == 1  # nothing uploaded


def test_statswales_flags_are_kept_beside_their_values(make_dataset, make_person):
    """ "[c]" and "[x]" alone are missing values with their flag; "15 [p]" is 15, provisional;
    ".." and "." are missing markers, as before."""
    import duckdb

    from infuse.core import files
    from infuse.datalab.ingest.services import upload_file

    officer = make_person("officer")
    dataset = make_dataset("Flags", actor=officer)
    text = (
        "Area,Year,Count,Rate\n"
        "Cardiff,2023,120,5.5\n"
        "Newport,2023,[c],[x]\n"
        "Torfaen,2023,15 [p],3.2 [e]\n"
        "Bridgend,2023,..,.\n"
    )
    upload_file(actor=officer, dataset=dataset, chunks=[text.encode()], original_name="f.csv")
    call_command("worker", "--batch")
    version = dataset.latest_version
    assert [(f["name"], f["type"]) for f in version.fields] == [
        ("Area", "string"),
        ("Year", "integer"),
        ("Count", "integer"),
        ("Rate", "number"),
        ("Count flag", "string"),
        ("Rate flag", "string"),
    ]
    rows = duckdb.sql(
        f'SELECT Count, Rate::DOUBLE, "Count flag", "Rate flag" '
        f"FROM read_parquet('{files.resolve(version.parquet_path)}')"
    ).fetchall()
    assert rows == [
        (120, 5.5, None, None),
        (None, None, "c", "x"),
        (15, 3.2, "p", "e"),
        (None, None, None, None),
    ]
    said = {w["key"]: w["params"] for w in version.upload.report["conversion"]["warnings"]}
    assert said["ingest.flags-kept"] == {"columns": "Count flag, Rate flag"}


def test_a_statswales_workbook_keeps_its_metadata_sheet_as_the_title(make_dataset, make_person):
    from infuse.datalab.ingest.services import upload_file

    officer = make_person("officer")
    dataset = make_dataset("Participation", actor=officer)
    raw = shared("health/post16_participation.xlsx").read_bytes()
    upload_file(actor=officer, dataset=dataset, chunks=[raw], original_name="p16.xlsx")
    call_command("worker", "--batch")
    version = dataset.latest_version
    assert "Academic Year: 2009/10" in version.title_lines
    assert not any("<br" in line for line in version.title_lines)


def test_a_kept_file_sent_again_to_be_converted_is_converted_once(make_dataset, make_person):
    from infuse.core.errors import Conflict
    from infuse.datalab.ingest import services
    from infuse.datalab.ingest.schemas import UploadIn

    officer = make_person("officer")
    dataset = make_dataset("Births", actor=officer)
    raw = shared("health/low_birth_weight.csv").read_bytes()
    kept = services.upload_file(
        actor=officer,
        dataset=dataset,
        chunks=[raw],
        original_name="a.csv",
        upload_in=UploadIn(check_first=True),
    ).upload
    assert kept.status == "waiting"
    again = services.upload_file(
        actor=officer, dataset=dataset, chunks=[raw], original_name="a.csv"
    )
    assert again.upload.pk == kept.pk and again.upload.status == "queued"
    assert again.upload.progress_id is not None
    with pytest.raises(Conflict):
        services.convert_upload(actor=officer, upload_id=kept.pk, upload_in=UploadIn())
    assert DatasetUpload.objects.filter(dataset=dataset).count() == 1


def test_flags_in_notes_or_beyond_the_header_are_not_columns(make_dataset, make_person):
    from infuse.datalab.ingest.services import upload_file

    officer = make_person("officer")
    dataset = make_dataset("Flags", actor=officer)
    text = (
        "Table of rates,,\n"
        ",,\n"
        "Area,Rate,Rate flag\n"
        "Cardiff,5.5 [p],old\n"
        "Newport,4.1,old\n"
        ",,\n"
        "[c],Confidential,\n"
    )
    upload_file(actor=officer, dataset=dataset, chunks=[text.encode()], original_name="f.csv")
    call_command("worker", "--batch")
    upload = DatasetUpload.objects.get(dataset=dataset)
    assert upload.status == "accepted", upload.error_detail
    names = [f["name"] for f in upload.version.fields]
    assert names == ["Area", "Rate", "Rate flag", "Rate flag 2"]


def test_the_data_flags_become_the_values_flags_unless_a_person_set_one(make_dataset, make_person):
    """ "15 [p]" makes Torfaen's value provisional, "[c]" Newport's suppressed; a flag a person
    sets comes first and stays through a recomputation."""
    from infuse.datalab.indicators import services as indicators
    from infuse.datalab.indicators.schemas import FlagIn, IndicatorIn
    from infuse.datalab.ingest.services import upload_file
    from infuse.datalab.models import IndicatorValue

    officer = make_person("officer")
    dataset = make_dataset("Flagged", actor=officer)
    text = (
        "Area,Year,Cases,People\n"
        "Cardiff,2023,120,1000\n"
        "Newport,2023,[c],800\n"
        "Torfaen,2023,15 [p],300\n"
        "Bridgend,2023,20 [e],400\n"
    )
    upload_file(actor=officer, dataset=dataset, chunks=[text.encode()], original_name="f.csv")
    call_command("worker", "--batch")
    spec = {
        "numerator": {"aggregation": "sum", "column": "Cases"},
        "denominator": {"kind": "measure", "aggregation": "sum", "column": "People"},
        "council_column": "Area",
        "period": {"column": "Year", "grain": "as_recorded"},
        "unit": "percentage",
        "polarity": "lower is better",
    }
    made = indicators.create_indicator(
        actor=officer,
        dataset=dataset,
        indicator_in=IndicatorIn(title_en="Cases", title_cy="Achosion", specification=spec),
    )
    call_command("worker", "--batch")

    def flags() -> dict[str, tuple[str, str]]:
        return {
            v.council.name_en: (v.flag, v.data_flag)
            for v in IndicatorValue.objects.filter(indicator=made, council__isnull=False)
        }

    assert flags() == {
        "Cardiff": ("", ""),
        "Newport": ("", "suppressed"),
        "Torfaen": ("", "provisional"),
        "Bridgend": ("", "estimated"),
    }
    torfaen = IndicatorValue.objects.get(indicator=made, council__name_en="Torfaen")
    indicators.set_value_flag(actor=officer, value=torfaen, flag_in=FlagIn(flag="low_reliability"))
    indicators.recompute_indicator(actor=officer, indicator=made)
    call_command("worker", "--batch")
    assert flags()["Torfaen"] == ("low_reliability", "provisional")
    page = Client().get(f"/data/indicators/{made.slug}/")
    assert page.status_code in (200, 404)  # private dataset: the public sees nothing
    staff = Client()
    staff.force_login(officer)
    text_page = staff.get(f"/data/indicators/{made.slug}/").content.decode()
    assert "Estimated" in text_page and "Low reliability" in text_page
