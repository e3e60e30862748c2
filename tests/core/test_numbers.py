"""Numbers as people read them: the figures the issue found on pages, and the edges."""

from __future__ import annotations

import math

import pytest
from django.utils import translation

from infuse.core import numbers


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (10240.0, "10,240"),  # was "10240.0"
        (72500.00, "72,500"),  # was "72500.00"
        (3230.0, "3,230"),  # a column's median, was "3230.0"
        (367.62, "368"),  # no decimals from 100
        (12.345, "12.3"),
        (2.5, "2.5"),  # trailing zeros dropped when the decimals are chosen
        (0.05234, "0.052"),  # two significant figures below 1
        (-0.0004, "-0.0004"),
        (-0.00001, "-0.00001"),
        (1e-9, "0"),  # beyond six decimals
        (0, "0"),
        (None, "–"),
        (float("nan"), "–"),
        ("not a number", "–"),
    ],
)
def test_a_figure_has_the_decimals_its_size_needs(value, shown):
    assert numbers.number(value) == shown


def test_fixed_decimals_keep_their_zeros_and_never_show_minus_zero():
    assert numbers.number(36.25, 2) == "36.25"
    assert numbers.number(40, 2) == "40.00"
    assert numbers.number(-0.001, 2) == "0.00"
    assert numbers.number(1234567.891, 0) == "1,234,568"


def test_an_estimate_and_its_interval_share_their_decimals():
    # the "10240.0 (10042.6 – 10440.3)"
    assert numbers.figures(10240.0, 10042.6, 10440.3) == ["10,240", "10,043", "10,440"]
    # the largest sets the decimals (two significant figures of it below 1)
    assert numbers.figures(0.052, -0.013, 0.117) == ["0.05", "-0.01", "0.12"]
    assert numbers.figures(0.0052, -0.0013, 0.0117) == ["0.005", "-0.001", "0.012"]
    assert numbers.figures(2.56, 1.06, 4.05) == ["2.56", "1.06", "4.05"]
    assert numbers.figures(math.nan, None, 3.0) == ["–", "–", "3.00"]


@pytest.mark.parametrize(
    ("p", "shown"),
    [(0.00002, "< 0.001"), (0.0412, "0.041"), (0.9999, "> 0.999"), (None, "–")],
)
def test_a_p_value_never_reads_zero_or_one(p, shown):
    assert numbers.p_value(p) == shown


@pytest.mark.parametrize(
    ("fraction", "shown"),
    [
        (0.8, "80%"),
        (0.8034, "80%"),
        (0.048, "4.8%"),
        (0.05, "5%"),
        (0.996, "99.6%"),
        (0.99996, "> 99.9%"),  # a near-certainty never reads as 100%
        (0.0004, "< 0.1%"),
        (1.0, "100%"),
        (1.3333, "133%"),  # a target overshot
        (0.0, "0%"),
    ],
)
def test_a_share_as_a_percentage(fraction, shown):
    assert numbers.percent(fraction) == shown


def test_limits_are_joined_by_words_in_the_pages_language():
    with translation.override("en"):
        assert numbers.interval_words("-0.12", "0.30") == "-0.12 to 0.30"
