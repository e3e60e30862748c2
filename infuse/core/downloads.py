"""A file sent to be saved, the one way pages and the API answer with one."""

from __future__ import annotations

from django.http import HttpResponse


def attachment(content: bytes, content_type: str, name: str) -> HttpResponse:
    """``content`` as a download called ``name`` (a name the platform made: no quotes)."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
