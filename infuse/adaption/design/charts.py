"""The design page's power curve: power against the design's size (or, for a plan from past
data, against the effect added), with the power sought as a line."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from infuse.core.numbers import percent
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


def power_curve_svg(
    points: Sequence[Sequence[float]],
    *,
    size_label: str,
    chosen: float | None = None,
    target: float = 0.8,
    by_effect: bool = False,
) -> SafeString:
    """Power (0 to 1) at each size (or, ``by_effect``, at each effect); the chosen size (or
    the minimum detectable effect) is marked and the target power is a line."""
    if len(points) < 2:
        return mark_safe("")
    x = Axis.around([0.0, *[p[0] for p in points]], LEFT, WIDTH - RIGHT, zero=True)
    y = Axis(0.0, 1.0, HEIGHT - BOTTOM, TOP)
    marks = format_html_join(
        "",
        '<circle class="infuse-chart__council" cx="{}" cy="{}" r="4">'
        "<title>{}: {}, {}: {}</title></circle>",
        (
            (x(size), y(power), size_label, number(size), _("power"), percent(power))
            for size, power in points
        ),
    )
    chosen_mark = (
        format_html(
            '<line class="infuse-chart__benchmark" x1="{}" x2="{}" y1="{}" y2="{}"/>',
            x(chosen),
            x(chosen),
            TOP,
            HEIGHT - BOTTOM,
        )
        if chosen is not None
        else ""
    )
    body = format_html(
        '{}<line class="infuse-chart__limit95" x1="{}" x2="{}" y1="{}" y2="{}"/>{}'
        '<path class="infuse-chart__council-line" d="{}"/>{}',
        axes([(x(t), number(t)) for t in x.ticks()], y, size_label, _("Power")),
        LEFT,
        WIDTH - RIGHT,
        y(target),
        y(target),
        chosen_mark,
        path([(x(s), y(p)) for s, p in points]),
        marks,
    )
    return frame(
        title=_("Power curve"),
        description=_description(points, target=target, by_effect=by_effect),
        ident="power-curve",
        body=body,
        css="infuse-chart",
    )


def _description(points: Sequence[Sequence[float]], *, target: float, by_effect: bool) -> str:
    """The chart in words, for screen readers (the table below it has the numbers)."""
    if by_effect:
        text = _(
            "Power from %(low)s with an effect of %(first)s to %(high)s with %(last)s; the "
            "dashed line is the power sought (%(target)s) and the solid vertical line the "
            "smallest effect that reaches it. The same numbers are in the table below the chart."
        )
    else:
        text = _(
            "Power from %(low)s at %(first)s to %(high)s at %(last)s; the dashed line is the "
            "power sought (%(target)s) and the solid vertical line the size chosen. The same "
            "numbers are in the table below the chart."
        )
    return text % {
        "target": percent(target),
        "low": percent(points[0][1]),
        "first": number(points[0][0]),
        "high": percent(points[-1][1]),
        "last": number(points[-1][0]),
    }
