"""Catalogue pages and API: search, add, change, with GOV.UK error summaries."""

import pytest
from django.test import Client

from infuse.core import services as core_services
from infuse.datalab.models import Dataset
from tests.clients import date_boxes

pytestmark = pytest.mark.django_db


def test_public_catalogue_lists_only_public_datasets(make_dataset):
    make_dataset("Open spend", visibility="public")
    make_dataset("Internal rota", visibility="private")
    html = Client().get("/data/").content.decode()
    assert "Open spend" in html and "Internal rota" not in html
    assert "Add a dataset" not in html
    welsh = Client().get("/cy/data/").content.decode()
    assert "Open spend (cy)" in welsh


def test_add_a_dataset_through_the_form(signed_in):
    client = signed_in("officer")
    assert "Add a dataset" in client.get("/data/").content.decode()
    response = client.post(
        "/data/datasets/new/",
        {
            "title_en": "Street lighting energy",
            "title_cy": "Ynni goleuadau stryd",
            "publisher": "cardiff",
            "visibility": "region",
            "licence": "OGL-UK-3.0",
            "update_frequency": "monthly",
            "validation_policy": "quarantine",
            "themes": ["decarbonisation"],
            "goals": ["globally-responsible"],
            "councils": ["W06000015"],
            **date_boxes("temporal_start", "2023-04-01"),
        },
    )
    assert response.status_code == 302
    dataset = Dataset.objects.get(title_en="Street lighting energy")
    assert dataset.validation_policy == "quarantine"
    page = client.get(response["Location"]).content.decode()
    assert "Street lighting energy" in page and "Decarbonisation" in page


def test_form_errors_are_a_govuk_error_summary_in_welsh_too(signed_in):
    client = signed_in("officer")
    response = client.post(
        "/cy/data/datasets/new/",
        {
            "title_en": "",
            "title_cy": "",
            "publisher": "cardiff",
            "visibility": "public",
            "licence": "restricted",
            "update_frequency": "monthly",
            "validation_policy": "reject",
            "temporal_start-day": "1",
            "temporal_start-month": "Ebrill",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in html and 'lang="cy"' in html
    assert 'href="#id_temporal_start-day"' in html
    assert "gynnwys blwyddyn" in html  # the part missing, named, in Welsh
    assert Dataset.objects.count() == 0


def test_api_search_and_create(make_dataset, make_person):
    make_dataset("Open spend", visibility="public")
    make_dataset("Internal rota", visibility="private")
    public = Client().get("/api/v1/data/datasets").json()
    assert [d["title_en"] for d in public] == ["Open spend"]
    officer = make_person("officer")
    token = core_services.create_api_token(actor=officer, name="t").secret
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    seen = Client().get("/api/v1/data/datasets", **auth).json()
    assert {d["title_en"] for d in seen} == {"Open spend", "Internal rota"}
    created = Client().post(
        "/api/v1/data/datasets",
        content_type="application/json",
        data={
            "title_en": "Potholes",
            "title_cy": "Tyllau yn y ffordd",
            "publisher": "cardiff",
            "visibility": "public",
            "themes": ["transforming-communities"],
        },
        **auth,
    )
    assert created.status_code == 201 and created.json()["slug"] == "potholes"
    bad = Client().post(
        "/api/v1/data/datasets",
        content_type="application/json",
        data={
            "title_en": "",
            "title_cy": "",
            "publisher": "cardiff",
        },
        HTTP_ACCEPT_LANGUAGE="cy",
        **auth,
    )
    assert bad.status_code == 400
    assert {e["field"] for e in bad.json()["errors"]} == {"title_en", "title_cy"}
    assert Client().get("/api/v1/data/datasets/potholes").status_code == 200
    assert Client().get("/api/v1/data/datasets/no-such").status_code == 404
    bad_token = Client().get("/api/v1/data/datasets", HTTP_AUTHORIZATION="Bearer nope")
    assert bad_token.status_code == 401


@pytest.mark.django_db(transaction=True)
def test_the_list_says_how_fresh_each_dataset_is_and_shows_publishers_their_last_upload(
    make_dataset, make_person
):
    import datetime as dt

    import time_machine
    from django.core.management import call_command

    from infuse.datalab.ingest import services as ingest

    officer = make_person("officer")
    monthly = make_dataset(
        "Bin collections", visibility="public", actor=officer, update_frequency="monthly"
    )
    empty = make_dataset("Street lights", visibility="public", actor=officer)
    with time_machine.travel(dt.datetime(2026, 1, 10, 12, tzinfo=dt.UTC)):
        ingest.upload_file(
            actor=officer,
            dataset=monthly,
            chunks=[b"council,bins\nW06000015,3\n"],
            original_name="a.csv",
        )
        call_command("worker", "--batch")
    # a later file that is refused: the publisher sees it in the list, with its report
    ingest.upload_file(
        actor=officer, dataset=monthly, chunks=[b"\x00\x01 not a table"], original_name="b.csv"
    )
    call_command("worker", "--batch")
    public = Client().get("/data/").content.decode()
    assert "Updated 10 January 2026" in public and "Overdue" in public
    assert "No data yet" in public and empty.title in public
    assert "b.csv" not in public  # uploads are the publisher's business
    publisher = Client()
    publisher.force_login(officer)
    mine = publisher.get("/data/").content.decode()
    assert "Latest upload:" in mine and "b.csv" in mine
    assert "govuk-tag--red" in mine
