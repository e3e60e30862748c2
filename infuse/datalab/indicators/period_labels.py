"""Periods written as labels: a column of text such as "2023-24" grouped "by financial year".

Why: public-sector files name their periods ("2023-24", "2023-Q1") far more often than they give
dates. When every label in a text column is written the way InFuSe writes the chosen kind of
period, the labels are those periods already and are used as they are; otherwise the person is
told which value does not fit and what to choose instead, in words, never the engine's types.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class LabelKind:
    pattern: re.Pattern[str]
    example: str
    words: Promise


KINDS: dict[str, LabelKind] = {
    "financial_year": LabelKind(re.compile(r"\d{4}-\d{2}"), "2023-24", _("financial years")),
    "year": LabelKind(re.compile(r"\d{4}"), "2023", _("calendar years")),
    "quarter": LabelKind(re.compile(r"\d{4}-Q[1-4]"), "2023-Q1", _("quarters")),
    "month": LabelKind(re.compile(r"\d{4}-(0[1-9]|1[0-2])"), "2023-04", _("months")),
}

TYPE_WORDS: dict[str, Promise] = {
    "string": _("text"),
    "date": _("dates"),
    "timestamp": _("dates and times"),
    "boolean": _("true or false"),
}


def type_words(dtype: str) -> str:
    """An engine type as people say it ("text", "numbers", "dates")."""
    name = dtype.split("(")[0].lower().lstrip("!")
    if name.startswith(("int", "uint", "float", "decimal")):
        return str(_("numbers"))
    return str(TYPE_WORDS.get(name, _("values of another kind")))


def fits(label: str, grain: str) -> bool:
    """Whether ``label`` is written as InFuSe writes a period of ``grain``."""
    kind = KINDS[grain]
    if not kind.pattern.fullmatch(label):
        return False
    if grain == "financial_year":  # 2023-24, never 2023-25
        return int(label[5:7]) == (int(label[2:4]) + 1) % 100
    return True


def misfit(labels: list[Any], grain: str) -> str | None:
    """The first label that is not a period of ``grain`` (None when all are)."""
    return next((str(v) for v in labels if v is not None and not fits(str(v).strip(), grain)), None)
