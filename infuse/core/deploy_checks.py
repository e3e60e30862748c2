"""Checks `infuse check --deploy` runs before a release: settings that work on a laptop and
fail people in production."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}  # noqa: S104 - names, not a bind


@checks.register(checks.Tags.security, deploy=True)
def site_url_is_public(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Links in emails start with ``INFUSE_SITE_URL``: left at its default, every email the
    worker sends points at the server's own loopback address, which nobody else can open."""
    address = urlsplit(settings.SITE_URL)
    problems: list[checks.CheckMessage] = []
    if (address.hostname or "") in LOCAL_HOSTS:
        problems.append(
            checks.Error(
                f"INFUSE_SITE_URL is {settings.SITE_URL}: links in emails would point at this "
                "machine only.",
                hint="Set INFUSE_SITE_URL to the address people use, e.g. https://infuse.example.",
                id="infuse.E002",
            )
        )
    elif address.scheme != "https":
        problems.append(
            checks.Warning(
                f"INFUSE_SITE_URL is {settings.SITE_URL}: links in emails are not HTTPS.",
                hint="Use the https:// address of the service.",
                id="infuse.W002",
            )
        )
    return problems
