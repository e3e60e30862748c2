"""A council's indicators at a glance (the public-health profiles' spine chart): for each, its
newest value against a comparator's value and the range of the comparator's councils, how it
compares, and the direction of its recent trend, tested.

Everything is read through :func:`publishing.shown_periods`, so the public sees only the
figures it may see: a hidden value has no place on the spine, and it is left out of the range.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from infuse.core import lazy
from infuse.core.models import Council
from infuse.datalab.comparators.services import (
    WALES,
    Benchmark,
    Comparator,
    benchmark,
    compared,
    wales_values,
)
from infuse.datalab.indicators.publishing import ShownPeriod, ShownValue, shown_periods_of
from infuse.datalab.indicators.trends import RECENT_PERIODS, RecentTrend, recent_trend
from infuse.datalab.models import Indicator

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy.module("numpy")


@dataclass(frozen=True)
class SpineRow:
    """One indicator on a council's spine chart."""

    indicator: Indicator
    period: str
    value: ShownValue  # the council's, perhaps hidden to protect confidentiality
    benchmark: Benchmark | None
    comparison: str
    lowest: float | None  # the range of the comparator's councils' shown values
    lower_quartile: float | None
    upper_quartile: float | None
    highest: float | None
    councils_in_range: int
    trend: RecentTrend | None


def spine_row(
    indicator: Indicator, periods: list[ShownPeriod], council: Council, against: Comparator
) -> SpineRow | None:
    """The row for ``council`` in the newest of ``periods`` (the indicator's newest, as shown
    to the reader) it has a value; None when it has none."""
    own = [next((v for v in p.councils if v.council == council), None) for p in periods]
    newest = next((i for i, v in enumerate(own) if v is not None), None)
    if newest is None:
        return None
    period, value = periods[newest], own[newest]
    assert value is not None  # found above
    wales = wales_values(indicator) if against.code == WALES else {}  # read only when needed
    bench = benchmark(indicator, period, against, wales)
    in_range = [
        v.value
        for v in period.councils
        if against.covers(v.council) and v.value is not None and not v.suppressed
    ]
    spread: list[float | None] = [None] * 4
    if in_range:
        spread = [float(x) for x in np.percentile(in_range, [0, 25, 75, 100])]
    return SpineRow(
        indicator=indicator,
        period=period.period,
        value=value,
        benchmark=bench,
        comparison=compared(indicator, value, against, bench) if bench else "",
        lowest=spread[0],
        lower_quartile=spread[1],
        upper_quartile=spread[2],
        highest=spread[3],
        councils_in_range=len(in_range),
        trend=recent_trend(own[::-1], unit=indicator.unit, polarity=indicator.polarity),
    )


def spine(
    indicators: list[Indicator], council: Council, person: Any, against: Comparator
) -> list[SpineRow]:
    """The rows of every indicator with a value for ``council``, in the order given."""
    periods = shown_periods_of(indicators, person, newest=RECENT_PERIODS)
    rows = (spine_row(i, periods[i.pk], council, against) for i in indicators)
    return [row for row in rows if row is not None]
