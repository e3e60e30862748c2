"""Tagged, accessible PDFs (PDF/UA-1) from the same HTML templates as the pages.

WeasyPrint writes the document language and title from the HTML and tags its structure, so a
screen reader can read the PDF as it reads the page. Needs Pango (see the README)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string


def render_pdf(
    template: str, context: dict[str, Any], *, css_template: str, base_url: str
) -> bytes:
    from weasyprint import CSS, HTML

    html = render_to_string(template, context)
    return (
        HTML(string=html, base_url=base_url).write_pdf(
            stylesheets=[CSS(string=render_to_string(css_template))],
            pdf_variant="pdf/ua-1",
        )
        or b""
    )
