"""Procurement time in Wales: working days skip weekends and the bank holidays of England and
Wales, and periods end at midnight, Europe/London."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import holidays
from django.utils import timezone
from django.utils.formats import date_format

LONDON = ZoneInfo("Europe/London")


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in holidays.country_holidays(
        "GB", subdiv="WLS", years=day.year
    )


def add_working_days(day: dt.date, count: int) -> dt.date:
    """The ``count``-th working day after ``day`` (``day`` itself does not count)."""
    while count > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day


def standstill_ends(decided_at: dt.datetime, working_days: int) -> dt.datetime:
    """The end of a standstill period: midnight after the ``working_days``-th working day
    following the day the decision was notified (Procurement Act 2023, s.51)."""
    if working_days <= 0:  # no standstill (a procurement that needs none, or a test)
        return decided_at
    notified = decided_at.astimezone(LONDON).date()
    last = add_working_days(notified, working_days)
    midnight = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0, 0), tzinfo=LONDON)
    return midnight.astimezone(dt.UTC)


def when(instant: dt.datetime) -> str:
    """An instant as people in Wales read it in a message: "1 March 2027 12:00" (UK time)."""
    return date_format(timezone.localtime(instant), "j F Y H:i")
