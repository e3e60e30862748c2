"""Declaring a schema in the browser's form: rules per column, JSON, clear errors, removal."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.test import Client

from infuse.core.models import AuditEvent
from infuse.datalab.ingest import services
from infuse.datalab.models import Dataset, DatasetUpload

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = "council,tonnes,stream\nCardiff,12.5,Food\nNewport,3,Glass\n"


@pytest.fixture
def page(make_dataset, make_person):
    officer = make_person("officer")
    dataset = make_dataset("Waste", actor=officer)
    services.upload_file(
        actor=officer, dataset=dataset, chunks=[ROWS.encode()], original_name="w.csv"
    )
    call_command("worker", "--batch")
    client = Client()
    client.force_login(officer)
    return client, dataset, officer


def rules(**overrides):
    form = {
        "column-TOTAL_FORMS": "3",
        "column-INITIAL_FORMS": "3",
        "column-0-name": "council",
        "column-0-type": "string",
        "column-0-required": "on",
        "column-0-council": "on",
        "column-1-name": "tonnes",
        "column-1-type": "number",
        "column-1-minimum": "0",
        "column-1-maximum": "100",
        "column-2-name": "stream",
        "column-2-type": "string",
        "column-2-allowed": "Food\nGlass\nPaper",
        "primary_key": ["council", "stream"],
    }
    form.update(overrides)
    return form


def test_rules_per_column_become_a_table_schema(page):
    client, dataset, _officer = page
    url = f"/data/datasets/{dataset.slug}/schema/"
    shown = client.get(url).content.decode()
    assert 'name="column-1-type"' in shown and "<code>tonnes</code>" in shown
    assert client.post(url + "rules/", rules()).status_code == 302
    declared = Dataset.objects.get(pk=dataset.pk).declared_schema
    assert declared == {
        "fields": [
            {
                "name": "council",
                "type": "string",
                "constraints": {"required": True},
                "council": True,
            },
            {"name": "tonnes", "type": "number", "constraints": {"minimum": 0.0, "maximum": 100.0}},
            {
                "name": "stream",
                "type": "string",
                "constraints": {"enum": ["Food", "Glass", "Paper"]},
            },
        ],
        "primaryKey": ["council", "stream"],
    }
    assert AuditEvent.objects.filter(action="dataset.schema_declared").exists()
    # The next upload is checked against it: Swansea and Metal break two rules.
    services.upload_file(
        actor=_officer,
        dataset=dataset,
        chunks=[(ROWS + "Swansea,2,Metal\n").encode()],
        original_name="w2.csv",
    )
    call_command("worker", "--batch")
    rejected = DatasetUpload.objects.filter(dataset=dataset).order_by("-created_at").first()
    assert rejected.status == "rejected"
    keys = {g["key"] for g in rejected.report["validation"]["groups"]}
    assert keys == {"validation.unknown-council", "validation.not-in-enum"}
    # The page shows the rules as declared.
    again = client.get(url).content.decode()
    assert "Food\nGlass\nPaper" in again


def test_bad_rules_are_named_by_column_in_both_languages(page):
    client, dataset, _officer = page
    url = f"/data/datasets/{dataset.slug}/schema/"
    response = client.post(
        url + "rules/", rules(**{"column-1-minimum": "lots", "column-2-pattern": "(["})
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "tonnes: Enter a number: the column holds numbers" in html
    assert "stream: The pattern is not a valid regular expression" in html
    assert 'href="#id_column-1-minimum"' in html
    welsh = client.post(
        "/cy" + url + "rules/", rules(**{"column-1-maximum": "-5"})
    ).content.decode()
    assert "tonnes:" in welsh and 'lang="cy"' in welsh
    assert Dataset.objects.get(pk=dataset.pk).declared_schema is None


def test_json_schema_and_removal(page):
    client, dataset, _officer = page
    url = f"/data/datasets/{dataset.slug}/schema/"
    broken = client.post(url + "json/", {"schema_json": "{fields: ["})
    assert broken.status_code == 400 and "This is not valid JSON" in broken.content.decode()
    unknown = client.post(
        url + "json/",
        {
            "schema_json": json.dumps({"fields": [{"name": "x", "type": "colour"}]}),
        },
    )
    assert unknown.status_code == 400 and "unknown type" in unknown.content.decode()
    schema = {"fields": [{"name": "council", "type": "string", "council": True}]}
    assert client.post(url + "json/", {"schema_json": json.dumps(schema)}).status_code == 302
    assert Dataset.objects.get(pk=dataset.pk).declared_schema == schema
    assert client.post(url + "clear/").status_code == 302
    assert Dataset.objects.get(pk=dataset.pk).declared_schema is None


def test_only_the_publishers_data_people_declare(page, make_person):
    _client, dataset, _officer = page
    outsider = Client()
    outsider.force_login(make_person("evaluator"))
    assert outsider.get(f"/data/datasets/{dataset.slug}/schema/").status_code in (403, 404)
