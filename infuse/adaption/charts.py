"""The design page's power curve: power against the design's size, with the 80% line."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

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
    points: Sequence[tuple[float, float]],
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
            (x(size), y(power), size_label, number(size), _("power"), f"{power:.2f}")
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
    description = text % {
        "target": f"{target:.2f}",
        "low": f"{points[0][1]:.2f}",
        "first": number(points[0][0]),
        "high": f"{points[-1][1]:.2f}",
        "last": number(points[-1][0]),
    }
    return frame(
        title=_("Power curve"),
        description=description,
        ident="power-curve",
        body=body,
        css="infuse-chart",
    )


def forest_svg(rows: Sequence[dict], overall: dict | None, *, label: str) -> SafeString:
    """Each council's effect with its 95% interval (and the overall one), against zero."""
    items = [r for r in rows if r.get("ci_low") is not None and r.get("ci_high") is not None]
    if overall and overall.get("ci_low") is not None:
        items = [*items, {**overall, "name": _("All councils")}]
    if not items:
        return mark_safe("")
    row_height = 28
    height = TOP + BOTTOM + row_height * len(items)
    name_width = 170
    x = Axis.around(
        [0.0, *[r["ci_low"] for r in items], *[r["ci_high"] for r in items]],
        name_width,
        WIDTH - RIGHT,
        zero=False,
    )
    zero = x(0.0)
    lines = []
    for i, row in enumerate(items):
        y = TOP + row_height * i + row_height / 2
        overall_row = row is items[-1] and overall is not None
        lines.append(
            format_html(
                '<text class="infuse-chart__tick" x="{}" y="{}" text-anchor="end">{}</text>'
                '<line class="infuse-chart__interval" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                '<{} class="{}" {}><title>{}: {} ({} – {})</title></{}>',
                name_width - 8,
                y + 4,
                row["name"],
                x(row["ci_low"]),
                x(row["ci_high"]),
                y,
                y,
                "rect" if overall_row else "circle",
                "infuse-chart__region" if overall_row else "infuse-chart__council",
                mark_safe(  # noqa: S308 - numbers only
                    f'x="{x(row["estimate"]) - 6}" y="{y - 6}" width="12" height="12"'
                    if overall_row
                    else f'cx="{x(row["estimate"])}" cy="{y}" r="5"'
                ),
                row["name"],
                f"{row['estimate']:.2f}",
                f"{row['ci_low']:.2f}",
                f"{row['ci_high']:.2f}",
                "rect" if overall_row else "circle",
            )
        )
    bottom = height - BOTTOM
    ticks = format_html_join(
        "",
        '<text class="infuse-chart__tick" x="{}" y="{}" text-anchor="middle">{}</text>',
        ((x(t), bottom + 18, number(t)) for t in x.ticks()),
    )
    body = format_html(
        '<line class="infuse-chart__axis" x1="{}" x2="{}" y1="{}" y2="{}"/>{}'
        '<line class="infuse-chart__benchmark" x1="{}" x2="{}" y1="{}" y2="{}"/>{}'
        '<text class="infuse-chart__label" x="{}" y="{}" text-anchor="middle">{}</text>',
        name_width,
        WIDTH - RIGHT,
        bottom,
        bottom,
        ticks,
        zero,
        zero,
        TOP,
        bottom,
        mark_safe("".join(str(line) for line in lines)),  # noqa: S308 - built with format_html
        (name_width + WIDTH - RIGHT) / 2,
        height - 8,
        label,
    )
    description = _(
        "The effect in each of %(count)s councils with its 95%% confidence interval, and over "
        "all councils; the vertical line is no effect. The same numbers are in the table below."
    ) % {"count": len(rows)}
    return format_html(
        '<svg class="infuse-chart" role="img" aria-labelledby="forest-title forest-desc" '
        'viewBox="0 0 {} {}" focusable="false"><title id="forest-title">{}</title>'
        '<desc id="forest-desc">{}</desc>{}</svg>',
        WIDTH,
        height,
        _("Effect by council"),
        description,
        body,
    )


def flow_svg(flow: dict) -> SafeString:
    """A CONSORT-style flow: for each arm, allocated → with data → lost → analysed."""
    arms = flow.get("arms") or []
    if not arms:
        return mark_safe("")
    stages = [
        ("allocated", _("Allocated")),
        ("received", _("With outcome data")),
        ("lost", _("No outcome (lost)")),
        ("analysed", _("Analysed")),
    ]
    box_w, box_h, gap = 250, 46, 22
    width = 2 * box_w + 3 * 30
    height = 40 + len(stages) * (box_h + gap)
    parts = []
    for column, arm in enumerate(arms):
        left = 30 + column * (box_w + 30)
        parts.append(
            format_html(
                '<text class="infuse-chart__label" x="{}" y="24" text-anchor="middle">{}</text>',
                left + box_w / 2,
                _("Treatment") if arm["arm"] == "treatment" else _("Control"),
            )
        )
        for row, (key, label) in enumerate(stages):
            value = arm.get(key)
            top = 40 + row * (box_h + gap)
            parts.append(
                format_html(
                    '<rect class="infuse-flow__box" x="{}" y="{}" width="{}" height="{}" rx="4"/>'
                    '<text class="infuse-chart__tick" x="{}" y="{}" text-anchor="middle">'
                    "{}: {}</text>",
                    left,
                    top,
                    box_w,
                    box_h,
                    left + box_w / 2,
                    top + box_h / 2 + 5,
                    label,
                    "–" if value is None else value,
                )
            )
            if row:
                parts.append(
                    format_html(
                        '<line class="infuse-chart__axis" x1="{}" x2="{}" y1="{}" y2="{}" '
                        'marker-end="url(#flow-arrow)"/>',
                        left + box_w / 2,
                        left + box_w / 2,
                        top - gap,
                        top - 2,
                    )
                )
    description = "; ".join(
        f"{arm['arm']}: "
        + ", ".join(
            f"{label} {arm.get(key) if arm.get(key) is not None else '–'}" for key, label in stages
        )
        for arm in arms
    )
    return format_html(
        '<svg class="infuse-chart infuse-flow" role="img" aria-labelledby="flow-title flow-desc" '
        'viewBox="0 0 {} {}" focusable="false"><title id="flow-title">{}</title>'
        '<desc id="flow-desc">{}</desc><defs><marker id="flow-arrow" viewBox="0 0 10 10" '
        'refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" class="infuse-flow__arrow"/></marker></defs>{}</svg>',
        width,
        height,
        _("Flow of units through the experiment"),
        description,
        mark_safe("".join(str(p) for p in parts)),  # noqa: S308 - built with format_html
    )
