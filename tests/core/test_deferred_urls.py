"""The API's URL map is imported on first use: reverse lookups of pages, and building the
site's map, leave it alone; reversing or requesting an API address loads it."""

from __future__ import annotations

import subprocess
import sys
import uuid

import pytest
from django.urls import get_resolver, resolve, reverse

from infuse.core.deferred_urls import DeferredResolver, load_everything

FRESH = """
import os, sys, uuid
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "infuse.settings")
import django
django.setup()
from django.urls import get_resolver, reverse, resolve
{body}
"""


def _run(body: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", FRESH.format(body=body)], capture_output=True, text=True, check=True
    )
    return done.stdout.split()


def test_reversing_a_page_does_not_import_the_api():
    said = _run(
        "print(reverse('task', kwargs={'progress_id': uuid.uuid4()}).startswith('/tasks/'))\n"
        "print(reverse('datalab:index'))\n"
        "print('infuse.api' in sys.modules)\n"
    )
    assert said == ["True", "/data/", "False"]


def test_reversing_or_resolving_an_api_address_imports_it():
    assert _run("print(reverse('api:list_councils'), 'infuse.api' in sys.modules)") == [
        "/api/v1/councils",
        "True",
    ]
    assert _run("print(resolve('/api/v1/councils').url_name)") == ["list_councils"]


def test_the_site_and_the_api_reverse_and_resolve_through_the_deferred_include():
    api = next(p for p in get_resolver().url_patterns if isinstance(p, DeferredResolver))
    assert api.namespace == "api"
    assert reverse("api:list_councils") == "/api/v1/councils"
    assert resolve("/api/v1/councils").view_name == "api:list_councils"
    assert reverse("datalab:index") == "/data/"
    assert api.loaded


def test_loading_everything_reaches_the_api_too():
    count = load_everything(get_resolver())
    api = next(p for p in get_resolver().url_patterns if isinstance(p, DeferredResolver))
    assert api.loaded
    assert count > len(api.url_patterns) > 50


@pytest.mark.parametrize("language", ["en", "cy"])
def test_pages_reverse_in_each_language(language):
    from django.utils import translation

    with translation.override(language):
        path = reverse("task", kwargs={"progress_id": uuid.uuid4()})
    assert path.startswith("/cy/tasks/" if language == "cy" else "/tasks/")
