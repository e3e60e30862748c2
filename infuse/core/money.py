"""Money is held in pence as integers; these turn it into pounds for people and back."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_AMOUNT = re.compile(r"^£?\s*(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?$")


def pounds(pence: int | None) -> str:
    """``123456`` → ``£1,234.56``; whole pounds without pence (``£10,000,000``)."""
    if pence is None:
        return ""
    sign = "-" if pence < 0 else ""
    whole, part = divmod(abs(int(pence)), 100)
    return f"{sign}£{whole:,}" + (f".{part:02d}" if part else "")


def pence_from_pounds(text: str) -> int:
    """``"£1,250.50"`` → ``125050``. Raises ValueError for anything that is not an amount of
    pounds with at most two decimal places (no negatives, no other currency signs)."""
    cleaned = str(text).strip()
    if not _AMOUNT.match(cleaned):
        raise ValueError(f"not an amount in pounds: {text!r}")
    try:
        value = Decimal(cleaned.lstrip("£").strip().replace(",", ""))
    except InvalidOperation as error:
        raise ValueError(f"not an amount in pounds: {text!r}") from error
    return int(value * 100)
