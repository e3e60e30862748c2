"""The registry's pages: the learning library, its filters and its CSV."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from tests.clients import signed_in_as as client_for

pytestmark = pytest.mark.django_db


def test_the_library_filters_and_exports(officer, make_experiment):
    make_experiment(title_en="Warm hubs", goals=["healthier"])
    make_experiment("its", title_en="Bus lanes", councils=["W06000015"], goals=["resilient"])
    web = client_for(officer)
    listed = web.get("/experiments/?goal=healthier").content.decode()
    assert "Warm hubs" in listed and "Bus lanes" not in listed
    by_design = web.get("/experiments/?design=its").content.decode()
    assert "Bus lanes" in by_design and "Warm hubs" not in by_design
    exported = web.get("/experiments/?format=csv&q=bus")
    rows = list(csv.DictReader(io.StringIO(exported.content.decode())))
    assert [r["title_en"] for r in rows] == ["Bus lanes"]
    assert Client().get("/experiments/").content.decode().count("govuk-summary-card__title") == 0
