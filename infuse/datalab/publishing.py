"""What the public may see of indicator values: disclosure control before anything is shown.

Small numerators (fewer than the threshold, default 5) are suppressed, and enough other
councils with them that no suppressed value can be recovered from the region's total
(secondary suppression, ``infuse.datalab.disclosure``). People working for a council or the
programme team see the values unsuppressed; the public, suppliers and every export or API
response for them see the protected values.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd
from django.conf import settings

from infuse.core.permissions import is_region_member
from infuse.datalab.disclosure import suppress_small_counts
from infuse.datalab.models import IndicatorValue, ValueFlag


@dataclass
class PublishedValue:
    """An indicator value as shown: a ``suppressed`` one carries no numbers, only its flag."""

    row: IndicatorValue
    suppressed: bool

    HIDDEN = frozenset({"numerator", "denominator", "value", "ci_low", "ci_high", "comparison"})

    def __getattr__(self, name: str) -> Any:
        if self.suppressed and name in self.HIDDEN:
            return None
        if self.suppressed and name == "flag":
            return ValueFlag.SUPPRESSED
        return getattr(self.row, name)


def sees_unsuppressed(person: Any) -> bool:
    return bool(is_region_member(person))


def protect_period(
    values: Iterable[IndicatorValue], *, threshold: int | None = None
) -> list[PublishedValue]:
    """Suppress one period's council values (and the region if need be) for the public."""
    values = list(values)
    threshold = threshold or settings.DISCLOSURE_THRESHOLD
    councils = [v for v in values if v.council_id is not None]
    region = [v for v in values if v.council_id is None]
    counts = pd.Series(
        [round(v.numerator or 0) for v in councils],
        index=[v.council_id for v in councils],
        dtype="int64",
    )
    if region and len(councils):
        # The region row is the sum over the councils (as computed), published as the total.
        counts = pd.concat([counts, pd.Series([int(counts.sum())], index=["Total"], dtype="int64")])
        protected = suppress_small_counts(
            counts, column_totals=True, totals_included=True, threshold=threshold
        )
    else:
        protected = suppress_small_counts(counts, threshold=threshold)
    hidden = protected.suppressed.iloc[:, 0].to_dict()
    published = [PublishedValue(v, bool(hidden.get(v.council_id, False))) for v in councils]
    published += [PublishedValue(v, bool(hidden.get("Total", False))) for v in region]
    return published
