"""Primitives of the server-drawn SVG charts every lab uses: axes with round ticks, a frame
with a title and a description for assistive technology, and paths.

Hand-written SVG rather than a charting library: the charts are a few lines and marks, must
work without JavaScript, take the site's colours (and forced-colours mode) from CSS classes,
and carry a text alternative; each page also shows the same numbers in a table.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from infuse.core.numbers import number

WIDTH, HEIGHT = 640, 360
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 48


@dataclass(frozen=True)
class Axis:
    """A linear map from data to pixels with 'nice' ticks (1, 2 or 5 times a power of ten)."""

    low: float
    high: float
    start: float
    end: float

    @classmethod
    def around(cls, values: Sequence[float], start: float, end: float, *, zero: bool) -> Axis:
        finite = [v for v in values if math.isfinite(v)] or [0.0, 1.0]
        low, high = min(finite), max(finite)
        if zero:
            low = min(low, 0.0)
        if high == low:
            high = low + 1.0
        step = nice_step((high - low) / 5)
        return cls(math.floor(low / step) * step, math.ceil(high / step) * step, start, end)

    def __call__(self, value: float) -> float:
        fraction = (value - self.low) / (self.high - self.low)
        return round(self.start + fraction * (self.end - self.start), 2)

    def ticks(self) -> list[float]:
        step = nice_step((self.high - self.low) / 5)
        count = round((self.high - self.low) / step)
        return [self.low + i * step for i in range(count + 1)]


def nice_step(rough: float) -> float:
    if rough <= 0 or not math.isfinite(rough):
        return 1.0
    power = 10 ** math.floor(math.log10(rough))
    for multiple in (1, 2, 5, 10):
        if rough <= multiple * power:
            return float(multiple * power)
    return float(10 * power)


def scrolling(svg: SafeString, label: str) -> SafeString:
    """A chart in a box of its own that scrolls sideways on a narrow screen: the chart keeps
    a width at which its text is drawn at 12 px or more (WCAG 1.4.10 lets a chart need two
    dimensions; the page itself never scrolls sideways). Focusable, so a keyboard scrolls it."""
    return format_html(
        '<div class="infuse-chart-scroll" tabindex="0" role="region" aria-label="{}">{}</div>',
        label,
        svg,
    )


def frame(
    *,
    title: str,
    description: str,
    ident: str,
    body: SafeString,
    css: str,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> SafeString:
    """The chart's ``<svg>`` with its title and description, in its scrolling box; charts of
    a row per item (a forest, bars) give their own size."""
    svg = format_html(
        '<svg class="{}" role="img" aria-labelledby="{}-title {}-desc" viewBox="0 0 {} {}" '
        'focusable="false" preserveAspectRatio="xMidYMid meet">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        css,
        ident,
        ident,
        width,
        height,
        ident,
        title,
        ident,
        description,
        body,
    )
    return scrolling(svg, title)


def axes(x_ticks: list[tuple[float, str]], y: Axis, x_label: str, y_label: str) -> SafeString:
    grid = format_html_join(
        "",
        '<line class="infuse-chart__grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
        '<text class="infuse-chart__tick" x="{}" y="{}" text-anchor="end">{}</text>',
        ((LEFT, WIDTH - RIGHT, y(t), y(t), LEFT - 6, y(t) + 4, number(t)) for t in y.ticks()),
    )
    bottom = HEIGHT - BOTTOM
    x_text = format_html_join(
        "",
        '<text class="infuse-chart__tick" x="{}" y="{}" text-anchor="middle">{}</text>',
        ((x, bottom + 18, label) for x, label in x_ticks),
    )
    return format_html(
        '{}<line class="infuse-chart__axis" x1="{}" x2="{}" y1="{}" y2="{}"/>{}'
        '<text class="infuse-chart__label" x="{}" y="{}" text-anchor="middle">{}</text>'
        '<text class="infuse-chart__label" x="16" y="{}" text-anchor="middle" '
        'transform="rotate(-90 16 {})">{}</text>',
        grid,
        LEFT,
        WIDTH - RIGHT,
        bottom,
        bottom,
        x_text,
        (LEFT + WIDTH - RIGHT) / 2,
        HEIGHT - 8,
        x_label,
        (TOP + bottom) / 2,
        (TOP + bottom) / 2,
        y_label,
    )


def path(points: Sequence[tuple[float, float]]) -> str:
    drawn = [(x, y) for x, y in points if math.isfinite(x) and math.isfinite(y)]
    return " ".join(f"{'M' if i == 0 else 'L'}{x:.2f},{y:.2f}" for i, (x, y) in enumerate(drawn))
