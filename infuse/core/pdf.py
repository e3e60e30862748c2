"""Tagged, accessible PDFs (PDF/UA-1) from the same HTML templates as the pages.

WeasyPrint writes the document language and title from the HTML and tags its structure, so a
screen reader can read the PDF as it reads the page. Needs Pango (see the README).

WeasyPrint draws an inline SVG with the styles inside that SVG only, so every chart gets the
charts' print styles (``core/chart_print.css``) put inside it here; without them a chart's
boxes and marks are drawn as solid black fills.
"""

from __future__ import annotations

import re
from typing import Any

from django.template.loader import render_to_string

SVG_OPENING = re.compile(r"<svg\b[^>]*>")


def with_chart_styles(html: str) -> str:
    """Every ``<svg>`` in ``html`` with the charts' print styles as its first child."""
    # Our own stylesheet, without markup or quotes: safe in HTML and in SVG alike.
    styles = "<style>" + render_to_string("core/chart_print.css") + "</style>"
    return SVG_OPENING.sub(lambda opening: opening.group(0) + styles, html)


def render_pdf(
    template: str,
    context: dict[str, Any],
    *,
    base_url: str,
    css_template: str = "core/print.css",
) -> bytes:
    from weasyprint import CSS, HTML

    html = with_chart_styles(render_to_string(template, context))
    return (
        HTML(string=html, base_url=base_url).write_pdf(
            stylesheets=[CSS(string=render_to_string(css_template))],
            pdf_variant="pdf/ua-1",
        )
        or b""
    )
