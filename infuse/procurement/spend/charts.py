"""Spend drawn as horizontal bars, one per buyer, category, supplier or period: server-drawn
SVG with a title and description, its figures also in the table beside it on the page."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe

from infuse.core.money import pounds
from infuse.core.svg_charts import frame

WIDTH = 720
ROW = 28
LABEL = 260  # the names' column; longer names are cut with an ellipsis (the table has them whole)
VALUE = 110


def _cut(text: str, limit: int = 38) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def bars_svg(
    rows: Sequence[tuple[str, int]], *, title: str, description: str, ident: str
) -> SafeString:
    """A bar per (label, pence), longest first as given; nothing when there is nothing paid.
    Credits (negative totals) are drawn as no bar, their amount still written."""
    if not rows or max(pence for _, pence in rows) <= 0:
        return mark_safe("")
    top = max(pence for _, pence in rows)
    room = WIDTH - LABEL - VALUE
    height = ROW * len(rows) + 8
    bars = format_html_join(
        "",
        '<text class="infuse-chart__tick" x="{}" y="{}" text-anchor="end">{}</text>'
        '<rect class="infuse-chart__council" x="{}" y="{}" width="{}" height="{}"/>'
        '<text class="infuse-chart__tick" x="{}" y="{}">{}</text>',
        (
            (
                LABEL - 8,
                index * ROW + 20,
                _cut(label),
                LABEL,
                index * ROW + 6,
                round(room * max(pence, 0) / top, 1),
                ROW - 10,
                LABEL + round(room * max(pence, 0) / top, 1) + 6,
                index * ROW + 20,
                pounds(pence),
            )
            for index, (label, pence) in enumerate(rows)
        ),
    )
    return frame(
        title=title,
        description=description,
        ident=ident,
        body=bars,
        css="infuse-chart",
        width=WIDTH,
        height=height,
    )
