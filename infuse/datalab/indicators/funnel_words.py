"""A funnel plot in sentences: which councils differ from the benchmark (the region unless the
indicator names another), which way, how surely.

The plot and its table place each council; these sentences say what the places mean, so a
reader who does not know control limits is not left to guess (inside the 95% limits: no more
different than chance makes councils of that size; outside the 99.8% limits: chance alone is
very unlikely to explain it).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from infuse.core.words import listed
from infuse.datalab.indicators.charts import Funnel


def _beyond(funnel: Funnel, position: str, *, higher: bool) -> list[str]:
    return [
        point.name
        for point in funnel.points
        if point.position == position and (point.value > funnel.benchmark) == higher
    ]


def funnel_sentences(funnel: Funnel, period: str, benchmark: str | None = None) -> list[str]:
    """One sentence for the councils inside the 95% limits, one per group outside them;
    ``benchmark`` names what the funnel is centred on (default: the region)."""
    against = benchmark or _("the region")
    total = len(funnel.points)
    inside = sum(1 for point in funnel.points if point.position == "within")
    said = [
        ngettext(
            "In %(period)s, %(inside)s of %(total)s council is inside the 95%% limits: it "
            "differs from %(benchmark)s no more than chance makes councils of its size differ.",
            "In %(period)s, %(inside)s of %(total)s councils are inside the 95%% limits: they "
            "differ from %(benchmark)s no more than chance makes councils of their size differ.",
            total,
        )
        % {"period": period, "inside": inside, "total": total, "benchmark": against}
    ]
    for higher in (True, False):
        between = _beyond(funnel, "between", higher=higher)
        if between:
            said.append(
                (
                    _(
                        "Between the 95%% and 99.8%% limits, above %(benchmark)s: %(names)s. "
                        "Worth a look, though chance could still explain it."
                    )
                    if higher
                    else _(
                        "Between the 95%% and 99.8%% limits, below %(benchmark)s: %(names)s. "
                        "Worth a look, though chance could still explain it."
                    )
                )
                % {"names": listed(between), "benchmark": against}
            )
        outside = _beyond(funnel, "outside", higher=higher)
        if outside:
            said.append(
                (
                    _(
                        "Outside the 99.8%% limits, above %(benchmark)s: %(names)s. Chance alone "
                        "is very unlikely to explain a difference this large."
                    )
                    if higher
                    else _(
                        "Outside the 99.8%% limits, below %(benchmark)s: %(names)s. Chance alone "
                        "is very unlikely to explain a difference this large."
                    )
                )
                % {"names": listed(outside), "benchmark": against}
            )
    return said
