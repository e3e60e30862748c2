"""Indicator values from a Parquet file: councils however spelled, and a region of its own rows."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from infuse.datalab.indicators.values import compute

COUNCILS = [
    ("W06000015", "Cardiff", "Caerdydd"),
    ("W06000022", "Newport", "Casnewydd"),
    ("W06000016", "Rhondda Cynon Taf", "Rhondda Cynon Taf"),
]


@pytest.fixture
def spend(tmp_path):
    """Suppliers paid by councils: one supplier used by three councils, one council spelled two
    ways, and rows for places outside the region (which must count nowhere)."""
    rows = [
        ("Cardiff", "2024-01-10", "Acme"),
        ("W06000015", "2024-02-10", "Acme"),  # Cardiff again, by code: still one supplier
        ("Caerdydd", "2024-02-11", "Bryn Ltd"),
        ("Newport", "2024-01-05", "Acme"),
        ("Newport", "2024-03-05", "Coed Cyf"),
        ("Rhondda Cynon Taf", "2024-02-01", "Acme"),
        ("Powys", "2024-01-20", "Only Powys Ltd"),
        ("Not stated", "2024-01-21", "Unknown Co"),
    ]
    table = pa.table(
        {
            "council": [r[0] for r in rows],
            "paid_on": pa.array([r[1] for r in rows]).cast(pa.date32()),
            "supplier": [r[2] for r in rows],
        }
    )
    path = tmp_path / "spend.parquet"
    pq.write_table(table, path)
    return path


def _by_area(computation):
    return {v.council_gss: v.value for v in computation.values}


def test_a_distinct_count_for_the_region_counts_each_supplier_once(spend):
    spec = {
        "numerator": {"aggregation": "count_distinct", "column": "supplier"},
        "council_column": "council",
        "period": {"column": "paid_on", "grain": "year"},
    }
    computation = compute(spend, spec, COUNCILS)
    values = _by_area(computation)
    # Cardiff: Acme (spelled two ways) and Bryn Ltd; Newport: Acme, Coed Cyf; RCT: Acme.
    assert values == {"W06000015": 2.0, "W06000022": 2.0, "W06000016": 1.0, None: 3.0}
    assert computation.unmatched_councils == [("Not stated", 1), ("Powys", 1)]


def test_counts_still_add_up_and_leave_out_places_outside_the_region(spend):
    spec = {
        "numerator": {"aggregation": "count"},
        "council_column": "council",
        "period": {"column": "paid_on", "grain": "year"},
    }
    values = _by_area(compute(spend, spec, COUNCILS))
    assert values == {"W06000015": 3.0, "W06000022": 2.0, "W06000016": 1.0, None: 6.0}


def test_nothing_in_the_region_gives_no_values(spend):
    spec = {
        "numerator": {"aggregation": "count_distinct", "column": "supplier"},
        "council_column": "council",
        "period": {"column": "paid_on", "grain": "year"},
    }
    computation = compute(spend, spec, [("W06000023", "Powys-not", "Nope")])
    assert computation.values == []
    assert len(computation.unmatched_councils) == 7  # every spelling in the data
