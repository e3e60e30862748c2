"""GOV.UK form words every page gets from the core: "Error:" before the title of a page that
shows a form's problems, and "(optional)" after the label of each field that may be left empty
(never on a filter's fields)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def title_of(html: str) -> str:
    found = re.search(r"<title>(.*?)</title>", html, re.S)
    assert found is not None
    return found.group(1).strip()


def test_a_form_with_problems_says_error_first_in_its_title(signed_in) -> None:
    client = signed_in("officer")
    fresh = client.get("/data/datasets/new/").content.decode()
    assert not title_of(fresh).startswith("Error:")
    refused = client.post("/data/datasets/new/", {"title_en": "", "publisher": "cardiff"})
    assert refused.status_code == 400
    assert title_of(refused.content.decode()).startswith("Error: ")
    welsh = client.post("/cy/data/datasets/new/", {"title_en": "", "publisher": "cardiff"})
    assert title_of(welsh.content.decode()).startswith("Gwall: ")


def test_optional_fields_say_so_and_required_ones_do_not(signed_in) -> None:
    html = signed_in("officer").get("/data/datasets/new/").content.decode()
    assert "Area covered, in English (optional)" in html
    assert "Themes (optional)" in html  # a group of checkboxes: its legend
    assert "Who can see it (optional)" not in html and "Who can see it" in html
    search = Client().get("/data/").content.decode()
    assert "(optional)" not in search  # a filter's fields are all optional: not marked
