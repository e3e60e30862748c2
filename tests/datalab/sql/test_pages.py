"""The SQL page: each person queries only what they may see, and keeps their own queries."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from infuse.datalab.ingest import services

# The worker closes connections between tasks, as in production: these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)


def test_sql_page_reads_only_what_the_person_may_see(make_dataset, make_person):
    from django.test import Client

    officer = make_person("officer")
    shared_data = make_dataset("Fuel use", actor=officer, visibility="region")
    private = make_dataset("Secret rota", actor=officer, visibility="private")
    for dataset in (shared_data, private):
        services.upload_file(
            actor=officer,
            dataset=dataset,
            chunks=[
                b"council,litres\nCardiff,10.5\nNewport,=1+1\n"
                if dataset is shared_data
                else b"who,shift\nA,1\n"
            ],
            original_name="data.csv",
        )
    call_command("worker", "--batch")
    outsider = make_person("evaluator")  # Bridgend: sees regional data, not Cardiff's private
    client = Client()
    client.force_login(outsider)
    page = client.get("/data/sql/").content.decode()
    assert "fuel_use" in page and "secret_rota" not in page
    ran = client.post("/data/sql/", {"sql": "select council, litres from fuel_use order by 1"})
    assert ran.status_code == 200 and "Cardiff" in ran.content.decode()
    hidden = client.post("/data/sql/", {"sql": "select * from secret_rota"})
    assert hidden.status_code == 400 and "could not run" in hidden.content.decode()
    writes = client.post("/cy/data/sql/", {"sql": "drop view fuel_use"})
    assert writes.status_code == 400 and "govuk-error-summary" in writes.content.decode()
    csv_response = client.post("/data/sql/csv/", {"sql": "select * from fuel_use"})
    assert csv_response["Content-Type"].startswith("text/csv")
    assert "'=1+1" in csv_response.content.decode()


def test_saved_queries_belong_to_their_owner(make_person):
    from django.test import Client

    owner, other = make_person("analyst"), make_person("analyst")
    client = Client()
    client.force_login(owner)
    saved = client.post("/data/sql/save/", {"sql": "select 42 as answer", "title": "The answer"})
    assert saved.status_code == 302
    page = client.get(saved["Location"]).content.decode()
    assert "The answer" in page and "select 42 as answer" in page
    bad = client.post("/data/sql/save/", {"sql": "drop table x", "title": ""})
    assert bad.status_code == 400
    stranger = Client()
    stranger.force_login(other)
    assert "select 42" not in stranger.get(saved["Location"]).content.decode()


@pytest.mark.parametrize("role", ["supplier", None])
def test_the_sql_workspace_is_for_council_and_programme_staff(make_person, role):
    """A supplier (who may have registered a minute ago) or someone with no role yet is told
    who the workspace is for, on the page and through the API."""
    from django.test import Client

    from tests.clients import api_for

    person = make_person(role)
    client = Client()
    client.force_login(person)
    page = client.get("/data/sql/")
    assert page.status_code == 403
    assert "for the staff of the councils" in page.content.decode()
    refused = api_for(person).post(
        "/api/v1/data/sql", {"sql": "select 1"}, content_type="application/json"
    )
    assert refused.status_code == 403


def test_each_person_has_a_share_of_query_time(make_person, settings):
    """Two analysts running slow queries back to back used to hold every sandbox slot for as
    long as they liked; now each person's query seconds per hour are counted."""
    from django.test import Client

    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "sql-seconds": (2, 3600)}
    settings.SQL_TIMEOUT_SECONDS = 1.5
    slow = "select count(*) from range(10000000000) a"
    hog, colleague = make_person("analyst"), make_person("analyst")
    client = Client()
    client.force_login(hog)
    stopped = client.post("/data/sql/", {"sql": slow})  # 1.5 s, charged as 2
    assert stopped.status_code == 400 and "seconds" in stopped.content.decode()
    refused = client.post("/data/sql/", {"sql": "select 1 as one"})
    assert refused.status_code == 429 and "share of query time" in refused.content.decode()
    welsh = client.post("/cy/data/sql/", {"sql": "select 1 as one"})
    assert welsh.status_code == 429 and "share of query time" not in welsh.content.decode()
    other = Client()
    other.force_login(colleague)
    assert other.post("/data/sql/", {"sql": "select 1 as one"}).status_code == 200
