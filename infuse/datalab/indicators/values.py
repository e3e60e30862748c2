"""Compute an indicator's values from a dataset version: the analytics layer, then intervals.

The aggregation runs once, as an Ibis expression (DuckDB in-process by default, Spark when
configured); the confidence interval of each value follows its unit (Wilson for percentages,
exact/Byar Poisson for counts and rates), and each council is marked lower / similar / higher
(better / worse by polarity) than the region, as the public-health profiles do.
Council values in the data may be GSS codes or English or Welsh names.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from infuse import analytics, stats
from infuse.analytics import IndicatorSpec, Measure
from infuse.core import lazy
from infuse.core.councils import WALES_CODE, council_lookup, names_wales, resolve_council
from infuse.datalab.indicators import benchmarks

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    from numpy.typing import ArrayLike, NDArray

    from infuse.analytics import Recipe
    from infuse.stats.intervals import Polarity
else:
    np = lazy.module("numpy")
    pd = lazy.module("pandas")

PER = {"rate_per_1000": 1_000.0, "rate_per_100000": 100_000.0}


@dataclass(frozen=True)
class ComputedValue:
    council_gss: str | None  # None is the region (computed from its ten councils' rows)
    period: str
    numerator: float | None
    denominator: float | None
    value: float | None
    ci_low: float | None
    ci_high: float | None
    comparison: str  # better / worse / lower / higher / similar / not_compared / "" (region)
    flag: str = ""  # from the data's own flags on the rows behind it (see data_flag)


@dataclass(frozen=True)
class Computation:
    values: list[ComputedValue]
    # Council values in the data that are none of the ten (nor Wales), with their rows: left out
    # of the indicator, kept in the dataset. Most rows first.
    unmatched_councils: list[tuple[str, int]]
    # Wales's values per period, when the data gives rows for Wales as a whole (council_gss is
    # its GSS code; comparison empty): a benchmark beside the region, never part of it.
    benchmarks: list[ComputedValue] = field(default_factory=list)
    # The indicator's own benchmark per period when it is not the region (council_gss is
    # benchmarks.OWN): what every council's comparison is against.
    compared_with: list[ComputedValue] = field(default_factory=list)


def _clean(number: Any) -> float | None:
    if number is None:
        return None
    result = float(number)
    return None if math.isnan(result) else result


def value_and_interval(
    unit: str, numerator: NDArray[np.float64], denominator: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """The value and its 95% interval on the unit's scale, from numerators and denominators.

    Wilson for percentages, exact/Byar Poisson for counts and rates. Shared by the computation
    and by publishing, which recomputes both from counts rounded for disclosure control.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        if unit == "percentage":
            interval = stats.wilson_interval(numerator, denominator)
            return 100.0 * numerator / denominator, interval.lower * 100.0, interval.upper * 100.0
        if unit in PER:
            interval = stats.rate_interval(numerator, denominator, per=PER[unit])
            return PER[unit] * numerator / denominator, interval.lower, interval.upper
        if unit == "value":  # published values: their mean, and no interval is known
            nothing = np.full(np.shape(numerator), np.nan)
            return numerator / denominator, nothing, nothing
        interval = stats.poisson_interval(numerator, method="byar_or_exact")
        return numerator, interval.lower, interval.upper


