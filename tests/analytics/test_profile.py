"""Column profiles checked against numpy and pandas computed independently on the same rows, and
on a real published table (UK local-authority CO2 emissions: 6,304 rows, 394 authorities)."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pv
import pyarrow.parquet as pq
import pytest

from infuse.analytics.profile import ColumnProfile, TableProfile, profile_parquet

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
EPOCH = dt.date(1970, 1, 1)


@pytest.fixture(scope="module")
def profile(events_path: Path) -> TableProfile:
    return profile_parquet(events_path)


@pytest.fixture(scope="module")
def rows(events_path: Path) -> dict[str, list[Any]]:
    return pq.read_table(events_path).to_pydict()


def column(profile: TableProfile, name: str) -> ColumnProfile:
    return next(c for c in profile.columns if c.name == name)


def expected_top(values: list[Any], top: int = 10) -> list[tuple[Any, int]]:
    counts = Counter(v for v in values if v is not None)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:top]


@pytest.mark.parametrize("name", ["council", "event_date", "amount", "category", "person_id"])
def test_counts_extremes_and_top_values(
    profile: TableProfile, rows: dict[str, list[Any]], name: str
) -> None:
    values = rows[name]
    present = [v for v in values if v is not None]
    result = column(profile, name)
    assert result.rows == len(values) == profile.rows
    assert result.nulls == len(values) - len(present) > 0
    assert result.distinct == len(set(present))
    assert result.minimum == min(present)
    assert result.maximum == max(present)
    assert [(v.value, v.count) for v in result.top_values] == expected_top(values)


def test_types_and_kinds(profile: TableProfile) -> None:
    kinds = {c.name: (c.type, c.kind) for c in profile.columns}
    assert kinds == {
        "council": ("string", "text"),
        "event_date": ("date", "date"),
        "amount": ("decimal(12, 2)", "number"),
        "category": ("string", "text"),
        "person_id": ("int64", "number"),
        "urgent": ("boolean", "boolean"),
    }
    assert column(profile, "amount").minimum.__class__.__name__ == "Decimal"  # exact, not float


@pytest.mark.parametrize("name", ["amount", "person_id"])
def test_number_quartiles_and_histogram_match_numpy(
    profile: TableProfile, rows: dict[str, list[Any]], name: str
) -> None:
    values = np.array([float(v) for v in rows[name] if v is not None])
    result = column(profile, name)
    expected = np.quantile(values, [0.25, 0.5, 0.75])  # linear, Hyndman & Fan definition 7
    for q, want in zip((0.25, 0.5, 0.75), expected, strict=True):
        assert math.isclose(result.quantiles[q], want, rel_tol=1e-12)
    counts, edges = np.histogram(values, bins=20, range=(values.min(), values.max()))
    assert result.histogram_grain == "equal_width"
    assert [b.count for b in result.histogram] == counts.tolist()
    assert sum(b.count for b in result.histogram) == len(values)
    assert np.allclose([b.lower for b in result.histogram], edges[:-1], rtol=1e-12)
    assert result.histogram[-1].upper == values.max()


def test_date_quartiles_and_monthly_histogram(
    profile: TableProfile, rows: dict[str, list[Any]]
) -> None:
    dates = [d for d in rows["event_date"] if d is not None]
    result = column(profile, "event_date")
    days = np.array([(d - EPOCH).days for d in dates], dtype=float)
    for q, want in zip((0.25, 0.5, 0.75), np.quantile(days, [0.25, 0.5, 0.75]), strict=True):
        assert result.quantiles[q] == EPOCH + dt.timedelta(days=math.floor(want))
    months = Counter(f"{d:%Y-%m}" for d in dates)
    assert result.histogram_grain == "month"
    assert len(result.histogram) == 36  # January 2022 to December 2024, none missing
    assert {b.label: b.count for b in result.histogram} == dict(months)
    assert result.histogram[0].lower == dt.date(2022, 1, 1)
    assert result.histogram[0].upper == dt.date(2022, 2, 1)


def test_empty_months_are_shown_and_long_spans_go_by_year(tmp_path: Path) -> None:
    path = tmp_path / "dates.parquet"
    pq.write_table(
        pa.table(
            {
                "short": pa.array([dt.date(2023, 11, 5), dt.date(2024, 2, 1), None]),
                "long": pa.array([dt.date(1990, 6, 1), dt.date(2024, 2, 1), dt.date(2024, 3, 1)]),
                "at": pa.array(
                    [dt.datetime(2024, 1, 31, 23, 0), dt.datetime(2024, 2, 1, 1, 0), None],
                    pa.timestamp("us"),
                ),
                "same": pa.array([5, 5, 5]),
            }
        ),
        path,
    )
    profile = profile_parquet(path)
    short = column(profile, "short")
    assert [(b.label, b.count) for b in short.histogram] == [
        ("2023-11", 1),
        ("2023-12", 0),
        ("2024-01", 0),
        ("2024-02", 1),
    ]
    long = column(profile, "long")
    assert long.histogram_grain == "year"
    assert (long.histogram[0].label, long.histogram[-1].label) == ("1990", "2024")
    assert long.histogram[-1].count == 2
    at = column(profile, "at")
    assert at.kind == "datetime"
    assert [(b.label, b.count) for b in at.histogram] == [("2024-01", 1), ("2024-02", 1)]
    assert at.quantiles[0.5] == dt.datetime(2024, 2, 1, 0, 0)  # midpoint, to the second
    same = column(profile, "same")
    assert [(b.lower, b.upper, b.count) for b in same.histogram] == [(5.0, 5.0, 3)]


def test_not_a_number_and_infinity_stay_out_of_quartiles_and_bins(tmp_path: Path) -> None:
    path = tmp_path / "floats.parquet"
    values = [1.0, 2.0, 3.0, 4.0, float("nan"), float("inf"), -float("inf"), None]
    pq.write_table(pa.table({"x": pa.array(values, pa.float64())}), path)
    x = profile_parquet(path, bins=3).columns[0]
    assert (x.nulls, x.distinct) == (1, 7)
    assert x.quantiles == {0.25: 1.75, 0.5: 2.5, 0.75: 3.25}
    assert [b.count for b in x.histogram] == [1, 1, 2]
    assert (x.histogram[0].lower, x.histogram[-1].upper) == (1.0, 4.0)
    json.dumps(x.to_json(), allow_nan=False)  # NaN and infinities become null in JSON


def test_profile_is_json_ready(profile: TableProfile) -> None:
    data = json.loads(json.dumps(profile.to_json()))
    amount = next(c for c in data["columns"] if c["name"] == "amount")
    assert set(amount["quantiles"]) == {"0.25", "0.5", "0.75"}
    assert isinstance(amount["minimum"], str)  # a decimal kept exact as text


def test_real_emissions_table(tmp_path: Path) -> None:
    source = DATA / "emissions" / "local_authority_emissions.csv"
    assert source.exists(), f"missing reference file: {source}"
    table = pv.read_csv(source)
    path = tmp_path / "emissions.parquet"
    pq.write_table(table, path)
    profile = profile_parquet(path, columns=["Year", "local-authority-code", "Population:000s"])
    assert profile.rows == 6304
    year, code, population = profile.columns
    assert (year.minimum, year.maximum, year.distinct, year.nulls) == (2005, 2020, 16, 0)
    assert code.distinct == 394
    assert code.top_values[0].count == 16  # each authority once a year
    values = [v for v in table.column("Population:000s").to_pylist() if v is not None]
    assert population.nulls == 6304 - len(values)
    assert math.isclose(population.quantiles[0.5], float(np.median(values)), rel_tol=1e-12)
    assert sum(b.count for b in population.histogram) == len(values)


def test_large_tables_get_close_estimates_and_say_so(tmp_path: Path) -> None:
    """Above ``exact_rows`` quartiles and large distinct counts are estimates: within a few per
    cent of numpy's exact values (HyperLogLog within 10%); near-unique columns have no top
    values; few distinct values are counted exactly, and the rest is exact too."""
    rng = np.random.default_rng(7)
    n = 200_000
    amount = rng.lognormal(6.0, 1.0, n)
    key = np.arange(n)
    group = rng.integers(0, 50, n)
    path = tmp_path / "large.parquet"
    pq.write_table(pa.table({"key": key, "amount": amount, "group": group}), path)
    estimated = profile_parquet(path, exact_rows=100_000)
    exact = profile_parquet(path)
    assert estimated.approximate and not exact.approximate
    assert estimated.to_json()["approximate"] is True
    amount_profile = column(estimated, "amount")
    for q, value in amount_profile.quantiles.items():
        assert value == pytest.approx(np.quantile(amount, q), rel=0.03)
    assert column(estimated, "key").distinct == pytest.approx(n, rel=0.10)  # HyperLogLog
    assert column(estimated, "group").distinct == 50
    assert column(estimated, "key").top_values == []  # 200,000 different values: no top ten
    assert column(estimated, "group").top_values == column(exact, "group").top_values
    assert column(estimated, "amount").minimum == float(amount.min())
    assert column(estimated, "amount").histogram == column(exact, "amount").histogram
    assert column(estimated, "amount").nulls == 0
