"""A council's spine row: its newest value, the range of the councils, and its recent trend,
as each reader may see them."""

from __future__ import annotations

import numpy as np
import pytest

from infuse import stats
from infuse.core.models import Council
from infuse.datalab.comparators.services import comparator
from infuse.datalab.comparators.spine import SpineRow, spine
from infuse.datalab.indicators.publishing import ShownValue
from infuse.datalab.indicators.trends import recent_trend
from tests.datalab.comparators.conftest import ROWS

pytestmark = pytest.mark.django_db(transaction=True)


def council(name: str) -> Council:
    return Council.objects.get(name_en=name)


def row_of(indicator, name: str, person) -> SpineRow | None:
    """The council's row of the spine against the region, as ``person`` sees it."""
    rows = spine([indicator], council(name), person, comparator("region"))
    return rows[0] if rows else None


def test_a_rising_share_is_a_significant_trend_getting_worse(indicator):
    row = row_of(indicator, "Cardiff", indicator.officer)
    assert row.period == "2024-25" and row.value.value == pytest.approx(22.0)
    smokers, surveyed = zip(*ROWS["Cardiff"], strict=True)
    expected = stats.proportion_trend_test(smokers, surveyed)
    assert row.trend.direction == "increasing" and row.trend.judgement == "worse"
    assert row.trend.p_value == pytest.approx(expected.p_value)
    assert (row.trend.first_period, row.trend.last_period, row.trend.points) == (
        "2020-21",
        "2024-25",
        5,
    )


def test_a_flat_share_has_no_significant_change(indicator):
    row = row_of(indicator, "Torfaen", indicator.officer)
    assert row.trend.direction == "no_significant_change" and row.trend.judgement == ""


def test_the_range_is_the_shown_councils_values(indicator):
    staff = row_of(indicator, "Cardiff", indicator.officer)
    shares = [100 * r[-1][0] / r[-1][1] for name, r in ROWS.items() if name != "Wales"]
    assert staff.lowest == pytest.approx(min(shares))
    assert staff.highest == pytest.approx(max(shares))
    assert staff.lower_quartile == pytest.approx(np.percentile(shares, 25))
    assert staff.councils_in_range == 4
    public = row_of(indicator, "Cardiff", None)
    # Newport (3) and Torfaen beside it are hidden from the public: not in its range either.
    assert public.councils_in_range == 2
    assert public.lowest == pytest.approx(100 * 25 / 120)


def test_the_public_sees_a_hidden_value_as_hidden_and_its_trend_without_it(indicator):
    row = row_of(indicator, "Newport", None)
    assert row.value.suppressed and row.value.value is None and row.comparison == ""
    assert row.trend is not None and row.trend.points == 4
    assert row.trend.last_period == "2023-24"


def test_a_council_without_values_has_no_row(indicator):
    assert row_of(indicator, "Monmouthshire", None) is None
    rows = spine([indicator], council("Monmouthshire"), None, comparator("region"))
    assert rows == []


def _value(period: str, value: float, low: float, high: float) -> ShownValue:
    return ShownValue(0, None, period, None, None, value, low, high, "", "")


def test_a_missing_period_keeps_its_place_in_the_trend():
    """Points at periods 0, 1, 3 and 4: the slope is fitted on those positions, not 0–3."""
    series = [
        _value("a", 10.0, 9.0, 11.0),
        _value("b", 11.0, 10.0, 12.0),
        None,
        _value("d", 13.0, 12.0, 14.0),
        _value("e", 14.0, 13.0, 15.0),
    ]
    trend = recent_trend(series, unit="rate_per_1000", polarity="higher_is_better")
    se = 2.0 / (2 * 1.959963984540054)
    expected = stats.weighted_trend_test([10.0, 11.0, 13.0, 14.0], [se] * 4, [0, 1, 3, 4])
    assert trend.p_value == pytest.approx(expected.p_value)
    assert trend.direction == "increasing" and trend.judgement == "better"
    assert recent_trend(series[:2], unit="count", polarity="neither") is None
