"""The version page's column histograms: small server-drawn SVG, the numbers also in a table.

Hand-written SVG rather than a charting library for these sparkline-sized histograms: they
are a few rectangles, need no JavaScript, and carry a text alternative (``<title>`` and
``aria-label``) naming what they show.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe


def histogram_svg(
    bins: Sequence[dict[str, Any]], *, label: str, width: int = 240, height: int = 60
) -> SafeString:
    """A bar per bin, heights proportional to counts; empty when there is nothing to draw."""
    counts = [int(b.get("count") or 0) for b in bins]
    if not counts or max(counts) == 0:
        return mark_safe("")
    gap = 1
    bar = max(1.0, (width - gap * (len(counts) - 1)) / len(counts))
    top = max(counts)
    rects = []
    for index, (count, item) in enumerate(zip(counts, bins, strict=True)):
        h = round(height * count / top, 2)
        x = round(index * (bar + gap), 2)
        rects.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}"><title>{}: {}</title></rect>',
                x,
                round(height - h, 2),
                round(bar, 2),
                h,
                item.get("label", ""),
                count,
            )
        )
    return format_html(
        '<svg class="infuse-histogram" role="img" aria-label="{}" viewBox="0 0 {} {}" '
        'width="{}" height="{}" focusable="false">{}</svg>',
        label,
        width,
        height,
        width,
        height,
        mark_safe("".join(str(r) for r in rects)),  # noqa: S308
    )
