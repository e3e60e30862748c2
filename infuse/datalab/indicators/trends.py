"""Which indicators moved: the region's newest value against its value in the period before,
judged by the newest value's confidence interval (the public-health profiles' rule the
comparisons with the region use: it moved when the interval excludes the earlier value).
Read through :func:`publishing.shown_periods` (the two newest periods only), so the public
sees only published figures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from infuse import stats
from infuse.datalab.catalogue.services import visible_indicators
from infuse.datalab.indicators.publishing import ShownPeriod, ShownValue, shown_periods_of
from infuse.datalab.models import Indicator


@dataclass(frozen=True)
class Movement:
    """The region's value of an indicator that moved between its two newest periods."""

    indicator: Indicator
    latest: ShownValue
    previous: ShownValue
    direction: str  # "higher" or "lower"
    judgement: str  # "better" / "worse", or the direction when neither is better


def movement(indicator: Indicator, periods: list[ShownPeriod]) -> Movement | None:
    """The indicator's movement between its two newest ``periods`` (as shown to the reader),
    or None (no two periods, no interval, or the newest interval contains the earlier value)."""
    if len(periods) < 2 or periods[0].region is None or periods[1].region is None:
        return None
    latest, previous = periods[0].region, periods[1].region
    if latest.ci_low is None or latest.ci_high is None or previous.value is None:
        return None
    compared = stats.compare_with_benchmark(
        [latest.ci_low],
        [latest.ci_high],
        previous.value,
        polarity=cast(stats.Polarity, indicator.polarity),
    )
    direction = compared.significance[0]
    if direction not in ("higher", "lower"):
        return None
    return Movement(indicator, latest, previous, direction, compared.judgement[0])


BATCH = 20  # indicators read at once while looking for those that moved


def moved_indicators(person: Any, *, limit: int = 5) -> list[Movement]:
    """The indicators whose region value moved, as ``person`` may see them."""
    found: list[Movement] = []
    indicators = list(visible_indicators(person))
    # A batch at a time: the page needs the first few that moved, not every indicator's values.
    for start in range(0, len(indicators), BATCH):
        batch = indicators[start : start + BATCH]
        newest = shown_periods_of(batch, person, newest=2)
        for indicator in batch:
            moved = movement(indicator, newest[indicator.pk])
            if moved is not None:
                found.append(moved)
            if len(found) == limit:
                return found
    return found


# --- A council's recent trend -------------------------------------------------------------------

RECENT_PERIODS = 5  # as the public-health profiles: the five newest periods
_Z95 = 1.959963984540054


@dataclass(frozen=True)
class RecentTrend:
    """The direction of a council's values over its newest periods, when a test finds one."""

    direction: str  # "increasing", "decreasing" or "no_significant_change"
    judgement: str  # "better" / "worse" by polarity; "" for no change or no polarity
    first_period: str
    last_period: str
    points: int
    p_value: float


def _usable(series: list[ShownValue | None], unit: str) -> list[tuple[int, ShownValue]]:
    """The points a test can use, with their positions (a gap is a period without a value)."""
    if unit == "percentage":
        return [
            (i, v)
            for i, v in enumerate(series)
            if v is not None
            and not v.suppressed
            and v.numerator is not None
            and v.denominator is not None
            and 0 <= v.numerator <= v.denominator
            and v.denominator > 0
        ]
    return [
        (i, v)
        for i, v in enumerate(series)
        if v is not None
        and v.value is not None
        and v.ci_low is not None
        and v.ci_high is not None
        and v.ci_high > v.ci_low
    ]


def recent_trend(
    series: list[ShownValue | None], *, unit: str, polarity: str
) -> RecentTrend | None:
    """The trend of ``series`` (one value per period, oldest first, None where a period has
    none), or None with fewer than three usable points. Percentages: the chi-squared test for
    trend on their counts; rates and counts: the inverse-variance weighted slope, with standard
    errors from the 95% intervals."""
    usable = _usable(series, unit)
    if len(usable) < 3:
        return None
    scores = [i for i, _ in usable]
    values = [v for _, v in usable]
    if unit == "percentage":
        test = stats.proportion_trend_test(
            [v.numerator for v in values], [v.denominator for v in values], scores
        )
    else:
        test = stats.weighted_trend_test(
            [v.value for v in values],
            [(v.ci_high - v.ci_low) / (2 * _Z95) for v in values],  # type: ignore[operator]
            scores,
        )
    judgement = ""
    if test.direction != "no_significant_change" and polarity != "neither":
        higher_is_better = polarity == "higher_is_better"
        judgement = "better" if (test.direction == "increasing") == higher_is_better else "worse"
    return RecentTrend(
        test.direction, judgement, values[0].period, values[-1].period, len(values), test.p_value
    )
