"""Words and numbers of the region's pages: an indicator's value in its unit, and how the
councils compare with the region, said plainly."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from infuse.core.templatetags.infuse_format import measure
from infuse.datalab.comparators.charts import spine_bar
from infuse.datalab.comparators.spine import SpineRow
from infuse.datalab.indicators.trends import RecentTrend

register = template.Library()

COMPARED = {
    "better": lambda n: _("%(count)s better") % {"count": n},
    "similar": lambda n: _("%(count)s similar") % {"count": n},
    "worse": lambda n: _("%(count)s worse") % {"count": n},
    "lower": lambda n: _("%(count)s lower") % {"count": n},
    "higher": lambda n: _("%(count)s higher") % {"count": n},
}


# The value in its unit, as every lab's pages write it (registered here too, for the region's
# templates and sentences).
register.filter("measure", measure)


@register.filter
def compared(counts: dict[str, int]) -> str:
    """``{"better": 2, "similar": 8}`` → ``2 better, 8 similar`` (classes with none left out)."""
    said = [COMPARED[name](count) for name, count in counts.items() if count]
    return ", ".join(said) or _("Not compared")


TREND_WORDS = {
    ("increasing", "better"): lambda: _("Increasing and getting better"),
    ("increasing", "worse"): lambda: _("Increasing and getting worse"),
    ("increasing", ""): lambda: _("Increasing"),
    ("decreasing", "better"): lambda: _("Decreasing and getting better"),
    ("decreasing", "worse"): lambda: _("Decreasing and getting worse"),
    ("decreasing", ""): lambda: _("Decreasing"),
    ("no_significant_change", ""): lambda: _("No significant change"),
}

AGAINST_WORDS = {
    "better": lambda name: _("better than %(name)s") % {"name": name},
    "similar": lambda name: _("similar to %(name)s") % {"name": name},
    "worse": lambda name: _("worse than %(name)s") % {"name": name},
    "lower": lambda name: _("lower than %(name)s") % {"name": name},
    "higher": lambda name: _("higher than %(name)s") % {"name": name},
}


@register.filter
def trend_words(trend: RecentTrend | None, unit: str = "") -> str:
    """A recent trend said plainly; why there is none when it could not be tested."""
    if trend is None and unit == "value":
        return _("Not tested: values as published come without the intervals a test needs")
    if trend is None:
        return _("Not enough periods to tell (three are needed)")
    return TREND_WORDS[(trend.direction, trend.judgement)]()


def _value_against(row: SpineRow, name: str) -> str:
    words = {"period": row.period, "value": measure(row.value.value, row.indicator.unit)}
    against = AGAINST_WORDS.get(row.comparison)
    if row.comparison == "not_compared" and row.indicator.unit == "value":
        return _("%(period)s: %(value)s, as published, with no interval to compare by.") % words
    if row.comparison == "not_compared":
        return _("%(period)s: %(value)s, a count, so not compared with %(name)s.") % {
            **words,
            "name": name,
        }
    if row.benchmark is None or (row.benchmark.value is None and not row.benchmark.hidden):
        return _("%(period)s: %(value)s; %(name)s has no value for this period.") % {
            **words,
            "name": name,
        }
    if row.benchmark.hidden or row.benchmark.value is None:
        return _(
            "%(period)s: %(value)s; the value for %(name)s is not shown, to protect "
            "confidentiality."
        ) % {**words, "name": name}
    if against is None:
        return _("%(period)s: %(value)s, not compared with %(name)s (%(benchmark)s).") % {
            **words,
            "name": name,
            "benchmark": measure(row.benchmark.value, row.indicator.unit),
        }
    return _("%(period)s: %(value)s, %(against)s (%(benchmark)s).") % {
        **words,
        "against": against(name),
        "benchmark": measure(row.benchmark.value, row.indicator.unit),
    }


@register.simple_tag
def spine_sentence(row: SpineRow, name: str) -> str:
    """One spine row in words: the value, how it compares with ``name``, the range, the trend
    (printed under the bar, which says no more than this)."""
    unit = row.indicator.unit
    if row.value.suppressed or row.value.value is None:
        said = _("%(period)s: hidden to protect confidentiality.") % {"period": row.period}
    else:
        said = _value_against(row, name)
    if row.lowest is not None and row.highest is not None:
        said += " " + _("Councils range from %(low)s to %(high)s.") % {
            "low": measure(row.lowest, unit),
            "high": measure(row.highest, unit),
        }
    return f"{said} {_('Recent trend')}: {trend_words(row.trend, row.indicator.unit)}."


@register.simple_tag
def spine_chart_bar(row: SpineRow) -> SafeString:
    return spine_bar(row)
