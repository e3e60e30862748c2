"""Pydantic's validation errors said in plain Welsh or English, by error type.

Why: schemas are the one check of input for pages, API and commands, but pydantic words its
errors in developer English ("Input should be less than or equal to 1000000000000"). These are
what a person reads next to the field, in the request's language; money fields (``*_pence``)
speak in pounds. Error types not listed keep pydantic's message.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.utils.translation import gettext as _

from infuse.core.money import pounds


def _bound(value: Any, money: bool) -> str:
    if money and isinstance(value, int):
        return pounds(value)
    return f"{value:,}" if isinstance(value, int) else str(value)


def _minimum(ctx: Mapping[str, Any], money: bool) -> str:
    if money:
        return _("Enter an amount of %(bound)s or more") % {"bound": _bound(ctx["ge"], money)}
    return _("Enter a number of %(bound)s or more") % {"bound": _bound(ctx["ge"], money)}


def _maximum(ctx: Mapping[str, Any], money: bool) -> str:
    if money:
        return _("Enter an amount of %(bound)s or less") % {"bound": _bound(ctx["le"], money)}
    return _("Enter a number of %(bound)s or less") % {"bound": _bound(ctx["le"], money)}


def _above(ctx: Mapping[str, Any], money: bool) -> str:
    return _("Enter a number more than %(bound)s") % {"bound": _bound(ctx["gt"], money)}


def _below(ctx: Mapping[str, Any], money: bool) -> str:
    return _("Enter a number less than %(bound)s") % {"bound": _bound(ctx["lt"], money)}


def _whole(ctx: Mapping[str, Any], money: bool) -> str:
    if money:
        return _("Enter the amount in pence, as a whole number")
    return _("Enter a whole number")


MESSAGES: dict[str, Callable[[Mapping[str, Any], bool], str]] = {
    "greater_than_equal": _minimum,
    "less_than_equal": _maximum,
    "greater_than": _above,
    "less_than": _below,
    "int_parsing": _whole,
    "int_from_float": _whole,
    "int_type": _whole,
    "int_parsing_size": _whole,
    "float_parsing": lambda ctx, money: _("Enter a number"),
    "float_type": lambda ctx, money: _("Enter a number"),
    "finite_number": lambda ctx, money: _("Enter a number (not infinity or NaN)"),
    "missing": lambda ctx, money: _("Enter a value: it is required"),
    "bool_parsing": lambda ctx, money: _("Enter true or false"),
    "bool_type": lambda ctx, money: _("Enter true or false"),
    "string_type": lambda ctx, money: _("Enter text"),
    "string_too_long": lambda ctx, money: (
        _("Enter %(max)s characters or fewer") % {"max": ctx.get("max_length")}
    ),
    "date_parsing": lambda ctx, money: _("Enter a date as YYYY-MM-DD"),
    "date_from_datetime_parsing": lambda ctx, money: _("Enter a date as YYYY-MM-DD"),
    "datetime_parsing": lambda ctx, money: _("Enter a date and time as YYYY-MM-DDTHH:MM:SS+00:00"),
    "datetime_from_date_parsing": lambda ctx, money: _(
        "Enter a date and time as YYYY-MM-DDTHH:MM:SS+00:00"
    ),
    "literal_error": lambda ctx, money: (
        _("Choose one of: %(expected)s") % {"expected": ctx.get("expected", "")}
    ),
    "enum": lambda ctx, money: (
        _("Choose one of: %(expected)s") % {"expected": ctx.get("expected", "")}
    ),
    "model_attributes_type": lambda ctx, money: _("Send a JSON object"),
    "dict_type": lambda ctx, money: _("Send a JSON object"),
    "list_type": lambda ctx, money: _("Send a list"),
}


def message_for(error: Mapping[str, Any], field: str) -> str:
    """The message for one pydantic error about ``field`` (its dotted location)."""
    describe = MESSAGES.get(str(error.get("type", "")))
    if describe is None:
        return str(error.get("msg", ""))
    return describe(error.get("ctx") or {}, field.endswith("_pence"))
