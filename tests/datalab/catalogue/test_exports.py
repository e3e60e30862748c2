"""Exports: every format round-trips, spreadsheets cannot be made to run formulas."""

from __future__ import annotations

import csv
import io
import json

import duckdb
import pytest
from openpyxl import load_workbook

from infuse.datalab.catalogue import exports


@pytest.fixture
def parquet(tmp_path):
    path = tmp_path / "v.parquet"
    duckdb.sql(
        "COPY (SELECT * FROM (VALUES "
        "('=HYPERLINK(\"http://evil\")', -5.5, DATE '2024-04-01'), "
        "('+SUM(A1:A9)', 10.0, DATE '2024-04-02'), ('@cmd', 0.0, NULL), "
        "('-2+3', 1.0, NULL), ('Caerdydd', 2.0, NULL)) t(name, amount, day)) "
        f"TO '{path}' (FORMAT PARQUET)"
    )
    return path


def test_csv_neutralises_formulas_and_keeps_numbers(parquet, tmp_path):
    out = exports.export(parquet, "csv", tmp_path)
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["name"] for r in rows] == [
        '\'=HYPERLINK("http://evil")',
        "'+SUM(A1:A9)",
        "'@cmd",
        "'-2+3",
        "Caerdydd",
    ]
    assert rows[0]["amount"] == "-5.5"  # a negative number is a number, not a formula


def test_xlsx_cells_are_text_not_formulas(parquet, tmp_path):
    out = exports.export(parquet, "xlsx", tmp_path)
    sheet = load_workbook(out).active
    values = [row for row in sheet.iter_rows(values_only=True)]
    assert values[0] == ("name", "amount", "day")
    assert all(not str(v[0]).startswith(("=", "+", "@", "-")) for v in values[1:])
    assert values[1][1] == -5.5


def test_json_round_trips(parquet, tmp_path):
    data = json.loads(exports.export(parquet, "json", tmp_path).read_text())
    assert data[4] == {"name": "Caerdydd", "amount": 2.0, "day": None}


def test_open_export_leaves_nothing_behind(parquet, tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    with exports.open_export(parquet, "csv") as handle:
        assert handle.read().startswith(b"name,amount,day")
    assert list((tmp_path / "tmp").iterdir()) == []
