"""A file sent to be saved, the one way pages and the API answer with one."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header


def attachment(content: bytes | str, content_type: str, name: str) -> HttpResponse:
    """``content`` as a download called ``name``. The name is encoded as RFC 6266 asks, so a
    supplier's "Cynllun ‘terfynol’.pdf" or a quote in it neither breaks the header nor is
    lost. A CSV written row by row starts from ``content=""`` and writes into the response."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
