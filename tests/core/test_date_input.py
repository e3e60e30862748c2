"""The GOV.UK date input: a date from three boxes as people type them, and a specific message
naming the part that is missing or wrong (in the page's language)."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.utils import translation

from infuse.core.date_input import DateInputField, parts_of


class WhenForm(forms.Form):
    due = DateInputField(label="Due on")
    since = DateInputField(label="Since", required=False)


def boxes(day: str, month: str, year: str, name: str = "due") -> dict[str, str]:
    return {f"{name}-day": day, f"{name}-month": month, f"{name}-year": year}


@pytest.mark.parametrize(
    ("day", "month", "year", "expected"),
    [
        ("1", "4", "2027", dt.date(2027, 4, 1)),
        (" 09 ", "03", "2027", dt.date(2027, 3, 9)),
        ("1", "Mar", "2027", dt.date(2027, 3, 1)),
        ("1", "september", "2027", dt.date(2027, 9, 1)),
        ("1", "Mawrth", "2027", dt.date(2027, 3, 1)),  # Welsh month names too
        ("29", "Chwe", "2028", dt.date(2028, 2, 29)),
    ],
)
def test_a_date_is_read_as_people_type_it(day, month, year, expected):
    form = WhenForm(boxes(day, month, year))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["due"] == expected and form.cleaned_data["since"] is None


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (("", "", ""), "Enter the date for ‘Due on’"),
        (("1", "", "2027"), "‘Due on’ must include a month"),
        (("", "4", ""), "‘Due on’ must include a day and a year"),
        (("1", "4", "٢٠٢٧"), "The year of ‘Due on’ must have 4 numbers, for example 2027"),
        (("1", "4", "27"), "The year of ‘Due on’ must have 4 numbers, for example 2027"),
        (("29", "2", "2027"), "‘Due on’ must be a real date, for example 27 3 2027"),
        (("1", "Smarch", "2027"), "‘Due on’ must be a real date, for example 27 3 2027"),
        (("one", "4", "2027"), "‘Due on’ must be a real date, for example 27 3 2027"),
    ],
)
def test_each_mistake_names_what_is_wrong(typed, message):
    form = WhenForm(boxes(*typed))
    assert not form.is_valid()
    assert form.errors["due"] == [message]


def test_messages_are_in_the_pages_language():
    with translation.override("cy"):
        form = WhenForm(boxes("1", "", "2027"))
        assert form.errors["due"] == ["Rhaid i ‘Due on’ gynnwys mis"]


def test_the_boxes_show_what_was_typed_or_the_stored_date():
    assert parts_of(["1", "Mar", ""]) == {"day": "1", "month": "Mar", "year": ""}
    assert parts_of(dt.date(2027, 3, 9)) == {"day": "9", "month": "3", "year": "2027"}
    assert parts_of("2027-03-09") == {"day": "9", "month": "3", "year": "2027"}
    assert parts_of(None) == {"day": "", "month": "", "year": ""}
    assert WhenForm()["due"].id_for_label == "id_due-day"  # the error summary's link
