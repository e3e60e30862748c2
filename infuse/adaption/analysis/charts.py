"""The results' charts: the effect in each council (a forest plot) and the flow of units
through the experiment (CONSORT-style). Each has a title and a description in words, and the
page shows the same numbers in a table."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from infuse.adaption.analysis.results import (
    AnalysisResult,
    ArmFlow,
    Flow,
    NamedEffect,
    has_interval,
)
from infuse.adaption.method_names import arm_name
from infuse.core import numbers
from infuse.core.svg_charts import BOTTOM, RIGHT, TOP, WIDTH, Axis, frame, number, scrolling
from infuse.stats import EstimateResult

FOREST_ROW = 28  # height of one council's row
FOREST_NAMES = 170  # width of the column of council names


def _forest_row(x: Axis, index: int, row: NamedEffect, overall: bool) -> SafeString:
    """One council's (or, ``overall``, all councils') effect: its name, interval and mark."""
    y = TOP + FOREST_ROW * index + FOREST_ROW / 2
    effect = row.effect
    shape = "rect" if overall else "circle"
    return format_html(
        '<text class="infuse-chart__tick" x="{}" y="{}" text-anchor="end">{}</text>'
        '<line class="infuse-chart__interval" x1="{}" x2="{}" y1="{}" y2="{}"/>'
        '<{} class="{}" {}><title>{}: {} ({} – {})</title></{}>',
        FOREST_NAMES - 8,
        y + 4,
        row.name,
        x(effect.ci_low),
        x(effect.ci_high),
        y,
        y,
        shape,
        "infuse-chart__region" if overall else "infuse-chart__council",
        mark_safe(  # noqa: S308 - numbers only
            f'x="{x(effect.estimate) - 6}" y="{y - 6}" width="12" height="12"'
            if overall
            else f'cx="{x(effect.estimate)}" cy="{y}" r="5"'
        ),
        row.name,
        *numbers.figures(effect.estimate, effect.ci_low, effect.ci_high),
        shape,
    )


def _forest_body(
    x: Axis, items: list[NamedEffect], height: int, label: str, overall: bool
) -> SafeString:
    """The axis with its ticks, the line of no effect, the rows and the axis label."""
    bottom = height - BOTTOM
    ticks = format_html_join(
        "",
        '<text class="infuse-chart__tick" x="{}" y="{}" text-anchor="middle">{}</text>',
        ((x(t), bottom + 18, number(t)) for t in x.ticks()),
    )
    rows = [_forest_row(x, i, row, overall and i == len(items) - 1) for i, row in enumerate(items)]
    return format_html(
        '<line class="infuse-chart__axis" x1="{}" x2="{}" y1="{}" y2="{}"/>{}'
        '<line class="infuse-chart__benchmark" x1="{}" x2="{}" y1="{}" y2="{}"/>{}'
        '<text class="infuse-chart__label" x="{}" y="{}" text-anchor="middle">{}</text>',
        FOREST_NAMES,
        WIDTH - RIGHT,
        bottom,
        bottom,
        ticks,
        x(0.0),
        x(0.0),
        TOP,
        bottom,
        mark_safe("".join(str(row) for row in rows)),  # noqa: S308 - built with format_html
        (FOREST_NAMES + WIDTH - RIGHT) / 2,
        height - 8,
        label,
    )


def forest_svg(
    rows: Sequence[NamedEffect],
    overall: EstimateResult | None,
    *,
    label: str,
    ident: str = "forest",
    title: str | None = None,
    description: str | None = None,
    overall_name: str | None = None,
) -> SafeString:
    """Each row's effect with its 95% interval (and the overall one), against zero: by
    default the councils of one experiment; ``title``, ``description`` and ``overall_name``
    say what else the rows are (experiments pooled on the what-works page), and ``ident``
    keeps several charts on one page apart."""
    items = [r for r in rows if has_interval(r.effect)]
    with_overall = overall is not None and has_interval(overall)
    if overall is not None and with_overall:
        items = [*items, NamedEffect(name=overall_name or _("All councils"), effect=overall)]
    if not items:
        return mark_safe("")
    height = TOP + BOTTOM + FOREST_ROW * len(items)
    x = Axis.around(
        [0.0, *[r.effect.ci_low for r in items], *[r.effect.ci_high for r in items]],
        FOREST_NAMES,
        WIDTH - RIGHT,
        zero=False,
    )
    description = description or _(
        "The effect in each of %(count)s councils with its 95%% confidence interval, and over "
        "all councils; the vertical line is no effect. The same numbers are in the table below."
    ) % {"count": len(rows)}
    title = title or _("Effect by council")
    return frame(
        title=title,
        description=description,
        ident=ident,
        body=_forest_body(x, items, height, label, with_overall),
        css="infuse-chart",
        height=height,
    )


def council_forest(result: AnalysisResult | None) -> SafeString:
    """The forest plot of an analysis's councils around its primary effect ("" without)."""
    if result is None or not result.by_council:
        return mark_safe("")
    return forest_svg(result.by_council, result.primary, label=result.outcome)


