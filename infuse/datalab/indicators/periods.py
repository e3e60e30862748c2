"""Where a day falls among an indicator's period labels ("2023", "2023-24", "2023-Q1",
"2023-04"), so a trend chart can mark when work aimed at the indicator began.

Labels are those :func:`infuse.analytics.indicators.expressions.period_label` writes, and the
same shapes in data whose period column is used as recorded (StatsWales's "2019-20").
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from infuse.core.dates import add_months

_FINANCIAL_YEAR = re.compile(r"(\d{4})[-/](\d{2})")
_YEAR = re.compile(r"(\d{4})")
_QUARTER = re.compile(r"(\d{4})-Q([1-4])")
_MONTH = re.compile(r"(\d{4})-(\d{2})")


def _quarter(text: str) -> tuple[dt.date, dt.date] | None:
    if found := _QUARTER.fullmatch(text):
        start = dt.date(int(found[1]), 3 * int(found[2]) - 2, 1)
        return start, add_months(start, 3)
    return None


def _financial_year(text: str) -> tuple[dt.date, dt.date] | None:
    found = _FINANCIAL_YEAR.fullmatch(text)
    if found and (int(found[1]) + 1) % 100 == int(found[2]):
        start = dt.date(int(found[1]), 4, 1)
        return start, add_months(start, 12)
    return None


def _month(text: str) -> tuple[dt.date, dt.date] | None:
    found = _MONTH.fullmatch(text)
    if found and 1 <= int(found[2]) <= 12:
        start = dt.date(int(found[1]), int(found[2]), 1)
        return start, add_months(start, 1)
    return None


def _year(text: str) -> tuple[dt.date, dt.date] | None:
    if found := _YEAR.fullmatch(text):
        return dt.date(int(found[1]), 1, 1), dt.date(int(found[1]) + 1, 1, 1)
    return None


# Each grain's reading; labels used as recorded are read by the first that reads them all
# ("2011-12" is a financial year or December 2011: a whole series decides).
READERS = {"quarter": _quarter, "financial_year": _financial_year, "month": _month, "year": _year}


def spans(labels: Sequence[str], grain: str = "as_recorded") -> list[tuple[dt.date, dt.date]]:
    """Each label's first day and the first day after it (oldest first); empty when the
    labels are of no known shape."""
    readers = [READERS[grain]] if grain in READERS else list(READERS.values())
    for read in readers:
        read_all = [read(label.strip()) for label in labels]
        if read_all and all(s is not None for s in read_all):
            return [s for s in read_all if s is not None]
    return []


def position(day: dt.date, labels: Sequence[str], grain: str = "as_recorded") -> float | None:
    """Where ``day`` falls along ``labels`` (oldest first), in periods from the start of the
    first: 2.5 is halfway through the third. A day after the last period is at its end, one
    before the first at its start; None when the labels are of no known shape."""
    read = spans(labels, grain)
    if not read:
        return None
    for index, (start, end) in enumerate(read):
        if start <= day < end:
            return index + (day - start).days / (end - start).days
    return 0.0 if day < read[0][0] else float(len(read))
