"""Shared fixtures for the analytics layer's tests: generated data and one local Spark session.

The generated data is councils × months with the awkward cases an indicator must get right:
nulls in every column, rows on 31 March and 1 April (the financial-year edge), a council code
outside the region, decimal amounts. It is seeded, so every run sees the same rows.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from infuse.analytics.engine import spark_session, spark_unavailable_reason

# The ten Cardiff Capital Region councils (GSS codes).
COUNCILS = [
    "W06000013",  # Bridgend
    "W06000014",  # Vale of Glamorgan
    "W06000015",  # Cardiff
    "W06000016",  # Rhondda Cynon Taf
    "W06000018",  # Caerphilly
    "W06000019",  # Blaenau Gwent
    "W06000020",  # Torfaen
    "W06000021",  # Monmouthshire
    "W06000022",  # Newport
    "W06000024",  # Merthyr Tydfil
]
CATEGORIES = ["housing", "social care", "transport", "waste"]


def generate_rows(n_rows: int = 6000, seed: int = 20261129) -> pa.Table:
    """Seeded rows: council, event_date, amount (decimal), category, person_id, urgent."""
    rng = np.random.default_rng(seed)
    start = dt.date(2022, 1, 1)
    days = rng.integers(0, 3 * 365, n_rows)
    dates: list[dt.date | None] = [start + dt.timedelta(days=int(d)) for d in days]
    # Financial-year edges, on purpose: 31 March and 1 April of each year.
    for i, edge in enumerate(
        [dt.date(y, m, d) for y in (2022, 2023, 2024) for (m, d) in ((3, 31), (4, 1))] * 20
    ):
        dates[i * 7] = edge
    councils: list[str | None] = [COUNCILS[i] for i in rng.integers(0, len(COUNCILS), n_rows)]
    cents = rng.integers(-5_000, 2_000_000, n_rows)
    amounts: list[Decimal | None] = [Decimal(int(c)).scaleb(-2) for c in cents]
    categories: list[str | None] = [CATEGORIES[i] for i in rng.integers(0, 4, n_rows)]
    people: list[int | None] = [int(p) for p in rng.integers(1, 900, n_rows)]
    urgent: list[bool | None] = [bool(u) for u in rng.random(n_rows) < 0.3]
    columns: list[list[Any]] = [councils, dates, amounts, categories]
    for column, rate in zip(columns, (0.02, 0.02, 0.05, 0.05), strict=True):
        for index in np.flatnonzero(rng.random(n_rows) < rate).tolist():
            column[index] = None
    for index in np.flatnonzero(rng.random(n_rows) < 0.05).tolist():
        people[index] = None
    for index in np.flatnonzero(rng.random(n_rows) < 0.01).tolist():
        councils[index] = "W06000001"  # Isle of Anglesey: not in the region's population table
    return pa.table(
        {
            "council": pa.array(councils, pa.string()),
            "event_date": pa.array(dates, pa.date32()),
            "amount": pa.array(amounts, pa.decimal128(12, 2)),
            "category": pa.array(categories, pa.string()),
            "person_id": pa.array(people, pa.int64()),
            "urgent": pa.array(urgent, pa.bool_()),
        }
    )


def population_rows() -> pa.Table:
    """Mid-year populations by council and year (made-up round figures, region only)."""
    councils, years, population = [], [], []
    for i, council in enumerate(COUNCILS):
        for year in ("2022", "2023", "2024"):
            councils.append(council)
            years.append(year)
            population.append(50_000 + 13_577 * i + 101 * int(year[-1]))
    return pa.table(
        {
            "council_code": pa.array(councils, pa.string()),
            "year": pa.array(years, pa.string()),
            "population": pa.array(population, pa.int64()),
        }
    )


@pytest.fixture(scope="session")
def events_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("analytics") / "events.parquet"
    pq.write_table(generate_rows(), path, row_group_size=1000)
    return path


@pytest.fixture(scope="session")
def population_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("analytics") / "population.parquet"
    pq.write_table(population_rows(), path)
    return path


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One local Spark session (local[2]) for the whole run.

    Without Java or pyspark the tests that use it are skipped with the reason and how to enable
    Spark; with INFUSE_REQUIRE_SPARK=1 (as CI sets it) they fail instead, so a machine that lost
    its Java cannot turn the parity test green by skipping it.
    """
    reason = spark_unavailable_reason()
    if reason is not None:
        message = f"Spark parity tests need Spark: {reason}"
        if os.environ.get("INFUSE_REQUIRE_SPARK") == "1":
            pytest.fail(f"{message} (INFUSE_REQUIRE_SPARK=1: they must run here)")
        pytest.skip(message)
    session = spark_session("local[2]")
    yield session
    session.stop()
