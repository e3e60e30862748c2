"""Numbers as people read them, the same in English and Welsh (1,523,911; 0.052; 80%).

One place decides how many decimals a figure shows, so a page, its PDF, its chart and the
sentence under it never disagree: enough decimals to tell the values apart at their size, none
that pretend to a precision the figure does not have (10,240 not 10240.0; 0.052 not 0.05234).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from django.utils.translation import gettext as _

NO_NUMBER = "–"


def _finite(values: Iterable[object]) -> list[float]:
    found = []
    for value in values:
        if isinstance(value, bool) or value is None:
            continue
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            continue
        if math.isfinite(number):
            found.append(number)
    return found


def places_for(*values: object) -> int:
    """Decimals for figures shown side by side (an estimate and its interval share them):
    none from 100, one from 10, two from 1, and below 1 two significant figures of the
    largest, at most six."""
    sizes = [abs(v) for v in _finite(values) if v != 0]
    if not sizes:
        return 0 if _finite(values) else 2
    largest = max(sizes)
    if largest >= 100:
        return 0
    if largest >= 10:
        return 1
    if largest >= 1:
        return 2
    return min(6, 1 - math.floor(math.log10(largest)))


def number(value: object, places: int | None = None) -> str:
    """A figure with thousands grouped; "–" for no number. Without ``places``: whole numbers
    stay whole, others get :func:`places_for` decimals less any trailing zeros (2.5, 0.05)."""
    found = _finite([value])
    if not found:
        return NO_NUMBER
    figure = found[0]
    automatic = places is None
    if places is None:
        places = 0 if figure == round(figure) else places_for(figure)
    shown = f"{figure:,.{places}f}"
    if automatic and "." in shown:
        shown = shown.rstrip("0").rstrip(".")
    return shown.lstrip("-") if float(shown.replace(",", "")) == 0 else shown


def figures(*values: object) -> list[str]:
    """Several figures to the same decimals (an estimate, its lower and upper limits)."""
    places = places_for(*values)
    return [number(value, places) for value in values]


def p_value(p: object) -> str:
    """A p-value to three decimals; the extremes as bounds, never "0.000"."""
    found = _finite([p])
    if not found:
        return NO_NUMBER
    if found[0] < 0.001:
        return "< 0.001"
    if found[0] > 0.999:
        return "> 0.999"
    return f"{found[0]:.3f}"


def percent(fraction: object) -> str:
    """A share (0 to 1) as a percentage: whole between 10% and 99% and from 100% up (a target
    overshot: 133%), one decimal at the ends (4.8%, 99.6%) so a near-certainty never reads as
    100%."""
    found = _finite([fraction])
    if not found:
        return NO_NUMBER
    share = 100 * found[0]
    if 0 < share < 0.1:
        return "< 0.1%"
    if 99.9 < share < 100:
        return "> 99.9%"
    places = 0 if 10 <= share <= 99 or share >= 100 or share == round(share) else 1
    return f"{share:,.{places}f}%"


def interval_words(low: str, high: str) -> str:
    """Two limits joined in the page's language (a dash between them reads as a minus sign)."""
    return _("%(low)s to %(high)s") % {"low": low, "high": high}
