"""Where a day falls among an indicator's period labels (for the trend chart's work marks)."""

from __future__ import annotations

import datetime as dt

import pytest

from infuse.datalab.indicators.periods import position, spans


@pytest.mark.parametrize(
    ("labels", "grain", "first"),
    [
        (["2022-23", "2023-24"], "financial_year", (dt.date(2022, 4, 1), dt.date(2023, 4, 1))),
        (["2022-23", "2023-24"], "as_recorded", (dt.date(2022, 4, 1), dt.date(2023, 4, 1))),
        (["2023-Q4", "2024-Q1"], "quarter", (dt.date(2023, 10, 1), dt.date(2024, 1, 1))),
        (["2023-12", "2024-01"], "month", (dt.date(2023, 12, 1), dt.date(2024, 1, 1))),
        (["2023", "2024"], "year", (dt.date(2023, 1, 1), dt.date(2024, 1, 1))),
        # A whole series decides: "2011-12" alone could be December 2011.
        (["2011-12", "2012-13"], "as_recorded", (dt.date(2011, 4, 1), dt.date(2012, 4, 1))),
        (["2011-12", "2012-01"], "as_recorded", (dt.date(2011, 12, 1), dt.date(2012, 1, 1))),
    ],
)
def test_each_label_shape_is_read(labels, grain, first):
    assert spans(labels, grain)[0] == first


def test_a_day_is_placed_within_its_period():
    labels = ["2022-23", "2023-24", "2024-25"]
    assert position(dt.date(2023, 4, 1), labels) == 1.0
    assert position(dt.date(2023, 10, 1), labels) == pytest.approx(1 + 183 / 366)
    assert position(dt.date(2026, 12, 6), labels) == 3.0  # after the data: at its end
    assert position(dt.date(2019, 1, 1), labels) == 0.0  # before it: at its start


def test_labels_of_no_known_shape_place_nothing():
    assert position(dt.date(2024, 1, 1), ["Winter", "Spring"]) is None
    assert position(dt.date(2024, 1, 1), []) is None
    assert spans(["2023-13"], "month") == []
