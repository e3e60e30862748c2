"""The Adaption Lab's pages, driven as a person would: create → outcomes → design → register
→ amend → randomise → launch, and the Welsh pages (the library: registry/test_views.py)."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from infuse.adaption.models import Experiment, Protocol
from tests.adaption.conftest import PROTOCOL

pytestmark = pytest.mark.django_db


def client_for(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def entry(**overrides):
    form = {
        "title_en": "Warm hubs",
        "title_cy": "Hybiau cynnes",
        "problem_en": "Older residents visit GPs more in cold winters.",
        "hypothesis_en": "Warm hubs cut winter GP visits.",
        "owner": "cardiff",
        "design": "cluster_rct",
        "councils": ["W06000015", "W06000022", "W06000020", "W06000013"],
        "themes": ["improving-public-health"],
        "goals": ["healthier"],
        "way_long-term": "Builds habits that last beyond one winter.",
        "public": "on",
    }
    form.update(overrides)
    return form


def test_the_whole_flow_through_the_pages(officer, analyst, make_person):
    web = client_for(officer)
    refused = web.post("/experiments/new/", entry(title_cy="", councils=["W06000015"]))
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "Enter the title in Welsh" in html and "at least two councils" in html
    no_design = web.post("/experiments/new/", entry(design=""))
    assert "Choose one of the designs listed" in no_design.content.decode()
    created = web.post("/experiments/new/", entry())
    assert created.status_code == 302
    experiment = Experiment.objects.get()
    url = f"/experiments/{experiment.slug}/"
    page = web.get(url).content.decode()
    assert "Warm hubs" in page and "Builds habits that last" in page and "Draft" in page

    # The design cannot be done before a primary outcome exists.
    web.post(f"{url}move/design/")
    assert Experiment.objects.get().status == "draft"
    outcomes = {
        "outcome-TOTAL_FORMS": "2",
        "outcome-INITIAL_FORMS": "0",
        "outcome-0-name": "GP visits per 1,000 over-65s",
        "outcome-0-kind": "primary",
        "outcome-0-source": "",
        "outcome-1-name": "Loneliness score",
        "outcome-1-kind": "primary",
        "outcome-1-source": "",
    }
    two_primary = web.post(f"{url}outcomes/", outcomes)
    assert (
        two_primary.status_code == 400
        and "Choose one primary outcome" in two_primary.content.decode()
    )
    assert (
        web.post(f"{url}outcomes/", {**outcomes, "outcome-1-kind": "secondary"}).status_code == 302
    )
    web.post(f"{url}move/design/")
    assert Experiment.objects.get().status == "designed"

    missing = web.post(f"{url}protocol/", {**PROTOCOL, "analysis_plan": ""})
    assert missing.status_code == 400
    assert "Answer this before registering: Analysis plan" in missing.content.decode()
    registered = web.post(f"{url}protocol/", PROTOCOL)
    assert registered.status_code == 302
    protocol = Protocol.objects.get()
    shown = web.get(f"{url}protocol/1/").content.decode()
    assert protocol.sha256 in shown and PROTOCOL["analysis_plan"] in shown
    assert web.get(f"{url}edit/").status_code == 200  # the page opens…
    edit = web.post(f"{url}edit/", entry(title_en="Renamed"))
    assert edit.status_code == 409  # …but the registered entry cannot change

    amended = web.post(
        f"{url}protocol/",
        {**PROTOCOL, "exclusions": "Care homes and hospital stays.", "reason": "Hospital stays."},
    )
    assert amended.status_code == 302
    diff = web.get(f"{url}protocol/2/").content.decode()
    assert "Changes from version 1" in diff and "<del>Care home residents.</del>" in diff

    # Officers deliver; analysts randomise; those delivering cannot see the allocation yet.
    assert web.get(f"{url}randomise/").status_code == 403
    lab = client_for(analyst)
    done = lab.post(f"{url}randomise/", {"seed": "20261129"})
    assert done.status_code == 302
    allocation_page = lab.get(f"{url}allocation/").content.decode()
    assert "20261129" in allocation_page and "Balance between the arms" in allocation_page
    rows = list(csv.reader(io.StringIO(lab.get(f"{url}allocation/?format=csv").content.decode())))
    assert rows[0] == ["unit", "arm", "step", "stratum"] and len([r for r in rows[1:5]]) == 4
    assert web.get(f"{url}allocation/").status_code == 403
    again = lab.post(f"{url}randomise/", {"seed": "1"})
    assert again.status_code == 400 and "needs a protocol amendment" in again.content.decode()

    web.post(f"{url}move/launch/")
    assert Experiment.objects.get().status == "running"
    assert web.get(f"{url}allocation/").status_code == 200
    assert Client().get(f"{url}allocation/").status_code == 200  # public, and launched

    welsh = Client().get(f"/cy{url}").content.decode()
    assert "Hybiau cynnes" in welsh and 'lang="cy"' in welsh
