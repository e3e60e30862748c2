"""Number formatting shared by every page (the same in English and Welsh: 1,523,911)."""

from typing import Any

from django import template
from django.utils.translation import gettext as _

from infuse.core import numbers
from infuse.core.money import pounds as _pounds

register = template.Library()


@register.filter
def thousands(value: object) -> str:
    """Group digits in thousands with commas; leaves non-numbers as they are."""
    try:
        return f"{int(value):,}"  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return str(value)


@register.filter
def get_item(mapping: object, key: str) -> object:
    """``{{ mapping|get_item:"0.5" }}``: a dict value whose key is not a valid identifier."""
    return mapping.get(key) if isinstance(mapping, dict) else None


@register.filter
def pounds(pence: object) -> str:
    """Pence as pounds: ``{{ 123456|pounds }}`` → ``£1,234.56``."""
    try:
        return _pounds(int(pence))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return ""


@register.filter
def figure(value: Any, unit: str) -> str:
    """A value's number in its unit's precision (no unit words): counts whole, everything else
    to one decimal place, thousands grouped — ``9447.0|figure:"count"`` → ``9,447``."""
    if value is None:
        return ""
    number = float(value)
    if unit == "value":  # as published: its own precision (0.04 is not "0.0")
        return numbers.number(number)
    return f"{number:,.0f}" if unit == "count" else f"{number:,.1f}"


@register.filter
def measure(value: Any, unit: str) -> str:
    """``12.345|measure:"percentage"`` → ``12.3%``; counts whole, rates per 1,000 or 100,000."""
    if value is None:
        return _("No value")
    shown = figure(value, unit)
    if unit == "percentage":
        return f"{shown}%"
    if unit == "rate_per_1000":
        return _("%(value)s per 1,000") % {"value": shown}
    if unit == "rate_per_100000":
        return _("%(value)s per 100,000") % {"value": shown}
    return shown


@register.filter
def number(value: object, places: int | str | None = None) -> str:
    """A figure for people: ``10240.0|number`` → ``10,240``; ``0.05234|number`` → ``0.052``;
    ``x|number:1`` fixes the decimals."""
    return numbers.number(value, None if places in (None, "") else int(places))


@register.filter
def figure_or_text(value: object) -> str:
    """A column's summary value: a number for people (``3230.0`` → ``3,230``), a date or a
    word as it is, nothing for none."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return numbers.number(value)
    return str(value)


@register.filter
def pvalue(p: object) -> str:
    """``0.00002|pvalue`` → ``< 0.001``."""
    return numbers.p_value(p)


@register.filter
def percent(fraction: object) -> str:
    """``0.8034|percent`` → ``80%``."""
    return numbers.percent(fraction)


def _triple(effect: Any) -> list[str]:
    return numbers.figures(
        getattr(effect, "estimate", None),
        getattr(effect, "ci_low", None),
        getattr(effect, "ci_high", None),
    )


@register.filter
def estimate(effect: Any) -> str:
    """An effect's estimate, to the decimals its interval is shown to."""
    return _triple(effect)[0]


@register.filter
def interval(effect: Any) -> str:
    """An effect's 95% interval as words: ``-0.12 to 0.30``."""
    _estimate, low, high = _triple(effect)
    return numbers.interval_words(low, high)
