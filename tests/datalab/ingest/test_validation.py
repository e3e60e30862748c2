"""Validation of typed Parquet against a declared schema: planted errors found at the right rows
and columns with exact counts, councils matched by code, English or Welsh name, and the
valid/quarantine split."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import pytest

from infuse.datalab.ingest.checks import SchemaError
from infuse.datalab.ingest.convert import ConversionResult, convert_to_parquet
from infuse.datalab.ingest.sources import ReadOptions
from infuse.datalab.ingest.validation import (
    ValidationReport,
    split_valid_rows,
    validate_parquet,
)
from tests.datalab.ingest.test_convert import shared
from tests.imports import loaded_after

#: Welsh names of the ten Cardiff Capital Region councils, by GSS code.
WELSH_NAMES = {
    "W06000013": "Pen-y-bont ar Ogwr",
    "W06000014": "Bro Morgannwg",
    "W06000015": "Caerdydd",
    "W06000016": "Rhondda Cynon Taf",
    "W06000018": "Caerffili",
    "W06000019": "Blaenau Gwent",
    "W06000020": "Tor-faen",
    "W06000021": "Sir Fynwy",
    "W06000022": "Casnewydd",
    "W06000024": "Merthyr Tudful",
}


@pytest.fixture(scope="module")
def councils() -> list[tuple[str, str, str]]:
    """The ten CCR councils with the English names from the shared lookup (its own spellings,
    "Rhondda Cynon Taff" and "The Vale of Glamorgan" included)."""
    lookup = shared("councils/uk_local_authorities_current.csv")
    codes = ", ".join(f"'{code}'" for code in WELSH_NAMES)
    found = duckdb.execute(
        f'SELECT "gss-code", "nice-name" FROM read_csv(\'{lookup}\') '
        f'WHERE "gss-code" IN ({codes}) ORDER BY 1'
    ).fetchall()
    assert len(found) == 10
    return [(code, name, WELSH_NAMES[code]) for code, name in found]


SCHEMA: dict[str, Any] = {
    "fields": [
        {"name": "Ref", "type": "integer", "constraints": {"required": True}},
        {"name": "Council", "type": "string", "council": True},
        {"name": "Amount", "type": "number", "constraints": {"minimum": 0, "maximum": 100000}},
        {
            "name": "Paid",
            "type": "date",
            "constraints": {"required": True, "minimum": "2020-01-01"},
        },
        {"name": "Category", "type": "string", "constraints": {"enum": ["goods", "services"]}},
        {
            "name": "Postcode",
            "type": "string",
            "constraints": {"pattern": "[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][A-Z]{2}"},
        },
        {"name": "Notes", "type": "string", "constraints": {"maxLength": 20}},
    ],
    "primaryKey": "Ref",
}

PLANTED = {
    10: ("Amount", "-5.00"),
    20: ("Council", "Narnia"),
    30: ("Ref", "1"),
    40: ("Category", "other"),
    50: ("Paid", ""),
    60: ("Postcode", "NOT A POSTCODE"),
    70: ("Paid", "01/05/2019"),
    80: ("Amount", "abc"),
    90: ("Ref", "12a"),
    95: ("Notes", "a note much longer than twenty characters"),
    99: ("Amount", "250000"),
}


def planted_upload(tmp_path: Path, rows: int = 1000) -> ConversionResult:
    """A clean spend file with one planted fault in each of the rows in PLANTED."""
    councils_cycle = [
        "Cardiff",
        "W06000022",
        "Caerffili",
        "rhondda cynon taf ",
        "Vale of Glamorgan",
    ]
    lines = ["Ref,Council,Amount,Paid,Category,Postcode,Notes"]
    for row in range(1, rows + 1):
        values = {
            "Ref": str(row),
            "Council": councils_cycle[row % len(councils_cycle)],
            "Amount": f"{(row * 37) % 5000}.{row % 100:02d}",
            "Paid": f"{1 + row % 28:02d}/{1 + row % 12:02d}/2023",
            "Category": "goods" if row % 2 else "services",
            "Postcode": f"CF{10 + row % 20} {row % 10}AB",
            "Notes": "",
        }
        if row in PLANTED:
            column, value = PLANTED[row]
            values[column] = value
        lines.append(",".join(values.values()))
    source = tmp_path / "upload.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return convert_to_parquet(source, tmp_path / "out")


def found(report: ValidationReport) -> dict[tuple[str, str], list[tuple[int | None, Any]]]:
    return {
        (group.column, group.key): [(problem.row, problem.value) for problem in group.examples]
        for group in report.groups
    }


def test_planted_errors_are_found_at_their_rows_and_columns(
    tmp_path: Path, councils: list[tuple[str, str, str]]
) -> None:
    upload = planted_upload(tmp_path)
    report = validate_parquet(upload.path, SCHEMA, councils=councils)
    assert report.row_count == 1000
    assert found(report) == {
        ("Amount", "validation.below-minimum"): [(10, "-5.00")],
        ("Council", "validation.unknown-council"): [(20, "Narnia")],
        ("Ref", "validation.duplicate-key"): [(30, "1")],
        ("Category", "validation.not-in-enum"): [(40, "other")],
        ("Paid", "validation.required-missing"): [(50, None)],
        ("Postcode", "validation.pattern-mismatch"): [(60, "NOT A POSTCODE")],
        ("Paid", "validation.below-minimum"): [(70, "2019-05-01")],
        ("Amount", "validation.not-a-number"): [(80, "abc")],
        ("Ref", "validation.not-an-integer"): [(90, "12a")],
        ("Notes", "validation.too-long"): [(95, "a note much longer than twenty characters")],
        ("Amount", "validation.above-maximum"): [(99, "250000")],
    }
    assert report.problem_count == 11
    assert report.invalid_row_count == 11
    assert not report.is_valid
    below = report.group("Amount", "validation.below-minimum")
    assert below is not None
    problem = below.examples[0]
    assert problem.params == {"minimum": 0}
    assert problem.message == "'-5.00' in 'Amount' is below the minimum 0."


def test_counts_are_exact_while_examples_are_capped(tmp_path: Path) -> None:
    source = tmp_path / "many.csv"
    source.write_text(
        "id,value\n" + "".join(f"{n},{-n if n % 7 == 0 else n}\n" for n in range(1, 10_001))
    )
    upload = convert_to_parquet(source, tmp_path / "out")
    schema = {
        "fields": [
            {"name": "id", "type": "integer"},
            {"name": "value", "type": "integer", "constraints": {"minimum": 0}},
        ]
    }
    report = validate_parquet(upload.path, schema, max_examples=5)
    group = report.group("value", "validation.below-minimum")
    assert group is not None
    assert group.count == 10_000 // 7
    assert [problem.row for problem in group.examples] == [7, 14, 21, 28, 35]
    assert [problem.value for problem in group.examples] == ["-7", "-14", "-21", "-28", "-35"]


def test_missing_and_unexpected_columns(tmp_path: Path) -> None:
    upload = planted_upload(tmp_path, rows=20)
    schema = {
        "fields": [
            {"name": "ref", "type": "integer"},  # matched ignoring case
            {"name": "Supplier", "type": "string"},
        ]
    }
    report = validate_parquet(upload.path, schema)
    keys = {(group.column, group.key): group.count for group in report.groups}
    assert keys[("Supplier", "validation.column-missing")] == 1
    assert keys[("Council", "validation.unexpected-column")] == 1
    assert ("Ref", "validation.unexpected-column") not in keys
    assert report.has_column_problems


def test_councils_match_by_code_english_or_welsh_name(
    tmp_path: Path, councils: list[tuple[str, str, str]]
) -> None:
    """StatsWales names the 22 Welsh councils; only the ten CCR ones are ours. "Rhondda Cynon
    Taf" matches although the lookup spells it "Taff" in English, by its Welsh name."""
    upload = convert_to_parquet(
        shared("health/low_birth_weight.csv"),
        tmp_path,
        options=ReadOptions(skip_rows=6, stop_at_blank_row=True),
    )
    schema = {
        "fields": [
            {"name": "column_1", "type": "string"},
            {"name": "column_2", "type": "string"},
            {"name": "column_3", "type": "string", "council": True},
            *[
                {"name": name, "type": "integer", "constraints": {"minimum": 0}}
                for name in [
                    "<2000g",
                    "2000-2499g",
                    "2500-2999g",
                    "3000-3999g",
                    "4000+g",
                    "Not stated (1)",
                    "Total",
                ]
            ],
        ]
    }
    report = validate_parquet(upload.path, schema, councils=councils)
    assert [group.key for group in report.groups] == ["validation.unknown-council"]
    group = report.groups[0]
    assert group.count == 13  # 12 councils outside the region and "Not stated"
    assert {problem.value for problem in group.examples} == {
        "Isle of Anglesey",
        "Gwynedd",
        "Conwy",
        "Denbighshire",
        "Flintshire",
        "Wrexham",
        "Powys",
        "Ceredigion",
        "Pembrokeshire",
        "Carmarthenshire",
        "Swansea",
        "Neath Port Talbot",
        "Not stated",
    }
    assert group.examples[0].row == 3  # Wales, Betsi Cadwaladr, then Isle of Anglesey


