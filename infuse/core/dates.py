"""Calendar arithmetic the labs share."""

from __future__ import annotations

import calendar
import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or that month's last day when it is shorter (31 January
    plus one month is 29 February in a leap year)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
