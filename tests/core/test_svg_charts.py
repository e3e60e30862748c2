"""Chart primitives: round ticks that cover the values, and a linear map to pixels."""

from __future__ import annotations

import pytest

from infuse.core.svg_charts import Axis, nice_step


@pytest.mark.parametrize(
    ("rough", "step"), [(0.13, 0.2), (3.0, 5.0), (7.0, 10.0), (1.0, 1.0), (420.0, 500.0)]
)
def test_nice_steps(rough, step):
    assert nice_step(rough) == pytest.approx(step)


def test_an_axis_covers_its_values_with_round_ticks():
    axis = Axis.around([3.2, 47.9], 300, 0, zero=True)
    assert axis.low == 0 and axis.high >= 47.9
    assert axis.ticks()[0] == 0 and axis.ticks()[-1] == axis.high
    assert axis(axis.low) == 300 and axis(axis.high) == 0
