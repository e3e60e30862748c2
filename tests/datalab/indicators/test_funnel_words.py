"""A funnel plot in sentences: councils placed by the engine's limits, then said in words."""

from __future__ import annotations

import pytest
from django.utils import translation

from infuse.datalab.indicators.charts import build_funnel
from infuse.datalab.indicators.funnel_words import funnel_sentences


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_inside_between_and_outside_with_the_direction_of_each():
    # Region 20%; 1,000 people: 95% limits about 17.5–22.5%, 99.8% about 16.2–23.9%.
    funnel = build_funnel(
        "percentage",
        20.0,
        [
            ("Cardiff", 1000, 20.5),
            ("Newport", 1000, 19.0),
            ("Torfaen", 1000, 23.0),  # between, above
            ("Bridgend", 1000, 14.0),  # outside, below
            ("Caerphilly", 1000, 30.0),  # outside, above
        ],
    )
    assert funnel is not None
    said = funnel_sentences(funnel, "2023-24")
    assert said[0].startswith("In 2023-24, 2 of 5 councils are inside the 95% limits")
    starts = [s.split(". ")[0] for s in said]
    assert "Between the 95% and 99.8% limits, above the region: Torfaen" in starts
    assert "Outside the 99.8% limits, above the region: Caerphilly" in starts
    assert "Outside the 99.8% limits, below the region: Bridgend" in starts
    assert not any("below the region: Torfaen" in s for s in said)


def test_several_councils_are_listed_in_words():
    funnel = build_funnel(
        "percentage",
        20.0,
        [("Cardiff", 1000, 30.0), ("Newport", 1000, 31.0), ("Torfaen", 100, 20.0)],
    )
    assert funnel is not None
    said = funnel_sentences(funnel, "2023-24")
    assert "Outside the 99.8% limits, above the region: Cardiff and Newport." in said[1]


def test_the_sentences_are_in_welsh_on_a_welsh_page():
    funnel = build_funnel("percentage", 20.0, [("Caerdydd", 1000, 30.0)])
    assert funnel is not None
    with translation.override("cy"):
        said = funnel_sentences(funnel, "2023-24")
    assert "Caerdydd" in said[1] and "above the region" not in said[1]
