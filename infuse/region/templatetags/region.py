"""Words and numbers of the region's pages: an indicator's value in its unit, and how the
councils compare with the region, said plainly."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

register = template.Library()

COMPARED = {
    "better": lambda n: _("%(count)s better") % {"count": n},
    "similar": lambda n: _("%(count)s similar") % {"count": n},
    "worse": lambda n: _("%(count)s worse") % {"count": n},
    "lower": lambda n: _("%(count)s lower") % {"count": n},
    "higher": lambda n: _("%(count)s higher") % {"count": n},
}


@register.filter
def measure(value: Any, unit: str) -> str:
    """``12.345|measure:"percentage"`` → ``12.3%``; counts whole, rates per 1,000 or 100,000."""
    if value is None:
        return _("No value")
    number = float(value)
    if unit == "percentage":
        return f"{number:,.1f}%"
    if unit == "count":
        return f"{number:,.0f}"
    if unit == "rate_per_1000":
        return _("%(value)s per 1,000") % {"value": f"{number:,.1f}"}
    if unit == "rate_per_100000":
        return _("%(value)s per 100,000") % {"value": f"{number:,.1f}"}
    return f"{number:,.1f}"


@register.filter
def compared(counts: dict[str, int]) -> str:
    """``{"better": 2, "similar": 8}`` → ``2 better, 8 similar`` (classes with none left out)."""
    said = [COMPARED[name](count) for name, count in counts.items() if count]
    return ", ".join(said) or _("Not compared")