def compute(
    parquet: Path,
    specification: dict[str, Any],
    councils: Iterable[tuple[str, str, str]],
    *,
    engine: str = "duckdb",
    spark_master: str | None = None,
    recipe: Recipe = (),
    benchmark: dict[str, Any] | None = None,
) -> Computation:
    """Values per council × period (and the region) with intervals and comparisons, on the
    version as its ``recipe`` shapes it; each council compared with ``benchmark`` (the region
    unless it says otherwise, see :mod:`~infuse.datalab.indicators.benchmarks`)."""
    spec = IndicatorSpec.from_dict(specification)
    lookup = council_lookup(councils)
    con = analytics.connect(engine, spark_master=spark_master)
    data = analytics.apply_recipe(analytics.read_parquet(con, parquet), recipe)
    # One row per council however the data spells it (GSS code, English or Welsh name), and the
    # region from the rows of its ten councils: rows for anywhere else never count in it, and a
    # distinct count is counted over the region's rows, not summed over its councils.
    codes: dict[Any, str] = {}
    wales: dict[Any, str] = {}
    unmatched: list[tuple[str, int]] = []
    kind = benchmarks.kind_of(benchmark)
    chosen_area: dict[Any, str] = {}
    for raw, count in analytics.council_values(data, spec):
        code = resolve_council(raw, lookup)
        if kind == "area" and code is None and benchmarks.names_area(benchmark or {}, raw):
            chosen_area[raw] = benchmarks.OWN  # the benchmark: compared with, not left out
        if code is not None:
            codes[raw] = code
        elif names_wales(raw):
            wales[raw] = WALES_CODE
        elif raw not in chosen_area:
            unmatched.append((str(raw), int(count)))
    table: pd.DataFrame = analytics.indicator_expression(data, spec, councils=codes).to_pandas()
    table = table.rename(columns={"council": "gss"})
    table["gss"] = table["gss"].astype(object).where(table["gss"].notna(), None)
    table = _with_intervals(table, str(spec.unit))
    compared_with = _compared_with(data, spec, benchmark, codes, chosen_area, table)
    values = _judged_values(table, spec, kind, {b.period: b.value for b in compared_with})
    flags = data_flags(data, spec, codes)
    values = [replace(v, flag=flags.get((v.council_gss or "", v.period), "")) for v in values]
    return Computation(
        values=values,
        unmatched_councils=sorted(unmatched, key=lambda area: (-area[1], area[0])),
        benchmarks=_benchmarks(data, spec, wales) if wales else [],
        compared_with=compared_with,
    )


def _judged_values(
    table: pd.DataFrame, spec: IndicatorSpec, kind: str, against: dict[str, float | None]
) -> list[ComputedValue]:
    """Every row as a value, each council marked against the benchmark of its period: the
    region's own row, or ``against`` (the chosen benchmark's value) when it is not the region."""
    values: list[ComputedValue] = []
    for period, rows in table.groupby("period", sort=True):
        region_rows = rows[rows["gss"].isna()]
        council_rows = rows[rows["gss"].notna()]
        mark = float(region_rows["value"].iloc[0]) if len(region_rows) else float("nan")
        if kind != "region":
            mark = _number(against.get(str(period)))
        marks = judged(
            str(spec.unit),
            str(spec.polarity),
            council_rows["ci_low"].to_numpy(),
            council_rows["ci_high"].to_numpy(),
            mark,
        )
        judgements = [*marks, *([""] * len(region_rows))]
        for (_, row), judgement in zip(
            pd.concat([council_rows, region_rows]).iterrows(), judgements, strict=True
        ):
            values.append(
                ComputedValue(
                    None if pd.isna(row["gss"]) else str(row["gss"]),
                    str(period),
                    _clean(row["numerator"]),
                    _clean(row["denominator"]),
                    _clean(row["value"]),
                    _clean(row["ci_low"]),
                    _clean(row["ci_high"]),
                    judgement,
                )
            )
    return values


#: The flags StatsWales and the ONS put on values, as a value's flag; where the rows behind
#: a value carry several, the first of this order wins (a suppressed row outweighs the rest).
DATA_FLAGS = {
    "c": "suppressed",
    "x": "not_available",
    "z": "not_available",
    "u": "low_reliability",
    "e": "estimated",
    "p": "provisional",
}
_FLAG_ORDER = list(dict.fromkeys(DATA_FLAGS.values()))


