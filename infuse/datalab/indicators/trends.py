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
from infuse.datalab.indicators.publishing import ShownValue, shown_periods
from infuse.datalab.models import Indicator


@dataclass(frozen=True)
class Movement:
    """The region's value of an indicator that moved between its two newest periods."""

    indicator: Indicator
    latest: ShownValue
    previous: ShownValue
    direction: str  # "higher" or "lower"
    judgement: str  # "better" / "worse", or the direction when neither is better


def movement(indicator: Indicator, person: Any) -> Movement | None:
    """The indicator's movement for ``person``, or None (no two periods, no interval, or
    the newest interval contains the earlier value)."""
    periods = shown_periods(indicator, person, newest=2)
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


def moved_indicators(person: Any, *, limit: int = 5) -> list[Movement]:
    """The indicators whose region value moved, as ``person`` may see them."""
    found = []
    for indicator in visible_indicators(person):
        moved = movement(indicator, person)
        if moved is not None:
            found.append(moved)
        if len(found) == limit:
            break
    return found
