"""Links to the site's own pages, in a chosen language and, for email, absolute.

Why a setting for the site's address: an email is written by the task worker, which has no
request to take the host from, so ``INFUSE_SITE_URL`` says where people reach the service.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse, translate_url
from django.utils import translation


def in_language(url: str, language: str) -> str:
    """``url`` (a page of the site, in either language) as the page in ``language``."""
    english = url[3:] if url.startswith("/cy/") else url
    with translation.override(settings.LANGUAGE_CODE):
        return translate_url(english, language)


def english_path(name: str, **kwargs: Any) -> str:
    """The path of the page ``name``, in the default language: what a notification stores, so
    that it opens in each reader's own language (see :func:`in_language`)."""
    with translation.override(settings.LANGUAGE_CODE):
        return reverse(name, kwargs=kwargs)


def absolute(path: str) -> str:
    """``path`` on the site as people reach it (``INFUSE_SITE_URL``)."""
    return settings.SITE_URL.rstrip("/") + path
