"""The Data Lab through its API alone, with a bearer token: schema, upload, version, download,
SQL, indicator, values and flags; and the public's view of the same endpoints."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from infuse.core import services as core_services

pytestmark = pytest.mark.django_db(transaction=True)

SURVEY = (
    "council,surveyed_on,smokers,surveyed\n"
    "Cardiff,2024-05-01,36,210\n"
    "Newport,2024-05-01,3,100\n"
    "Torfaen,2024-06-01,40,150\n"
    "Bridgend,2024-06-01,25,120\n"
)
SCHEMA = {
    "fields": [
        {"name": "council", "type": "string", "council": True, "constraints": {"required": True}},
        {"name": "surveyed_on", "type": "date"},
        {"name": "smokers", "type": "integer", "constraints": {"minimum": 0}},
        {"name": "surveyed", "type": "integer", "constraints": {"minimum": 1}},
    ]
}


@pytest.fixture
def api(make_person):
    officer = make_person("officer")
    token = core_services.create_api_token(actor=officer, name="api").secret
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    created = client.post(
        "/api/v1/data/datasets",
        {
            "title_en": "Smoking",
            "title_cy": "Ysmygu",
            "publisher": "cardiff",
            "visibility": "public",
        },
        content_type="application/json",
    )
    assert created.status_code == 201
    return client


def test_the_whole_data_lab_through_the_api(api):
    bad = api.put(
        "/api/v1/data/datasets/smoking/schema",
        {"schema": {"fields": [{"name": "x", "type": "colour"}]}},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="cy",
    )
    assert bad.status_code == 400 and bad["Content-Type"].startswith("application/problem+json")
    assert bad.json()["errors"]
    declared = api.put(
        "/api/v1/data/datasets/smoking/schema",
        {"schema": SCHEMA},
        content_type="application/json",
    ).json()
    assert declared["declared_schema"] == SCHEMA

    sent = api.post(
        "/api/v1/data/datasets/smoking/uploads",
        {"file": SimpleUploadedFile("smoking.csv", SURVEY.encode())},
    )
    assert sent.status_code == 202
    call_command("worker", "--batch")
    assert api.get(f"/api/v1/data/uploads/{sent.json()['id']}").json()["status"] == "accepted"

    version = api.get("/api/v1/data/datasets/smoking/versions/1").json()
    assert version["row_count"] == 4
    assert {c["name"] for c in version["profile"]["columns"]} == {
        "council",
        "surveyed_on",
        "smokers",
        "surveyed",
    }
    download = api.get("/api/v1/data/datasets/smoking/versions/1/download.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(download.streaming_content).decode())))
    assert [r["council"] for r in rows] == ["Cardiff", "Newport", "Torfaen", "Bridgend"]

    query = api.post(
        "/api/v1/data/sql",
        {"sql": "select council, smokers from smoking order by smokers desc limit 2"},
        content_type="application/json",
    ).json()
    assert query["columns"] == ["council", "smokers"]
    assert query["rows"] == [["Torfaen", 40], ["Cardiff", 36]]
    refused = api.post(
        "/api/v1/data/sql",
        {"sql": "COPY smoking TO '/tmp/out.csv'"},
        content_type="application/json",
    )
    assert refused.status_code == 400

    made = api.post(
        "/api/v1/data/datasets/smoking/indicators",
        {
            "title_en": "Adults who smoke",
            "title_cy": "Oedolion sy'n ysmygu",
            "specification": {
                "numerator": {"aggregation": "sum", "column": "smokers"},
                "denominator": {"kind": "measure", "aggregation": "sum", "column": "surveyed"},
                "council_column": "council",
                "period": {"column": "surveyed_on", "grain": "financial_year"},
                "unit": "percentage",
                "polarity": "lower_is_better",
            },
        },
        content_type="application/json",
    )
    assert made.status_code == 202, made.content
    slug, progress = made.json()["slug"], made.json()["progress_id"]
    call_command("worker", "--batch")
    assert api.get(f"/api/v1/tasks/{progress}").json()["state"] == "succeeded"

    values = api.get(f"/api/v1/data/indicators/{slug}/values").json()
    assert values["disclosure_control"] == "none"
    newport = next(v for v in values["values"] if v["area_code"] == "W06000022")
    assert newport["numerator"] == 3 and newport["id"]
    flagged = api.put(
        f"/api/v1/data/indicators/{slug}/values/{newport['id']}/flag",
        {"flag": "low_reliability"},
        content_type="application/json",
    )
    assert flagged.json()["flag"] == "low_reliability"
    wrong = api.put(
        f"/api/v1/data/indicators/{slug}/values/{newport['id']}/flag",
        {"flag": "dubious"},
        content_type="application/json",
    )
    assert wrong.status_code == 400

    public = Client().get(f"/api/v1/data/indicators/{slug}/values").json()
    assert public["disclosure_control"] == "suppression"
    hidden = next(v for v in public["values"] if v["area_code"] == "W06000022")
    assert hidden["numerator"] is None and hidden["flag"] == "suppressed"
    assert all(v["id"] is None for v in public["values"])


def test_people_outside_the_publisher_cannot_change_it(api, make_person):
    stranger = make_person("evaluator")  # Bridgend
    token = core_services.create_api_token(actor=stranger, name="s").secret
    other = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    schema = other.put(
        "/api/v1/data/datasets/smoking/schema",
        {"schema": None},
        content_type="application/json",
    )
    assert schema.status_code == 403
    indicator = other.post(
        "/api/v1/data/datasets/smoking/indicators",
        {"title_en": "X", "title_cy": "X", "specification": {}},
        content_type="application/json",
    )
    assert indicator.status_code == 403
    anonymous = Client().post(
        "/api/v1/data/sql", {"sql": "select 1"}, content_type="application/json"
    )
    assert anonymous.status_code == 401