FLOW_BOX_WIDTH, FLOW_BOX_HEIGHT, FLOW_GAP = 250, 46, 22


def _flow_stages(flow: Flow) -> list[tuple[str, str]]:
    """The boxes of each arm; "allocated" only where units were allocated to one arm."""
    allocated = [("allocated", _("Allocated"))] if flow.allocated_known else []
    return [
        *allocated,
        ("received", _("With outcome data")),
        ("lost", _("No outcome (lost)")),
        ("analysed", _("Analysed")),
    ]


def _flow_arm(column: int, arm: ArmFlow, stages: list[tuple[str, str]]) -> list[SafeString]:
    """One arm's column: its name, a box per stage, and arrows between the boxes."""
    left = 30 + column * (FLOW_BOX_WIDTH + 30)
    middle = left + FLOW_BOX_WIDTH / 2
    parts = [
        format_html(
            '<text class="infuse-chart__label" x="{}" y="24" text-anchor="middle">{}</text>',
            middle,
            arm_name(arm.arm),
        )
    ]
    for row, (key, label) in enumerate(stages):
        value = getattr(arm, key)
        top = 40 + row * (FLOW_BOX_HEIGHT + FLOW_GAP)
        parts.append(
            format_html(
                '<rect class="infuse-flow__box" x="{}" y="{}" width="{}" height="{}" rx="4"/>'
                '<text class="infuse-chart__tick" x="{}" y="{}" text-anchor="middle">'
                "{}: {}</text>",
                left,
                top,
                FLOW_BOX_WIDTH,
                FLOW_BOX_HEIGHT,
                middle,
                top + FLOW_BOX_HEIGHT / 2 + 5,
                label,
                numbers.number(value),
            )
        )
        if row:
            parts.append(
                format_html(
                    '<line class="infuse-chart__axis" x1="{}" x2="{}" y1="{}" y2="{}" '
                    'marker-end="url(#flow-arrow)"/>',
                    middle,
                    middle,
                    top - FLOW_GAP,
                    top - 2,
                )
            )
    return parts


def flow_svg(flow: Flow) -> SafeString:
    """A CONSORT-style flow: for each arm, allocated → with data → lost → analysed."""
    arms = flow.arms
    if not arms:
        return mark_safe("")
    stages = _flow_stages(flow)
    width = 2 * FLOW_BOX_WIDTH + 3 * 30
    height = 40 + len(stages) * (FLOW_BOX_HEIGHT + FLOW_GAP)
    parts = [part for column, arm in enumerate(arms) for part in _flow_arm(column, arm, stages)]
    description = "; ".join(
        f"{arm_name(arm.arm)}: "
        + ", ".join(f"{label} {numbers.number(getattr(arm, key))}" for key, label in stages)
        for arm in arms
    )
    svg = format_html(
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
    return scrolling(svg, _("Flow of units through the experiment"))
