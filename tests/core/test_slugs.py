"""Slugs: readable, from the English title, numbered when taken."""

from __future__ import annotations

import pytest

from infuse.core.models import Organisation
from infuse.core.slugs import unique_slug

pytestmark = pytest.mark.django_db


def test_slugs_are_numbered_when_taken_and_fall_back_when_empty():
    assert unique_slug(Organisation, "Green Fleet Ltd", fallback="supplier") == "green-fleet-ltd"
    Organisation.objects.create(kind="supplier", name="Green Fleet Ltd", slug="green-fleet-ltd")
    assert unique_slug(Organisation, "Green Fleet Ltd", fallback="supplier") == "green-fleet-ltd-2"
    assert unique_slug(Organisation, "!!!", fallback="supplier") == "supplier"
    assert unique_slug(Organisation, "x" * 90, fallback="s", max_length=40) == "x" * 40
