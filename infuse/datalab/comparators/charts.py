"""The spine chart's bars: one small SVG per indicator, so the names and words around them
are HTML that reflows on a narrow screen (the same figures are in the table below).

Each bar is centred on the comparator's value and scaled so the range of the comparator's
councils fits; better is to the right (the profiles' convention), and where neither
direction is better, higher is to the right.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from infuse.datalab.comparators.spine import SpineRow

WIDTH, HEIGHT, MARGIN = 400, 28, 12  # about life size on a phone, half again on a desktop
CENTRE = WIDTH / 2
SHAPES = {"better": "circle", "worse": "diamond"}  # the class is never told by colour alone


def _scale(row: SpineRow) -> tuple[float, float, float]:
    """(centre value, half-width in value units, direction): x = CENTRE + dir·(v − c)/half."""
    ends = [v for v in (row.lowest, row.highest, row.value.value) if v is not None]
    bench = _benchmark(row)
    centre = bench if bench is not None else ((min(ends) + max(ends)) / 2 if ends else 0.0)
    half = max((abs(v - centre) for v in ends), default=0.0) * 1.05 or 1.0
    direction = -1.0 if row.indicator.polarity == "lower_is_better" else 1.0
    return centre, half, direction


def _benchmark(row: SpineRow) -> float | None:
    """The value the bar is centred on; none for a value not compared (a count)."""
    if row.comparison == "not_compared" or row.benchmark is None:
        return None
    return row.benchmark.value


def spine_bar(row: SpineRow) -> SafeString:
    """The bar of one row, hidden from assistive technology: the sentence printed under it
    says the same, and a screen reader should not hear it twice."""
    centre, half, direction = _scale(row)

    def x(value: float) -> float:
        return round(CENTRE + direction * (value - centre) / half * (CENTRE - MARGIN), 2)

    parts = [
        _band("infuse-spine__range", row.lowest, row.highest, x),
        _band("infuse-spine__quartiles", row.lower_quartile, row.upper_quartile, x),
    ]
    if _benchmark(row) is not None:
        parts.append(
            format_html(
                '<line class="infuse-spine__benchmark" x1="{}" x2="{}" y1="2" y2="26"/>',
                CENTRE,
                CENTRE,
            )
        )
    if row.value.value is not None:
        parts.append(_marker(x(row.value.value), row.comparison))
    return format_html(
        '<svg class="infuse-spine" aria-hidden="true" viewBox="0 0 {} {}" '
        'focusable="false" preserveAspectRatio="xMidYMid meet">{}</svg>',
        WIDTH,
        HEIGHT,
        mark_safe("".join(str(p) for p in parts)),  # noqa: S308 - each built with format_html
    )


def _band(
    css: str, low: float | None, high: float | None, x: Callable[[float], float]
) -> SafeString:
    """A band across the bar from ``low`` to ``high`` (nothing without both)."""
    if low is None or high is None:
        return mark_safe("")
    left, right = sorted((x(low), x(high)))
    return format_html(
        '<rect class="{}" x="{}" y="6" width="{}" height="16"/>', css, left, max(right - left, 1)
    )


def _marker(cx: float, comparison: str) -> SafeString:
    css = f"infuse-spine__value infuse-spine__value--{comparison or 'none'}"
    if SHAPES.get(comparison) == "diamond":
        return format_html(
            '<path class="{}" d="M{},{} l8,8 l-8,8 l-8,-8 z"/>', css, cx, HEIGHT / 2 - 8
        )
    if SHAPES.get(comparison) == "circle":
        return format_html('<circle class="{}" cx="{}" cy="{}" r="8"/>', css, cx, HEIGHT / 2)
    return format_html(
        '<rect class="{}" x="{}" y="{}" width="14" height="14"/>', css, cx - 7, HEIGHT / 2 - 7
    )
