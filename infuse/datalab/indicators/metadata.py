"""An indicator's method in plain words, written from its specification (so it is always
what the computation does), in the reader's language.

Why generated: a method typed by hand drifts from the computation it describes; this one is
read from the same specification the analytics layer runs.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from infuse.analytics import IndicatorSpec, IndicatorSpecError
from infuse.analytics.indicators.spec import Measure, PopulationDenominator


def _measure(measure: Measure) -> str:
    if measure.aggregation == "count":
        said = _("the number of rows")
    elif measure.aggregation == "count_distinct":
        said = _("the number of different values of “%(column)s”") % {"column": measure.column}
    elif len(measure.columns) > 1:
        named = ", ".join(f"“{column}”" for column in measure.columns)
        said = _("the sum of %(columns)s in each row, added up") % {"columns": named}
    else:
        said = _("the sum of “%(column)s”") % {"column": measure.column}
    if measure.where:
        said += " " + _("(only rows that meet its conditions)")
    return said


GRAINS = {
    "financial_year": lambda: _("financial year (April to March)"),
    "year": lambda: _("calendar year"),
    "quarter": lambda: _("quarter"),
    "month": lambda: _("month"),
    "as_recorded": lambda: _("period as written in the data"),
}

VALUES = {
    "percentage": lambda: _("Value: the numerator as a percentage of the denominator."),
    "rate_per_1000": lambda: _("Value: the numerator per 1,000 of the denominator."),
    "rate_per_100000": lambda: _("Value: the numerator per 100,000 of the denominator."),
    "count": lambda: _("Value: the count itself."),
    "value": lambda: _(
        "Value: as the data publishes it (the mean where a council has several rows in a "
        "period). The counts behind it are not in the data, so no confidence interval is "
        "given and no difference is judged."
    ),
}

# The level goes in as a value: "95% c…" in a message would read as a format directive.
LEVEL = {"level": "95%"}
INTERVALS = {
    "percentage": lambda: _("%(level)s confidence intervals by Wilson's score method.") % LEVEL,
    "count": lambda: (
        _(
            "%(level)s confidence intervals from the Poisson distribution (exact for small counts, "
            "Byar's approximation for larger ones)."
        )
        % LEVEL
    ),
}


def method_sentences(specification: dict[str, Any], compared_with: str | None = None) -> list[str]:
    """How the values are computed, sentence by sentence; empty for a malformed definition.
    ``compared_with`` names the indicator's benchmark when it is not the region."""
    try:
        spec = IndicatorSpec.from_dict(specification)
    except IndicatorSpecError:
        return []
    unit = str(spec.unit)
    said = [_("Numerator: %(what)s.") % {"what": _measure(spec.numerator)}]
    if isinstance(spec.denominator, Measure):
        said.append(_("Denominator: %(what)s.") % {"what": _measure(spec.denominator)})
    elif isinstance(spec.denominator, PopulationDenominator):
        said.append(
            _("Denominator: “%(column)s” from a population table.")
            % {"column": spec.denominator.value_column}
        )
    said.append(VALUES.get(unit, VALUES["count"])())
    said.append(
        _("Per council (column “%(council)s”) and %(grain)s (column “%(period)s”).")
        % {
            "council": spec.council_column,
            "grain": GRAINS.get(str(spec.period.grain), GRAINS["as_recorded"])(),
            "period": spec.period.column,
        }
    )
    if spec.filters:
        said.append(_("Only rows that meet the indicator's filters are used."))
    if unit == "value":
        return said
    said.append(INTERVALS.get(unit, INTERVALS["count"])())
    if unit != "count" and compared_with:
        said.append(
            _(
                "Each council is compared with %(benchmark)s: better or worse (or lower or "
                "higher) when its whole %(level)s interval is on one side of its value."
            )
            % {**LEVEL, "benchmark": compared_with}
        )
    elif unit != "count":
        said.append(
            _(
                "Each council is compared with the region: better or worse (or lower or "
                "higher) when its whole %(level)s interval is on one side of the region's value."
            )
            % LEVEL
        )
    said.append(_("The region's value is computed from the rows of its ten councils."))
    return said


def areas_left_out(left_out: dict[str, Any]) -> list[str]:
    """The areas an indicator left out (``Indicator.excluded_areas``), a line each in the
    active language — "Gwynedd: 2 rows" … "and 12 more areas (340 rows)" — for the page and
    the command alike; none before the first computation or when there are none."""
    lines = [
        ngettext("%(area)s: %(rows)s row", "%(area)s: %(rows)s rows", area["rows"])
        % {"area": area["area"], "rows": f"{area['rows']:,}"}
        for area in left_out.get("areas", [])
    ]
    if left_out.get("more_areas"):
        lines.append(
            ngettext(
                "and %(areas)s more area (%(rows)s rows)",
                "and %(areas)s more areas (%(rows)s rows)",
                left_out["more_areas"],
            )
            % {"areas": f"{left_out['more_areas']:,}", "rows": f"{left_out['more_rows']:,}"}
        )
    return lines
