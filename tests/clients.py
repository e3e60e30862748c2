"""Clients for tests: the API as a person with a personal token, the pages as a signed-in person."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.test import Client


def api_for(person: Any) -> Client:
    """A client that calls the API with a new personal token of ``person``."""
    from infuse.core import services

    token = services.create_api_token(actor=person, name="api").secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def signed_in_as(person: Any) -> Client:
    """A client whose pages are seen as ``person`` (signed in)."""
    client = Client()
    client.force_login(person)
    return client


def date_boxes(name: str, day: dt.date | str) -> dict[str, str]:
    """A date as a person types it into the three boxes of a GOV.UK date input."""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    return {
        f"{name}-day": str(day.day),
        f"{name}-month": str(day.month),
        f"{name}-year": str(day.year),
    }


def confirm(client: Client, url: str) -> Any:
    """Open a confirmation page and press its button, as a person does: the form sends back
    what the page holds (the version of what it describes, where it names one)."""
    page = client.get(url).content.decode()
    found = re.search(r'name="version" value="([^"]*)"', page)
    return client.post(url, {"version": found.group(1)} if found else {})
