"""Adding months keeps the day, or the month's last day when the month is shorter."""

from __future__ import annotations

import datetime as dt

import pytest

from infuse.core.dates import add_months


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),
        (dt.date(2023, 1, 31), 1, dt.date(2023, 2, 28)),
        (dt.date(2024, 4, 1), 12, dt.date(2025, 4, 1)),
        (dt.date(2024, 11, 15), 3, dt.date(2025, 2, 15)),
        (dt.date(2024, 3, 10), 0, dt.date(2024, 3, 10)),
    ],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected
