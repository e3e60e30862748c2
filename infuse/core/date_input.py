"""Dates as GOV.UK asks for them: three boxes, day, month and year (the date input pattern).

Why not the browser's date picker: it differs by browser, is hard to use with a screen reader or
a keyboard, and cannot take a date typed the way people write it. Months may be typed as a
number or a name in English or Welsh ("3", "Mar", "Mawrth"); every mistake says which part is
wrong, and the error summary's link goes to the first box.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from infuse.core.errors import Message
from infuse.core.words import listed

PARTS = ("day", "month", "year")
PART_WORDS: dict[str, Message] = {"day": _("a day"), "month": _("a month"), "year": _("a year")}

# Month names and their usual short forms, English and Welsh, to the month's number.
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan", "ionawr", "ion"),
            ("february", "feb", "chwefror", "chwe"),
            ("march", "mar", "mawrth", "maw"),
            ("april", "apr", "ebrill", "ebr"),
            ("may", "mai"),
            ("june", "jun", "mehefin", "meh"),
            ("july", "jul", "gorffennaf", "gor"),
            ("august", "aug", "awst", "aws"),
            ("september", "sep", "sept", "medi", "med"),
            ("october", "oct", "hydref", "hyd"),
            ("november", "nov", "tachwedd", "tach"),
            ("december", "dec", "rhagfyr", "rhag"),
        ],
        start=1,
    )
    for name in names
}


class DatePartsWidget(forms.Widget):
    """Reads the three boxes ``NAME-day``, ``NAME-month`` and ``NAME-year``."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[str]:
        return [str(data.get(f"{name}-{part}", "")).strip() for part in PARTS]

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return not any(f"{name}-{part}" in data for part in PARTS)

    def id_for_label(self, id_: str) -> str:
        return f"{id_}-day" if id_ else ""


def parts_of(value: Any) -> dict[str, str]:
    """What each box shows: as typed (a list from the form), or from a date or ISO string."""
    if isinstance(value, (list, tuple)):
        return dict(zip(PARTS, (str(v) for v in value), strict=False))
    if isinstance(value, str) and value:
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return {"day": "", "month": "", "year": ""}
    if isinstance(value, dt.date):
        return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}
    return {"day": "", "month": "", "year": ""}


DIGITS = re.compile(r"[0-9]+")  # the digits people type here: not other scripts' numerals


def _month(text: str) -> int | None:
    if DIGITS.fullmatch(text):
        return int(text)
    return _MONTHS.get(text.lower().rstrip("."))


class DateInputField(forms.Field):
    """A date typed in three boxes; its errors name the part that is missing or wrong."""

    widget = DatePartsWidget

    def to_python(self, value: Any) -> dt.date | None:
        if isinstance(value, dt.date):
            return value
        day, month, year = [*list(value or []), "", "", ""][:3]
        if not (day or month or year):
            return None
        label = self.label or ""
        missing = [part for part, text in zip(PARTS, (day, month, year), strict=True) if not text]
        if missing:
            raise forms.ValidationError(
                _("‘%(label)s’ must include %(part)s")
                % {"label": label, "part": listed(PART_WORDS[part] for part in missing)},
                code="incomplete",
            )
        if not DIGITS.fullmatch(year) or len(year) != 4:
            raise forms.ValidationError(
                _("The year of ‘%(label)s’ must have 4 numbers, for example 2027")
                % {"label": label}
            )
        number = _month(month)
        try:
            if not DIGITS.fullmatch(day) or number is None:
                raise ValueError
            return dt.date(int(year), number, int(day))
        except ValueError:
            raise forms.ValidationError(
                _("‘%(label)s’ must be a real date, for example 27 3 2027") % {"label": label},
                code="invalid",
            ) from None

    def validate(self, value: Any) -> None:
        if value is None and self.required:
            raise forms.ValidationError(
                _("Enter the date for ‘%(label)s’") % {"label": self.label or ""}, code="required"
            )
