"""The spine bar: better to the right whatever the polarity, the class told by shape too, and
the bar hidden from screen readers (the sentence under it says the same)."""

from __future__ import annotations

import re

import pytest

from infuse.datalab.comparators.charts import CENTRE, spine_bar
from infuse.datalab.comparators.services import Benchmark
from infuse.datalab.comparators.spine import SpineRow
from infuse.datalab.indicators.publishing import ShownValue
from infuse.datalab.models import Indicator


def row(polarity: str, value: float, comparison: str, unit: str = "percentage") -> SpineRow:
    indicator = Indicator(slug="i", unit=unit, polarity=polarity)
    shown = ShownValue(1, None, "2024-25", 5, 50, value, value - 1, value + 1, comparison, "")
    return SpineRow(
        indicator, "2024-25", shown, Benchmark(10.0), comparison, 6.0, 8.0, 12.0, 14.0, 10, None
    )


def marker_x(svg: str) -> float:
    found = re.search(r'infuse-spine__value[^"]*" (?:cx|x|d)="M?([\d.]+)', svg)
    assert found, svg
    return float(found.group(1))


@pytest.mark.parametrize(
    ("polarity", "value", "comparison", "right"),
    [
        ("higher_is_better", 13.0, "better", True),
        ("lower_is_better", 7.0, "better", True),
        ("lower_is_better", 13.0, "worse", False),
        ("neither", 13.0, "higher", True),
    ],
)
def test_better_is_to_the_right(polarity, value, comparison, right):
    svg = str(spine_bar(row(polarity, value, comparison)))
    assert (marker_x(svg) > CENTRE) is right
    assert 'aria-hidden="true"' in svg and "infuse-spine__benchmark" in svg


def test_the_class_has_a_shape_of_its_own():
    assert "<circle" in str(spine_bar(row("higher_is_better", 13.0, "better")))
    assert "<path" in str(spine_bar(row("higher_is_better", 7.0, "worse")))
    assert '<rect class="infuse-spine__value' in str(
        spine_bar(row("higher_is_better", 10.5, "similar"))
    )


def test_a_count_has_no_benchmark_line():
    svg = str(spine_bar(row("neither", 9.0, "not_compared", unit="count")))
    assert "infuse-spine__benchmark" not in svg
