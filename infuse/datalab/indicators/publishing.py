"""What each person may see of indicator values: disclosure control before anything is shown.

For the public (and suppliers), every page, export and API response goes through
:func:`shown_periods`. Under the default method, ``suppression``, numerators below the threshold
(default 5) are hidden, and enough other councils with them that no hidden value can be
recovered from the region's total (secondary suppression, ``indicators.disclosure``). Under
``rounding`` (``INFUSE_DISCLOSURE_METHOD=rounding``) every numerator and the total are rounded to
base 5 independently, and each value and interval is recomputed from the rounded count. People
working for a council or the programme team see the values as computed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal, cast

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils.translation import override

from infuse.core import lazy
from infuse.core.models import Council
from infuse.core.permissions import is_region_member
from infuse.datalab.indicators import benchmarks
from infuse.datalab.indicators.disclosure import round_to_base, suppress_small_counts
from infuse.datalab.indicators.values import value_and_interval
from infuse.datalab.models import DisclosedPeriod, Indicator, IndicatorValue, ValueFlag

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    from numpy.typing import NDArray
else:
    np = lazy.module("numpy")
    pd = lazy.module("pandas")

Method = Literal["suppression", "rounding"]
METHODS: tuple[Method, ...] = ("suppression", "rounding")


@dataclass(frozen=True)
class ShownValue:
    """An indicator value as one person may see it; a ``suppressed`` one carries no numbers."""

    id: int
    council: Council | None
    period: str
    numerator: float | None
    denominator: float | None
    value: float | None
    ci_low: float | None
    ci_high: float | None
    comparison: str
    flag: str
    suppressed: bool = False
    rounded: bool = False

    @property
    def council_id(self) -> int | None:
        return self.council.pk if self.council else None

    def get_flag_display(self) -> str:
        return str(ValueFlag(self.flag).label) if self.flag else ""

    @classmethod
    def of(cls, row: IndicatorValue) -> ShownValue:
        return cls(
            id=row.pk,
            council=row.council,
            period=row.period,
            numerator=row.numerator,
            denominator=row.denominator,
            value=row.value,
            ci_low=row.ci_low,
            ci_high=row.ci_high,
            comparison=row.comparison,
            flag=row.flag or row.data_flag,
        )

    def hidden(self) -> ShownValue:
        return replace(
            self,
            numerator=None,
            denominator=None,
            value=None,
            ci_low=None,
            ci_high=None,
            comparison="",
            flag=ValueFlag.SUPPRESSED,
            suppressed=True,
        )


@dataclass(frozen=True)
class ShownPeriod:
    period: str
    councils: list[ShownValue]
    region: ShownValue | None


def sees_unsuppressed(person: Any) -> bool:
    return bool(is_region_member(person))


def disclosure_method() -> Method:
    method = str(getattr(settings, "DISCLOSURE_METHOD", "suppression"))
    if method not in METHODS:
        raise ValueError(f"INFUSE_DISCLOSURE_METHOD must be one of {METHODS}, not {method!r}")
    return cast(Method, method)


def _counts(councils: Sequence[ShownValue]) -> pd.Series:
    counts = pd.Series(
        [round(v.numerator or 0) for v in councils],
        index=[v.council_id for v in councils],
        dtype="int64",
    )
    return pd.concat([counts, pd.Series([int(counts.sum())], index=["Total"], dtype="int64")])


def _suppressed(
    councils: list[ShownValue], region: list[ShownValue], threshold: int
) -> list[ShownValue]:
    if region and councils:
        # The region row is the sum over the councils (as computed), published as the total.
        protected = suppress_small_counts(
            _counts(councils), column_totals=True, totals_included=True, threshold=threshold
        )
    else:
        protected = suppress_small_counts(
            pd.Series([round(v.numerator or 0) for v in councils + region], dtype="int64"),
            threshold=threshold,
        )
        hidden_list = protected.suppressed.iloc[:, 0].tolist()
        return [v.hidden() if h else v for v, h in zip(councils + region, hidden_list, strict=True)]
    hidden = protected.suppressed.iloc[:, 0].to_dict()
    shown = [v.hidden() if hidden.get(v.council_id) else v for v in councils]
    return shown + [v.hidden() if hidden.get("Total") else v for v in region]


def _from_rounded_counts(
    numerators: Sequence[float | None], denominators: Sequence[float | None], unit: str
) -> tuple[NDArray[np.float64], ...]:
    """Each count rounded to base 5 and the value and interval worked out again from it:
    (numerator, value, low, high); nothing where there was no count."""
    counts = [round(n or 0) for n in numerators]
    rounded = round_to_base(pd.Series(counts, dtype="int64")).table.iloc[:, 0].to_numpy()
    numerator = np.asarray(rounded, dtype=np.float64)
    denominator = np.asarray([np.nan if d is None else d for d in denominators], dtype=np.float64)
    if unit == "percentage":
        # 3 of 4 rounds to 5: a share cannot pass its whole (Wilson's interval refuses it).
        numerator = np.fmin(numerator, denominator)
    value, low, high = value_and_interval(unit, numerator, denominator)
    missing = np.asarray([n is None for n in numerators])
    value, low, high = (np.where(missing, np.nan, array) for array in (value, low, high))
    return numerator, value, low, high


def _number(x: float) -> float | None:
    return None if not np.isfinite(x) else float(x)


def _rounded(councils: list[ShownValue], region: list[ShownValue], unit: str) -> list[ShownValue]:
    values = councils + region
    if not values:
        return []
    numerator, value, low, high = _from_rounded_counts(
        [v.numerator for v in values], [v.denominator for v in values], unit
    )
    return [
        replace(
            v,
            numerator=None if v.numerator is None else float(numerator[i]),
            value=_number(value[i]),
            ci_low=_number(low[i]),
            ci_high=_number(high[i]),
            rounded=True,
        )
        for i, v in enumerate(values)
    ]


def protect_period(
    values: Iterable[IndicatorValue | ShownValue],
    *,
    unit: str = "count",
    threshold: int | None = None,
    method: Method | None = None,
) -> list[ShownValue]:
    """One period's values (councils then the region) as the public may see them.

    The councils are put in one fixed order (by id) first: when two counts tie as the cell to
    hide beside a small one, every page must hide the same one, or two pages showing the same
    period in different orders would let anyone recover the hidden count by subtraction."""
    shown = [v if isinstance(v, ShownValue) else ShownValue.of(v) for v in values]
    if unit == "value":
        # Values a publisher worked out and published (rates, scores): no counts of people
        # are stored or shown, so there is nothing to protect by suppression or rounding.
        return shown
    councils = sorted((v for v in shown if v.council is not None), key=lambda v: v.council_id or 0)
    region = [v for v in shown if v.council is None]
    if (method or disclosure_method()) == "rounding":
        return _rounded(councils, region, unit)
    return _suppressed(councils, region, threshold or settings.DISCLOSURE_THRESHOLD)


def shown_periods(
    indicator: Indicator, person: Any, *, newest: int | None = None
) -> list[ShownPeriod]:
    """Every period's values for ``person``, newest period first, councils highest value first;
    with ``newest``, only that many of the newest periods are read and protected."""
    return shown_periods_of([indicator], person, newest=newest)[indicator.pk]


def shown_periods_of(
    indicators: Sequence[Indicator], person: Any, *, newest: int | None = None
) -> dict[int, list[ShownPeriod]]:
    """:func:`shown_periods` of each indicator (by id), read in two queries whatever their
    number: a page listing indicators makes no query per indicator."""
    ids = [indicator.pk for indicator in indicators]
    rows = IndicatorValue.objects.filter(indicator_id__in=ids)
    if newest is not None:
        kept: dict[int, list[str]] = {}
        pairs = rows.order_by("indicator_id", "-period").values_list("indicator_id", "period")
        for indicator_id, period in pairs.distinct():
            periods = kept.setdefault(indicator_id, [])
            if len(periods) < newest:
                periods.append(period)
        # One filter on the periods any of them keeps (not an OR per indicator, which SQLite
        # refuses past ~1,000 terms); the few rows of another indicator's period are dropped.
        rows = rows.filter(period__in={p for periods in kept.values() for p in periods})
    by_indicator: dict[int, dict[str, list[ShownValue]]] = {pk: {} for pk in ids}
    for row in rows.select_related("council").order_by("indicator_id", "-period"):
        if newest is not None and row.period not in kept[row.indicator_id]:
            continue
        by_indicator[row.indicator_id].setdefault(row.period, []).append(ShownValue.of(row))
    protect = not sees_unsuppressed(person)
    decided = _decided(indicators, by_indicator) if protect else {}
    return {
        indicator.pk: [
            _shown_period(period, decided.get((indicator.pk, period), values))
            for period, values in by_indicator[indicator.pk].items()
        ]
        for indicator in indicators
    }


def refresh_disclosure(indicator: Indicator) -> None:
    """Decide now what the public may see of every period of ``indicator`` (after its values
    changed), so the first public reader does not wait for it; forget periods it no longer has."""
    periods = shown_periods_of([indicator], AnonymousUser())[indicator.pk]
    DisclosedPeriod.objects.filter(indicator=indicator).exclude(
        period__in=[p.period for p in periods]
    ).delete()


def _decided(
    indicators: Sequence[Indicator], by_indicator: dict[int, dict[str, list[ShownValue]]]
) -> dict[tuple[int, str], list[ShownValue]]:
    """Each period's values as the public may see them: the stored decision where its inputs
    are unchanged, else decided now (pandas) and stored for the next reader."""
    method, threshold = disclosure_method(), int(settings.DISCLOSURE_THRESHOLD)
    stored = {
        (d.indicator_id, d.period): d
        for d in DisclosedPeriod.objects.filter(
            indicator_id__in=[i.pk for i in indicators],
            period__in={p for periods in by_indicator.values() for p in periods},
        )
    }
    shown: dict[tuple[int, str], list[ShownValue]] = {}
    fresh: list[DisclosedPeriod] = []
    for indicator in indicators:
        for period, values in by_indicator[indicator.pk].items():
            if indicator.unit == "value":  # nothing to protect, so nothing to decide or keep
                shown[(indicator.pk, period)] = values
                continue
            inputs = _inputs(values, indicator.unit, method, threshold)
            found = stored.get((indicator.pk, period))
            if found is not None and found.inputs == inputs:
                shown[(indicator.pk, period)] = _apply(values, found.decision)
                continue
            protected = protect_period(values, unit=indicator.unit, method=method)
            shown[(indicator.pk, period)] = protected
            decision = _decision(protected, method)
            fresh.append(
                DisclosedPeriod(
                    indicator=indicator, period=period, inputs=inputs, decision=decision
                )
            )
    if fresh:
        DisclosedPeriod.objects.bulk_create(
            fresh,
            update_conflicts=True,
            unique_fields=["indicator", "period"],
            update_fields=["inputs", "decision"],
        )
    return shown


def _area(value: ShownValue) -> str:
    return str(value.council_id or 0)


#: Raise when the rules of disclosure control change (suppression, rounding, the intervals
#: recomputed from rounded counts): every stored decision is then made again.
RULES_VERSION = "2"


def _inputs(values: list[ShownValue], unit: str, method: Method, threshold: int) -> str:
    """A digest of everything a period's decision depends on (and nothing else)."""
    areas = sorted(values, key=lambda v: v.council_id or 0)
    parts = [RULES_VERSION, method, str(threshold), unit] + [
        f"{_area(v)}:{round(v.numerator or 0)}:{v.numerator is None}:{v.denominator!r}"
        for v in areas
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def _decision(protected: list[ShownValue], method: Method) -> dict[str, Any]:
    if method == "rounding":
        return {
            "rounded": {_area(v): [v.numerator, v.value, v.ci_low, v.ci_high] for v in protected}
        }
    return {"hidden": [_area(v) for v in protected if v.suppressed]}


def _apply(values: list[ShownValue], decision: dict[str, Any]) -> list[ShownValue]:
    """The values as a stored decision shows them (the same as deciding again)."""
    if "rounded" in decision:
        figures = decision["rounded"]
        fields = ("numerator", "value", "ci_low", "ci_high")
        return [
            replace(v, rounded=True, **dict(zip(fields, figures[_area(v)], strict=True)))
            for v in values
        ]
    hidden = set(decision["hidden"])
    return [v.hidden() if _area(v) in hidden else v for v in values]


def _shown_period(period: str, shown: list[ShownValue]) -> ShownPeriod:
    """One period as shown (already protected when the reader must not see small counts):
    councils highest value first, then the region."""
    councils = sorted(
        (v for v in shown if v.council is not None),
        key=lambda v: (v.value is None, -(v.value or 0.0), v.council.name if v.council else ""),
    )
    region = next((v for v in shown if v.council is None), None)
    return ShownPeriod(period, councils, region)


@dataclass(frozen=True)
class ShownBenchmark:
    """The indicator's own benchmark in one period as the reader may see it."""

    value: float | None
    ci_low: float | None
    ci_high: float | None
    hidden: bool = False


def shown_benchmarks(
    indicator: Indicator, periods: Sequence[ShownPeriod]
) -> dict[str, ShownBenchmark]:
    """The benchmark's value per period as the reader may see it: the region's row when it is
    the region; else the stored value, except that a group's is hidden in a period where one
    of its members' is (pooled from the full counts, it could give a hidden value away)."""
    if benchmarks.kind_of(indicator.benchmark) == "region":
        return {
            p.period: ShownBenchmark(None, None, None, hidden=True)
            if p.region.suppressed
            else ShownBenchmark(p.region.value, p.region.ci_low, p.region.ci_high)
            for p in periods
            if p.region is not None
        }
    kind = benchmarks.kind_of(indicator.benchmark)
    members = set(indicator.benchmark.get("councils", []))
    by_period = {p.period: p for p in periods}
    shown = {}
    for row in indicator.benchmark_values.filter(area_code=benchmarks.OWN):
        period = by_period.get(row.period)
        if kind == "value" or period is None:
            shown[row.period] = ShownBenchmark(row.value, row.ci_low, row.ci_high)
            continue
        # An area's or a group's value comes from full counts: beside the councils' shown
        # values, it could give a suppressed one away by subtraction (a health board made of
        # region councils), so it is hidden where one is; under rounding it is rounded too.
        hidden = any(
            v.suppressed
            for v in period.councils
            if v.council and (kind == "area" or v.council.gss_code in members)
        )
        if hidden:
            shown[row.period] = ShownBenchmark(None, None, None, hidden=True)
        elif any(v.rounded for v in period.councils) and row.numerator is not None:
            shown[row.period] = _rounded_benchmark(row, indicator.unit)
        else:
            shown[row.period] = ShownBenchmark(row.value, row.ci_low, row.ci_high)
    return shown


def _rounded_benchmark(row: Any, unit: str) -> ShownBenchmark:
    """A benchmark's value worked out again from its count rounded as the councils' are."""
    _numerator, value, low, high = _from_rounded_counts([row.numerator], [row.denominator], unit)
    return ShownBenchmark(_number(value[0]), _number(low[0]), _number(high[0]))


def compared_with(
    indicator: Indicator, periods: Sequence[ShownPeriod]
) -> tuple[str, dict[str, ShownBenchmark]]:
    """The benchmark's English name (exports name areas in English, with Welsh beside them
    where they have it) and its shown value per period, for :func:`shown_frame`."""
    with override("en"):
        name = benchmarks.name(indicator.benchmark, indicator.unit)
    return name, shown_benchmarks(indicator, periods)


def shown_frame(
    periods: Sequence[ShownPeriod],
    *,
    with_ids: bool = False,
    compared_with: tuple[str, dict[str, ShownBenchmark]] = ("", {}),
) -> pd.DataFrame:
    """The shown values as one table (one row per council or region and period) for exports.

    ``with_ids`` adds each value's id, for people who may flag values through the API.
    ``compared_with`` names the benchmark (in English, as the other names) and gives its value
    per period (:func:`shown_benchmarks`), on every row of the period.
    """
    name, against = compared_with
    records = []
    for period in periods:
        bench = against.get(period.period)
        for value in [*period.councils, *([period.region] if period.region else [])]:
            records.append(
                {
                    "id": value.id,
                    "period": value.period,
                    "area_code": value.council.gss_code if value.council else "",
                    "area": value.council.name_en if value.council else "Cardiff Capital Region",
                    "area_cy": (value.council.name_cy or value.council.name_en)
                    if value.council
                    else "Prifddinas-Ranbarth Caerdydd",
                    "numerator": value.numerator,
                    "denominator": value.denominator,
                    "value": value.value,
                    "ci_low": value.ci_low,
                    "ci_high": value.ci_high,
                    "comparison": value.comparison,
                    "compared_with": name,
                    "benchmark_value": bench.value if bench else None,
                    "flag": value.flag,
                }
            )
    columns = [
        *(["id"] if with_ids else []),
        "period",
        "area_code",
        "area",
        "area_cy",
        "numerator",
        "denominator",
        "value",
        "ci_low",
        "ci_high",
        "comparison",
        "compared_with",
        "benchmark_value",
        "flag",
    ]
    frame = pd.DataFrame.from_records(records, columns=columns)
    for column in ("numerator", "denominator", "value", "ci_low", "ci_high", "benchmark_value"):
        frame[column] = frame[column].astype("float64")
    return frame
