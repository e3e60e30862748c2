"""Quantities of social value as people type and read them: "1,200", "12.5", "£3,000" in, and
out as the unit asks (money in pounds, everything else as a plain figure beside its unit)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from infuse.core import numbers
from infuse.core.money import pounds
from infuse.procurement.models import SocialValueMeasure

# The largest quantity a KPI column holds (14 digits, 2 of them decimals).
MAXIMUM = Decimal("999999999999.99")
# Thousands grouped by commas or spaces, in threes ("1,200", "1 200"): "1,5" is not 1.5 or 15.
_TYPED = re.compile(r"£?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?")


def quantity_of(text: object) -> Decimal:
    """A quantity from what a person typed (commas, spaces and a leading £ allowed); raises
    ``ValueError`` for anything that is not a number from 0 with at most two decimals."""
    cleaned = re.sub(r"(?<=\d)[ \u00a0](?=\d)", ",", str(text).strip()).replace("£ ", "£")
    if not _TYPED.fullmatch(cleaned):
        raise ValueError(text)
    try:
        found = Decimal(cleaned.lstrip("£").replace(",", ""))
    except InvalidOperation as error:
        raise ValueError(text) from error
    if not storable(found):
        raise ValueError(text)
    return found


def storable(value: Decimal) -> bool:
    """Whether a quantity fits the KPI columns as given: from 0 to ``MAXIMUM``, at most two
    decimals (a third is refused, never rounded away; checked before rounding is tried, so a
    thirty-digit number is refused rather than overflowing)."""
    if not value.is_finite() or value < 0 or value > MAXIMUM:
        return False
    return value == value.quantize(Decimal("0.01"))


def shown(value: Decimal | int | float | None, unit: str) -> str:
    """A quantity for a page: pounds as money (£3,000), others grouped (1,200; 12.5)."""
    if value is None:
        return numbers.NO_NUMBER
    if unit == SocialValueMeasure.Unit.POUNDS:
        return pounds(int(Decimal(value) * 100))
    return numbers.number(float(value))


def as_text(value: Decimal) -> str:
    """A quantity as kept in a sealed bid: exact, without a float's rounding."""
    return format(value.normalize(), "f")
