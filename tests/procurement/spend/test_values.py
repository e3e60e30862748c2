"""Cells of spending files as councils publish them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from infuse.procurement.spend.values import Period, pence, period, text


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1338.64", 133864),
        ("£1,234.56", 123456),
        ("1234.56 GBP", 123456),
        ("GBP1234", 123400),
        ("£ 500", 50000),
        ("-12.50", -1250),
        ("(120.00)", -12000),
        ("1,234.56CR", -123456),
        ("12.5 CR", -1250),
        ("–12.50", -1250),
        ("£(120.00)", -12000),
        ("CREDIT 12.50", -1250),
        ("12.345", 1235),
        ("123456789012345678", None),
        (1e20, None),
        ("690", 69000),
        (1322.2, 132220),
        (Decimal("997.50"), 99750),
        (870, 87000),
        ("", None),
        ("n/a", None),
        ("12.50 / 13.00", None),
        (None, None),
        (float("nan"), None),
    ],
)
def test_amounts_are_read_as_published(cell, expected):
    assert pence(cell) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2019-01-10", Period(dt.date(2019, 1, 10), dt.date(2019, 1, 10))),
        ("14-Jan-2011", Period(dt.date(2011, 1, 14), dt.date(2011, 1, 14))),
        ("10/01/2019", Period(dt.date(2019, 1, 10), dt.date(2019, 1, 10))),
        ("10/01/2019 00:00", Period(dt.date(2019, 1, 10), dt.date(2019, 1, 10))),
        (dt.date(2019, 1, 2), Period(dt.date(2019, 1, 2), dt.date(2019, 1, 2))),
        (dt.datetime(2019, 1, 2, 9), Period(dt.date(2019, 1, 2), dt.date(2019, 1, 2))),
        ("July 2010-September 2010", Period(dt.date(2010, 7, 1), dt.date(2010, 9, 30))),
        ("Jul - Sep 2010", Period(dt.date(2010, 7, 1), dt.date(2010, 9, 30))),
        ("November 2010 to February 2011", Period(dt.date(2010, 11, 1), dt.date(2011, 2, 28))),
        ("January 2019", Period(dt.date(2019, 1, 1), dt.date(2019, 1, 31))),
        ("Feb 2024", Period(dt.date(2024, 2, 1), dt.date(2024, 2, 29))),
        ("2010 Q3", Period(dt.date(2010, 7, 1), dt.date(2010, 9, 30))),
        ("Q1 2011", Period(dt.date(2011, 1, 1), dt.date(2011, 3, 31))),
        ("14-Sept-2010", Period(dt.date(2010, 9, 14), dt.date(2010, 9, 14))),
        ("2019-01-10T00:00:00", Period(dt.date(2019, 1, 10), dt.date(2019, 1, 10))),
        ("10 Jan 2019 00:00", Period(dt.date(2019, 1, 10), dt.date(2019, 1, 10))),
        ("Jan-19", Period(dt.date(2019, 1, 1), dt.date(2019, 1, 31))),
        ("Jan-2019", Period(dt.date(2019, 1, 1), dt.date(2019, 1, 31))),
        ("September 2010-July 2010", None),
        ("31/02/2019", None),
        ("soon", None),
        ("", None),
    ],
)
def test_dates_and_period_labels_are_read(cell, expected):
    assert period(cell) == expected


def test_a_day_is_a_period_of_one_day():
    assert period("2019-01-10").is_day
    assert not period("January 2019").is_day


def test_text_is_tidied():
    assert text("Experian  Ltd ") == "Experian Ltd"
    assert text(None) == ""
    assert text(float("nan")) == ""