def test_emissions_are_valid_against_their_own_declared_types(tmp_path: Path) -> None:
    upload = convert_to_parquet(shared("emissions/local_authority_emissions.csv"), tmp_path)
    schema = {
        "fields": [
            {"name": field["name"], "type": field["type"], "constraints": {"required": True}}
            for field in upload.schema["fields"]
        ],
        "primaryKey": ["Year", "local-authority-code"],
    }
    report = validate_parquet(upload.path, schema)
    assert report.is_valid, report.groups
    assert report.row_count == 6304


def test_declared_types_are_checked_against_text_columns(tmp_path: Path) -> None:
    source = tmp_path / "text.csv"
    source.write_text("when,flag,count\n2024-01-31,yes,1\nsoon,maybe,2.5\n31/01/2024,no,3\n")
    upload = convert_to_parquet(source, tmp_path / "out")
    schema = {
        "fields": [
            {"name": "when", "type": "date"},
            {"name": "flag", "type": "boolean"},
            {"name": "count", "type": "integer"},
        ]
    }
    report = validate_parquet(upload.path, schema)
    assert found(report) == {
        ("when", "validation.not-a-date"): [(2, "soon"), (3, "31/01/2024")],
        ("flag", "validation.not-a-boolean"): [(2, "maybe")],
        ("count", "validation.not-an-integer"): [(2, "2.5")],
    }
    dated = {"fields": [{"name": "when", "type": "date", "format": "%d/%m/%Y"}]}
    report = validate_parquet(upload.path, {**dated, "fields": dated["fields"]})
    group = report.group("when", "validation.not-a-date")
    assert group is not None and [p.row for p in group.examples] == [1, 2]