def data_flags(data: Any, spec: IndicatorSpec, codes: dict[Any, str]) -> dict[tuple[str, str], str]:
    """Each council's and period's flag from the flags kept beside its measures' columns
    ("<column> flag", made at ingest); none where the measures have no such column (a recipe's
    derived column keeps none)."""
    measures = [
        spec.numerator,
        *([spec.denominator] if isinstance(spec.denominator, Measure) else []),
    ]
    columns = [f"{c} flag" for m in measures for c in m.columns if f"{c} flag" in data.columns]
    found = {}
    for code, period, flags in analytics.flags_by_council(data, spec, codes, columns):
        kinds = {DATA_FLAGS[f] for f in flags if f in DATA_FLAGS}
        chosen = next((kind for kind in _FLAG_ORDER if kind in kinds), "")
        if chosen:
            found[(code, period)] = chosen
    return found


def _number(value: float | None) -> float:
    return float("nan") if value is None else value


def _compared_with(
    data: Any,
    spec: IndicatorSpec,
    benchmark: dict[str, Any] | None,
    codes: dict[Any, str],
    chosen_area: dict[Any, str],
    table: pd.DataFrame,
) -> list[ComputedValue]:
    """The benchmark's value per period (none for the region, whose row is the indicator's
    own): an area's rows pooled, a group's councils' rows pooled (a distinct count counted over
    their rows), or the fixed value in every period."""
    kind = benchmarks.kind_of(benchmark)
    if kind == "area":
        return _benchmarks(data, spec, chosen_area) if chosen_area else []
    if kind == "group":
        members = set((benchmark or {}).get("councils", []))
        spellings = {raw: benchmarks.OWN for raw, code in codes.items() if code in members}
        return _benchmarks(data, spec, spellings) if spellings else []
    if kind == "value":
        fixed = float((benchmark or {})["value"])
        return [
            ComputedValue(benchmarks.OWN, str(period), None, None, fixed, None, None, "")
            for period in sorted(set(table["period"]))
        ]
    return []


def _benchmarks(data: Any, spec: IndicatorSpec, areas: dict[Any, str]) -> list[ComputedValue]:
    """Each area's values per period (its rows pooled however the data spells it)."""
    table: pd.DataFrame = analytics.indicator_expression(data, spec, councils=areas).to_pandas()
    table = _with_intervals(table[table["council"].notna()], str(spec.unit))
    return [
        ComputedValue(
            str(code), str(period), _clean(n), _clean(d), _clean(v), _clean(lo), _clean(hi), ""
        )
        for code, period, n, d, v, lo, hi in zip(
            table["council"],
            table["period"],
            table["numerator"],
            table["denominator"],
            table["value"],
            table["ci_low"],
            table["ci_high"],
            strict=True,
        )
    ]


def _with_intervals(table: pd.DataFrame, unit: str) -> pd.DataFrame:
    """The table of counts with each row's value and 95% interval in the unit; a value as
    published keeps the computed value, with no counts and no interval (none are known)."""
    if unit == "value":
        nothing = np.full(len(table), np.nan)
        return table.assign(
            value=table["value"].astype(float).to_numpy(),
            numerator=nothing,
            denominator=nothing,
            ci_low=nothing,
            ci_high=nothing,
        )
    value, ci_low, ci_high = value_and_interval(
        unit,
        table["numerator"].astype(float).to_numpy(),
        table["denominator"].astype(float).to_numpy(),
    )
    return table.assign(value=value, ci_low=ci_low, ci_high=ci_high)


def judged(
    unit: str, polarity: str, lows: ArrayLike, highs: ArrayLike, benchmark: float
) -> list[str]:
    """How each value compares with a benchmark, by whether its 95% interval holds it: better /
    similar / worse (lower / higher where neither is better). A count is not compared: the
    region's count covers all ten councils, so every council would be "lower"; only values on
    one scale (percentages, rates) can be compared fairly."""
    if unit in ("count", "value"):
        # A value as published has no interval, so nothing is said about its difference.
        return ["not_compared"] * len(np.atleast_1d(lows))
    comparison = stats.compare_with_benchmark(
        lows, highs, benchmark, polarity=cast("Polarity", polarity)
    )
    return [str(mark) for mark in comparison.judgement]
