"""An indicator's two charts: a council's trend against the region, and a funnel plot.

Server-drawn SVG (no JavaScript, works in forced-colours mode), each with a ``<title>`` and a
``<desc>`` that say what it shows, a marker shape as well as a colour for every series, and a
table with the same numbers beside it on the page. The funnel's control limits come from the
statistics engine (Spiegelhalter 2005: exact binomial or Poisson limits, interpolated) around
the region's value, at 95% and 99.8%.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from infuse import stats
from infuse.core import lazy
from infuse.core.svg_charts import (
    BOTTOM,
    HEIGHT,
    LEFT,
    RIGHT,
    TOP,
    WIDTH,
    Axis,
    axes,
    frame,
    number,
    path,
)

if TYPE_CHECKING:
    import numpy as np

    from infuse.stats.intervals import FunnelLimits
else:
    np = lazy.module("numpy")

PER = {"rate_per_1000": 1_000.0, "rate_per_100000": 100_000.0}

Position = Literal["within", "between", "outside", ""]


@dataclass(frozen=True)
class TrendPoint:
    period: str
    council: float | None
    council_low: float | None
    council_high: float | None
    region: float | None


@dataclass(frozen=True)
class TrendMark:
    """Work aimed at the indicator, marked where it began: ``at`` in periods from the start of
    the first (see :func:`infuse.datalab.indicators.periods.position`)."""

    number: int
    at: float
    label: str


def trend_svg(
    points: Sequence[TrendPoint],
    *,
    council_name: str,
    unit_label: str,
    ident: str = "trend",
    marks: Sequence[TrendMark] = (),
) -> SafeString:
    """The council's values (with 95% intervals) and the region's, period by period, and a
    numbered line where each piece of work aimed at the indicator began."""
    if not points:
        return mark_safe("")
    numbers = [
        v
        for p in points
        for v in (p.council, p.council_low, p.council_high, p.region)
        if v is not None
    ]
    y = Axis.around(numbers, HEIGHT - BOTTOM, TOP, zero=True)
    inner = WIDTH - RIGHT - LEFT
    slot = inner / len(points)
    xs = [LEFT + slot * (i + 0.5) for i in range(len(points))]
    every = max(1, math.ceil(len(points) / 8))  # at most eight period labels
    x_ticks = [
        (x, p.period) for i, (x, p) in enumerate(zip(xs, points, strict=True)) if i % every == 0
    ]
    region_line = path(
        [(x, y(p.region)) for x, p in zip(xs, points, strict=True) if p.region is not None]
    )
    council_line = path(
        [(x, y(p.council)) for x, p in zip(xs, points, strict=True) if p.council is not None]
    )
    drawn = [*_work_marks(marks, slot), *_trend_marks(points, xs, y, council_name)]
    body = format_html(
        '{}<path class="infuse-chart__region-line" d="{}"/>'
        '<path class="infuse-chart__council-line" d="{}"/>{}',
        axes(x_ticks, y, _("Period"), unit_label),
        region_line,
        council_line,
        mark_safe("".join(str(m) for m in drawn)),  # noqa: S308 - each built with format_html
    )
    first, last = points[0], points[-1]
    description = _(
        "%(council)s from %(first)s to %(last)s, with 95%% confidence intervals, against the "
        "Cardiff Capital Region. The same numbers are in the table below the chart."
    ) % {"council": council_name, "first": first.period, "last": last.period}
    if marks:
        description += " " + _(
            "Numbered dashed lines mark where work aimed at the indicator began; the list "
            "below the chart names each."
        )
    title = _("Trend: %(council)s against the region") % {"council": council_name}
    return frame(title=title, description=description, ident=ident, body=body, css="infuse-chart")


def _work_marks(marks: Sequence[TrendMark], slot: float) -> list[SafeString]:
    """A dashed line where each piece of work began, numbered as in the list below the chart."""
    drawn = []
    previous, row = -100.0, 0
    for mark in marks:
        x = round(LEFT + slot * mark.at, 2)
        row = row + 1 if x - previous < 16 else 0  # numbers of work begun close together stack
        previous = x
        drawn.append(
            format_html(
                '<g class="infuse-chart__work"><title>{}</title>'
                '<line x1="{}" x2="{}" y1="{}" y2="{}"/>'
                '<text x="{}" y="{}" text-anchor="end">{}</text></g>',
                mark.label,
                x,
                x,
                TOP,
                HEIGHT - BOTTOM,
                x - 3,
                TOP + 10 + 14 * row,
                mark.number,
            )
        )
    return drawn


def _trend_marks(
    points: Sequence[TrendPoint], xs: list[float], y: Axis, council_name: str
) -> list[SafeString]:
    """Per period: the council's interval and value (a circle), and the region's (a square)."""
    marks = []
    for x, p in zip(xs, points, strict=True):
        if p.council_low is not None and p.council_high is not None:
            marks.append(
                format_html(
                    '<line class="infuse-chart__interval" x1="{}" x2="{}" y1="{}" y2="{}"/>',
                    x,
                    x,
                    y(p.council_low),
                    y(p.council_high),
                )
            )
        if p.council is not None:
            marks.append(
                format_html(
                    '<circle class="infuse-chart__council" cx="{}" cy="{}" r="5">'
                    "<title>{}, {}: {}</title></circle>",
                    x,
                    y(p.council),
                    council_name,
                    p.period,
                    number(p.council),
                )
            )
        if p.region is not None:
            marks.append(
                format_html(
                    '<rect class="infuse-chart__region" x="{}" y="{}" width="9" height="9">'
                    "<title>{}, {}: {}</title></rect>",
                    x - 4.5,
                    y(p.region) - 4.5,
                    _("Cardiff Capital Region"),
                    p.period,
                    number(p.region),
                )
            )
    return marks


@dataclass(frozen=True)
class FunnelPoint:
    name: str
    denominator: float
    value: float
    position: Position = ""


@dataclass(frozen=True)
class Funnel:
    """The limits at each council's denominator and the council's place against them."""

    benchmark: float
    points: list[FunnelPoint]
    curve: FunnelLimits
    scale: float  # from the engine's scale (a proportion, a rate per person…) to the unit's


def funnel_limits(unit: str, benchmark: float, denominators: Sequence[float]) -> FunnelLimits:
    """Spiegelhalter's exact limits (interpolated) around the region's value, per denominator."""
    if unit == "percentage":
        return stats.funnel_limits_proportion(
            denominators, benchmark / 100.0, levels=stats.FUNNEL_LEVELS
        )
    return stats.funnel_limits_poisson(
        denominators, benchmark, per=PER[unit], levels=stats.FUNNEL_LEVELS
    )


def build_funnel(
    unit: str, benchmark: float, councils: Sequence[tuple[str, float, float]]
) -> Funnel | None:
    """Place each council (name, denominator, value) against the limits; None for counts."""
    usable = [
        (name, den, val) for name, den, val in councils if den and den > 0 and math.isfinite(val)
    ]
    if unit not in ("percentage", *PER) or not usable or not math.isfinite(benchmark):
        return None
    scale = 100.0 if unit == "percentage" else 1.0
    at_points = funnel_limits(unit, benchmark, [d for _, d, _ in usable])
    outer, inner = max(stats.FUNNEL_LEVELS), min(stats.FUNNEL_LEVELS)
    points = []
    for i, (name, den, val) in enumerate(usable):
        low95, high95 = at_points.lower[inner][i] * scale, at_points.upper[inner][i] * scale
        low998, high998 = at_points.lower[outer][i] * scale, at_points.upper[outer][i] * scale
        if low95 <= val <= high95:
            position: Position = "within"
        elif low998 <= val <= high998:
            position = "between"
        else:
            position = "outside"
        points.append(FunnelPoint(name, den, val, position))
    smallest = min(d for _, d, _ in usable)
    largest = max(d for _, d, _ in usable)
    grid = np.geomspace(max(1.0, smallest * 0.5), largest * 1.1, 80)
    return Funnel(benchmark, points, funnel_limits(unit, benchmark, list(grid)), scale)


def funnel_svg(
    funnel: Funnel, *, unit_label: str, x_label: str, ident: str = "funnel"
) -> SafeString:
    """Councils as points (value against denominator) inside the 95% and 99.8% limits."""
    limits = _scaled_limits(funnel)
    x, y = _funnel_axes(funnel, limits)
    x_ticks = [(x(t), number(t)) for t in x.ticks()]
    body = format_html(
        '{}<line class="infuse-chart__benchmark" x1="{}" x2="{}" y1="{}" y2="{}"/>{}{}',
        axes(x_ticks, y, x_label, unit_label),
        LEFT,
        WIDTH - RIGHT,
        y(funnel.benchmark),
        y(funnel.benchmark),
        mark_safe("".join(str(line) for line in _limit_lines(funnel, limits, x, y))),  # noqa: S308
        mark_safe("".join(str(m) for m in _funnel_marks(funnel, x, y, x_label))),  # noqa: S308
    )
    outside = sum(1 for p in funnel.points if p.position != "within")
    description = _(
        "%(count)s councils plotted against their %(x)s, around the region's value of "
        "%(benchmark)s, with 95%% and 99.8%% control limits. %(outside)s lie outside the 95%% "
        "limits. The same numbers are in the table below the chart."
    ) % {
        "count": len(funnel.points),
        "x": x_label.lower(),
        "benchmark": number(funnel.benchmark),
        "outside": outside,
    }
    return frame(
        title=_("Funnel plot"), description=description, ident=ident, body=body, css="infuse-chart"
    )


# Each limit level: its lower and upper curve on the unit's scale, along the curve's grid.
Limits = dict[float, tuple[list[float], list[float]]]


def _scaled_limits(funnel: Funnel) -> Limits:
    curve, scale = funnel.curve, funnel.scale
    return {
        level: (
            [v * scale for v in curve.lower[level].tolist()],
            [v * scale for v in curve.upper[level].tolist()],
        )
        for level in (min(stats.FUNNEL_LEVELS), max(stats.FUNNEL_LEVELS))
    }


def _funnel_axes(funnel: Funnel, limits: Limits) -> tuple[Axis, Axis]:
    """The x axis (denominators from 0) and the y axis (values).

    The y range covers every point and the limits from the smallest council's denominator up,
    so the funnel's mouth does not squash the points.
    """
    outer = max(stats.FUNNEL_LEVELS)
    grid = funnel.curve.denominator.tolist()
    smallest = min(p.denominator for p in funnel.points)
    window = [i for i, d in enumerate(grid) if d >= smallest * 0.8] or list(range(len(grid)))
    candidates = [p.value for p in funnel.points] + [funnel.benchmark]
    candidates += [limits[outer][0][i] for i in window] + [limits[outer][1][i] for i in window]
    y = Axis.around(candidates, HEIGHT - BOTTOM, TOP, zero=False)
    x = Axis.around([0.0, max(grid)], LEFT, WIDTH - RIGHT, zero=True)
    return x, y


def _limit_lines(funnel: Funnel, limits: Limits, x: Axis, y: Axis) -> list[SafeString]:
    """The 95% and 99.8% limits, each side a path clipped to the plot."""
    grid = funnel.curve.denominator.tolist()
    top, bottom = TOP, HEIGHT - BOTTOM

    def clip(v: float) -> float:
        return min(max(y(v), top), bottom)

    lines = []
    for level, css in (
        (min(stats.FUNNEL_LEVELS), "infuse-chart__limit95"),
        (max(stats.FUNNEL_LEVELS), "infuse-chart__limit998"),
    ):
        for side in limits[level]:
            lines.append(
                format_html(
                    '<path class="{}" d="{}"/>',
                    css,
                    path([(x(d), clip(v)) for d, v in zip(grid, side, strict=True)]),
                )
            )
    return lines


def _funnel_marks(funnel: Funnel, x: Axis, y: Axis, x_label: str) -> list[SafeString]:
    """A circle for a council within the 95% limits, a triangle for one between or outside."""
    marks = []
    for point in funnel.points:
        cx, cy = x(point.denominator), y(point.value)
        label = format_html(
            "<title>{}: {} ({} {})</title>",
            point.name,
            number(point.value),
            number(point.denominator),
            x_label.lower(),
        )
        if point.position == "within":
            marks.append(
                format_html(
                    '<circle class="infuse-chart__within" cx="{}" cy="{}" r="5">{}</circle>',
                    cx,
                    cy,
                    label,
                )
            )
        else:
            css = (
                "infuse-chart__between" if point.position == "between" else "infuse-chart__outside"
            )
            marks.append(
                format_html(
                    '<path class="{}" d="M{},{} l6,10 h-12 z">{}</path>',
                    css,
                    cx,
                    cy - 6,
                    label,
                )
            )
    return marks