def test_split_keeps_every_invalid_row_with_its_problems(
    tmp_path: Path, councils: list[tuple[str, str, str]]
) -> None:
    upload = planted_upload(tmp_path)
    report = validate_parquet(upload.path, SCHEMA, councils=councils)
    valid, quarantine = tmp_path / "valid.parquet", tmp_path / "quarantine.parquet"
    counts = split_valid_rows(upload.path, report, valid, quarantine)
    assert counts == (989, 11)
    quarantined = duckdb.execute(
        f"SELECT _row, _problems FROM read_parquet('{quarantine}') ORDER BY _row"
    ).fetchall()
    assert [row for row, _ in quarantined] == sorted(PLANTED)
    by_row = {row: problems for row, problems in quarantined}
    assert by_row[10] == [
        {"column_name": "Amount", "key": "validation.below-minimum", "value": "-5.00"}
    ]
    assert by_row[50][0]["key"] == "validation.required-missing"
    kept = duckdb.execute(f"SELECT count(*), min(Paid) FROM read_parquet('{valid}')").fetchone()
    assert kept == (989, dt.date(2023, 1, 1))
    refs = duckdb.execute(
        f"SELECT count(DISTINCT Ref), count(*), bool_or(Ref = '1') FROM read_parquet('{valid}')"
    ).fetchone()
    assert refs == (989, 989, True)  # the first Ref 1 stays; its duplicate is quarantined
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".incoming")) == []


@pytest.mark.parametrize(
    "schema",
    [
        {"fields": "Ref"},
        {"fields": [{"type": "integer"}]},
        {"fields": [{"name": "Ref", "type": "money"}]},
        {"fields": [{"name": "Category", "type": "string", "constraints": {"enum": []}}]},
        {"fields": [{"name": "Council", "type": "string", "council": True}]},  # no councils given
    ],
)
def test_malformed_schemas_are_refused(tmp_path: Path, schema: dict[str, Any]) -> None:
    upload = planted_upload(tmp_path, rows=5)
    with pytest.raises(SchemaError) as raised:
        validate_parquet(upload.path, schema)
    assert raised.value.key == "validation.invalid-schema"


def test_validating_does_not_load_pandas(tmp_path: Path) -> None:
    """A DuckDB query parameter makes DuckDB import pandas to inspect it (0.5 s of an ingest)."""
    path = tmp_path / "rows.parquet"
    code = (
        "import duckdb\n"
        f"duckdb.sql(\"SELECT 'a' || range AS code FROM range(30)\").write_parquet({str(path)!r})\n"
        "from pathlib import Path\n"
        "from infuse.datalab.ingest.validation import validate_parquet\n"
        "schema = {'fields': [{'name': 'code', 'type': 'string', 'constraints': "
        "{'pattern': 'b.*'}}]}\n"
        f"assert validate_parquet(Path({str(path)!r}), schema).invalid_row_count == 30"
    )
    assert loaded_after(code, {"pandas"}) == []
