"""Reading the cells of councils' "payments over £500" files as published: amounts with pound
signs, thousands separators, credits and words glued on; dates in the three or four ways
councils write them; and periods given only as labels ("July 2010-September 2010").

Pure functions: each returns ``None`` for a cell it cannot read, so the caller can count and
show those rows instead of guessing.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import NamedTuple

from infuse.core.bounds import MAX_PENCE

# A number with optional thousands separators and decimals, wherever it sits in the cell:
# "£1,234.56", "1234.56 GBP", "GBP1234", "1,234.56CR", "(120.00)".
_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+")
_CREDIT = re.compile(r"\bCR\b|CR$|\bcredit\b", re.IGNORECASE)
# Past this a cell is not an amount a council paid (a reference number mapped by mistake).
_LARGEST = MAX_PENCE

_MONTHS = {
    name.lower(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
} | {"sept": 9}
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
_MONTH_YEAR = rf"({_MONTH_NAMES})\.?\s*,?\s*(\d{{4}})"
_MONTH_RANGE = re.compile(rf"^{_MONTH_YEAR}\s*(?:-|–|to)\s*{_MONTH_YEAR}$", re.IGNORECASE)
_SAME_YEAR_RANGE = re.compile(rf"^({_MONTH_NAMES})\.?\s*(?:-|–|to)\s*{_MONTH_YEAR}$", re.IGNORECASE)
_ONE_MONTH = re.compile(rf"^{_MONTH_YEAR}$", re.IGNORECASE)
# "Jan-19", "Jan-2019", "Jan 19": a month, the year in two digits meaning 20YY.
_SHORT_MONTH = re.compile(rf"^({_MONTH_NAMES})[-\s](\d{{2}}|\d{{4}})$", re.IGNORECASE)
_QUARTER = re.compile(r"^(?:(\d{4})\s*-?\s*Q([1-4])|Q([1-4])\s*-?\s*(\d{4}))$", re.IGNORECASE)

_DATE_FORMATS = (
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d-%b-%Y",
    "%d-%b-%y",
    "%d %b %Y",
    "%d %B %Y",
    "%d/%m/%y",
    "%Y/%m/%d",
)


class Period(NamedTuple):
    """When a payment was made: one day, or the first and last day of the period a council
    reported it in when it gives no day."""

    start: dt.date
    end: dt.date

    @property
    def is_day(self) -> bool:
        return self.start == self.end


def pence(value: object) -> int | None:
    """The amount in a cell in pence, negative for a credit ("-12.50", "(12.50)", "12.50 CR");
    ``None`` when the cell holds no number or more than one ("12.50 / 13.00")."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value * 100
    if isinstance(value, float | Decimal):
        if value != value:  # NaN: an empty numeric cell
            return None
        return _to_pence(Decimal(str(value)))
    text = str(value).strip()
    numbers = _NUMBER.findall(text)
    if len(numbers) != 1:
        return None
    amount = _to_pence(Decimal(numbers[0].replace(",", "")))
    if amount is None:
        return None
    at = text.find(numbers[0])
    before, after = text[:at], text[at + len(numbers[0]) :]
    bracketed = "(" in before and ")" in after
    negative = any(sign in before for sign in "-−–") or bracketed or bool(_CREDIT.search(text))
    return -amount if negative else amount


def _to_pence(amount: Decimal) -> int | None:
    """Pence, half a penny rounded up (as councils' ledgers do); ``None`` past any real
    payment."""
    try:
        pence = int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    except InvalidOperation:
        return None
    return pence if abs(pence) <= _LARGEST else None


def _month_span(year: int, first: int, last_year: int, last: int) -> Period | None:
    start = dt.date(year, first, 1)
    end = dt.date(last_year, last, calendar.monthrange(last_year, last)[1])
    return Period(start, end) if start <= end else None


def period(value: object) -> Period | None:
    """The day or period in a cell: a date, a datetime, a written date ("14-Jan-2011",
    "10/01/2019"), a month ("January 2019"), a range of months ("July 2010-September 2010",
    "Jul - Sep 2010") or a quarter ("2010 Q2" is April to June: calendar quarters, as the
    files that use them write them)."""
    if isinstance(value, dt.datetime):
        return Period(value.date(), value.date())
    if isinstance(value, dt.date):
        return Period(value, value)
    if value is None:
        return None
    text = " ".join(str(value).split())
    if not text:
        return None
    day = _day(text)
    if day is not None:
        return Period(day, day)
    return _labelled_period(text)


def _day(text: str) -> dt.date | None:
    # A time of day after the date ("2019-01-10 00:00:00", "10 Jan 2019 00:00",
    # "2019-01-10T00:00:00") says nothing more; "Sept" is September as "Sep" is.
    first = re.sub(r"[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$", "", text)
    first = re.sub(r"(?i)\bsept\b", "Sep", first)
    for form in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(first, form).date()
        except ValueError:
            continue
    return None


def _labelled_period(text: str) -> Period | None:
    if match := _MONTH_RANGE.match(text):
        first, year, last, last_year = match.groups()
        return _month_span(int(year), _MONTHS[first.lower()], int(last_year), _MONTHS[last.lower()])
    if match := _SAME_YEAR_RANGE.match(text):
        first, last, year = match.groups()
        return _month_span(int(year), _MONTHS[first.lower()], int(year), _MONTHS[last.lower()])
    if match := _ONE_MONTH.match(text):
        month, year = match.groups()
        return _month_span(int(year), _MONTHS[month.lower()], int(year), _MONTHS[month.lower()])
    if match := _SHORT_MONTH.match(text):
        month, year = match.groups()
        full = int(year) + (2000 if len(year) == 2 else 0)
        return _month_span(full, _MONTHS[month.lower()], full, _MONTHS[month.lower()])
    if match := _QUARTER.match(text):
        year = int(match.group(1) or match.group(4))
        quarter = int(match.group(2) or match.group(3))
        return _month_span(year, quarter * 3 - 2, year, quarter * 3)
    return None


def text(value: object) -> str:
    """A cell as text with its spaces tidied ("Experian  Ltd " → "Experian Ltd"); "" when
    empty."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return " ".join(str(value).split())
