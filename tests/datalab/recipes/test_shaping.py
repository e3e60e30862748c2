"""The order of an area hierarchy's levels for a "first filled" step."""

from __future__ import annotations

from infuse.datalab.recipes.shaping import most_detailed_first


def test_the_level_with_most_different_values_comes_first_whatever_the_layout() -> None:
    columns = ["council", "health_board", "country", "births"]
    distinct = {"council": 23, "health_board": 8, "country": 1}
    # council | board | country laid out left to right: still the councils first.
    assert most_detailed_first(["country", "council", "health_board"], columns, distinct) == [
        "council",
        "health_board",
        "country",
    ]
    # Without a profile (columns a recipe made), the furthest right comes first.
    assert most_detailed_first(["a", "b"], ["a", "b"], {}) == ["b", "a"]
