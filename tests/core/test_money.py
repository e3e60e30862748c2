"""Pence and pounds."""

import pytest

from infuse.core.money import pence_from_pounds, pounds


@pytest.mark.parametrize(
    ("pence", "text"),
    [
        (0, "£0"),
        (5, "£0.05"),
        (123456, "£1,234.56"),
        (1_000_000_000, "£10,000,000"),
        (-250, "-£2.50"),
    ],
)
def test_pence_read_as_pounds(pence, text):
    assert pounds(pence) == text


@pytest.mark.parametrize(
    ("text", "pence"),
    [("£1,250.50", 125050), ("1250.5", 125050), ("10000000", 1_000_000_000), ("£ 3", 300)],
)
def test_pounds_typed_by_people_become_pence(text, pence):
    assert pence_from_pounds(text) == pence


@pytest.mark.parametrize("text", ["", "-5", "1.234", "€5", "1,23", "five", "1e3", "£1,2345"])
def test_anything_else_is_refused(text):
    with pytest.raises(ValueError):
        pence_from_pounds(text)
