"""Converting uploads to typed Parquet: the real files in shared/data, every encoding and format,
the type rules, bad input, atomic output and bounded memory."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import subprocess
import sys
import textwrap
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pytest

from infuse.datalab.ingest.convert import ConversionResult, convert_to_parquet
from infuse.datalab.ingest.readers import suggest_read_options
from infuse.datalab.ingest.sources import IngestError, ReadOptions
from tests.datalab.ingest.test_readers import make_zip_bomb
from tests.reference_data import shared


def rows(result: ConversionResult, where: str = "true") -> list[dict[str, Any]]:
    cursor = duckdb.execute(f"SELECT * FROM read_parquet('{result.path}') WHERE {where}")
    names = [description[0] for description in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def types(result: ConversionResult) -> dict[str, str]:
    return {field["name"]: field["type"] for field in result.schema["fields"]}


def parquet_types(result: ConversionResult) -> dict[str, str]:
    described = duckdb.execute(f"DESCRIBE SELECT * FROM read_parquet('{result.path}')").fetchall()
    return {str(row[0]): str(row[1]) for row in described}


def native_sum(path: Path, column: str, **options: Any) -> float:
    """The column total as DuckDB's own CSV reader sees it: an independent check."""
    settings = ", ".join(f"{key}={value!r}" for key, value in options.items())
    extra = f", {settings}" if settings else ""
    value = duckdb.execute(f"SELECT sum(\"{column}\") FROM read_csv('{path}'{extra})").fetchone()
    assert value is not None
    return float(value[0])


# --- the real files -------------------------------------------------------------------------------


def test_leeds_raw_spend(tmp_path: Path) -> None:
    """Leeds, January 2011 as published: dd-Mon-yyyy dates, one Windows-1252 byte (line 8799)."""
    result = convert_to_parquet(shared("spend/leeds_raw_2011-01.csv"), tmp_path)
    assert result.row_count == 8837
    assert types(result)["Date paid"] == "date"
    assert types(result)["Net Amount"] == "number"
    assert types(result)["Supplier name"] == "string"
    assert types(result)["Transaction Number"] == "string"
    assert parquet_types(result)["Net Amount"].startswith("DECIMAL")
    fields = {field["name"]: field for field in result.schema["fields"]}
    assert fields["Date paid"]["format"] == "%d-%b-%Y"
    first = rows(result, "\"Transaction Number\" = '1101-00001'")[0]
    assert first["Date paid"] == dt.date(2011, 1, 14)
    assert first["Net Amount"] == Decimal("870.83")
    assert first["Supplier name"] == "A & A ELECTRICAL DISTRIBUTORS LTD"
    band = rows(result, "\"Transaction Number\" = '1101-08798'")[0]
    assert band["Detailed expenditure type"] == "Teaching Equipment – Concert Band"
    assert "ingest.mixed-encoding" in {warning.key for warning in result.warnings}
    total = duckdb.execute(f"SELECT sum(\"Net Amount\") FROM '{result.path}'").fetchone()
    assert total is not None
    # DuckDB's reader needs ignore_errors for the stray byte; the totals must agree.
    reference = native_sum(shared("spend/leeds_raw_2011-01.csv"), "Net Amount", ignore_errors=True)
    assert float(total[0]) == pytest.approx(reference, abs=0.005)


def test_darlington_period_labels_stay_text(tmp_path: Path) -> None:
    path = shared("spend/darlington_clean_2010-09.csv")
    result = convert_to_parquet(path, tmp_path)
    assert result.row_count == 4104
    assert types(result) == {
        "Date": "string",
        "Directorate": "string",
        "Service": "string",
        "Supplier": "string",
        "Invoice Line Value (net of VAT)": "number",
        "Account": "string",
    }
    first = rows(result, "Supplier = 'AUDIT COMMISSION'")[0]
    assert first["Date"] == "July 2010-September 2010"
    assert first["Invoice Line Value (net of VAT)"] == Decimal("1142.00")
    total = duckdb.execute(
        f"SELECT sum(\"Invoice Line Value (net of VAT)\") FROM '{result.path}'"
    ).fetchone()
    assert total is not None
    assert float(total[0]) == pytest.approx(
        native_sum(path, "Invoice Line Value (net of VAT)"), abs=0.005
    )


@pytest.mark.parametrize(
    ("relative", "row_count", "first_amount", "first_date"),
    [
        ("spend/manchester_processed_2019-01.csv", 3719, Decimal("7033.53"), dt.date(2019, 1, 2)),
        ("spend/bradford_2019-01_processed.csv", 9664, Decimal("1338.64"), dt.date(2019, 1, 10)),
        ("spend/salford_processed_2019-01.csv", 1375, Decimal("567.44"), dt.date(2019, 1, 2)),
    ],
)
def test_processed_spend_files_have_dates_and_decimal_amounts(
    tmp_path: Path, relative: str, row_count: int, first_amount: Decimal, first_date: dt.date
) -> None:
    path = shared(relative)
    result = convert_to_parquet(path, tmp_path)
    assert result.row_count == row_count
    assert types(result)["Payment Date"] == "date"
    assert types(result)["Amount"] == "number"
    assert parquet_types(result)["Payment Date"] == "DATE"
    assert parquet_types(result)["Amount"] == "DECIMAL(18,2)"
    first = rows(result, "true LIMIT 1")[0]
    assert first["Amount"] == first_amount
    assert first["Payment Date"] == first_date
    # The company and charity number columns are empty in these months.
    assert result.missing_counts["Company Number"] == row_count
    assert result.missing_counts["Payment Date"] == 0
    assert result.schema["fields"][0]["constraints"] == {"required": True}
    total = duckdb.execute(f"SELECT sum(Amount) FROM '{result.path}'").fetchone()
    assert total is not None
    assert float(total[0]) == pytest.approx(
        native_sum(path, "Amount", ignore_errors=True), abs=0.005
    )


def _frictionless_fields(resource_yaml: Path) -> list[tuple[str, str]]:
    """(name, type) pairs of a Frictionless resource's schema; the YAML is regular enough that
    a pattern reads it without a YAML library."""
    text = resource_yaml.read_text(encoding="utf-8")
    return [
        (name.strip().strip("'\""), kind)
        for name, kind in re.findall(r"^  - name: (.+)\n    type: (\w+)", text, re.MULTILINE)
    ]


def test_emissions_types_agree_with_its_frictionless_schema(tmp_path: Path) -> None:
    expected = _frictionless_fields(shared("emissions/local_authority_emissions.resource.yaml"))
    assert len(expected) == 35
    result = convert_to_parquet(shared("emissions/local_authority_emissions.csv"), tmp_path)
    assert result.row_count == 6304  # custom.row_count in the resource
    assert [(field["name"], field["type"]) for field in result.schema["fields"]] == expected
    cardiff = rows(result, "\"local-authority-code\" = 'CRF' AND Year = 2020")[0]
    assert cardiff["official-name"] == "City of Cardiff Council"
    assert isinstance(cardiff["Total Emissions:kt CO2"], float)
    assert cardiff["Total Emissions:kt CO2"] > 0
    assert not any(result.missing_counts.values())


STATSWALES = ReadOptions(skip_rows=6, header_rows=1)  # a preamble: the table ends at a blank


def test_statswales_low_birth_weight(tmp_path: Path) -> None:
    result = convert_to_parquet(shared("health/low_birth_weight.csv"), tmp_path, options=STATSWALES)
    assert result.row_count == 30  # Wales, 7 health boards, 22 councils; footnotes dropped
    assert [field["name"] for field in result.schema["fields"]] == [
        "column_1",
        "column_2",
        "column_3",
        "<2000g",
        "2000-2499g",
        "2500-2999g",
        "3000-3999g",
        "4000+g",
        "Not stated (1)",
        "Total",
    ]
    assert set(types(result).values()) == {"string", "integer"}
    assert types(result)["Not stated (1)"] == "integer"
    assert result.missing_counts["Not stated (1)"] == 6  # "." for suppressed
    keys = {warning.key for warning in result.warnings}
    assert {"ingest.column-name-trimmed", "ingest.column-unnamed", "ingest.values-trimmed"} <= keys
    footer = next(w for w in result.warnings if w.key == "ingest.footer-dropped")
    assert footer.params == {"line": 38, "count": 29}  # footnotes and metadata below the table
    cardiff = rows(result, "column_3 = 'Cardiff'")[0]  # "Cardiff " in the file
    assert (cardiff["<2000g"], cardiff["Total"]) == (83, 3526)
    anglesey = rows(result, "column_3 = 'Isle of Anglesey'")[0]
    assert anglesey["Not stated (1)"] is None
    wales = rows(result, "column_1 = 'Wales' AND column_2 IS NULL")[0]
    assert wales["Total"] == 27457


def test_statswales_header_can_be_read_as_two_rows(tmp_path: Path) -> None:
    """The blank line above the labels as a first header row gives the same names."""
    two_rows = ReadOptions(skip_rows=5, header_rows=2)
    result = convert_to_parquet(shared("health/low_birth_weight.csv"), tmp_path, options=two_rows)
    single = convert_to_parquet(
        shared("health/low_birth_weight.csv"), tmp_path / "single", options=STATSWALES
    )
    assert result.schema == single.schema
    assert result.sha256 == single.sha256


def test_statswales_file_saved_by_excel_with_crlf_reads_the_same(tmp_path: Path) -> None:
    """Excel saves CSV with CRLF line ends: the preamble skipped, the table is the same (it
    was refused as "no rows of data": the skipped lines kept CRLF, the rows did not)."""
    text = shared("health/low_birth_weight.csv").read_bytes().replace(b"\r\n", b"\n")
    saved = tmp_path / "low_birth_weight_excel.csv"
    saved.write_bytes(text.replace(b"\n", b"\r\n"))
    result = convert_to_parquet(saved, tmp_path / "crlf", options=STATSWALES)
    single = convert_to_parquet(
        shared("health/low_birth_weight.csv"), tmp_path / "lf", options=STATSWALES
    )
    assert result.row_count == single.row_count == 30
    assert result.schema == single.schema
    assert result.sha256 == single.sha256
    assert {w.key for w in result.warnings} == {w.key for w in single.warnings}


@pytest.mark.parametrize(
    ("relative", "skip_rows"),
    [
        ("health/low_birth_weight.csv", 6),
        ("health/adult_lifestyle.csv", 8),
        ("spend/leeds_raw_2011-01.csv", 0),
        ("emissions/local_authority_emissions.csv", 0),
    ],
)
def test_suggested_options_find_the_statswales_preamble(relative: str, skip_rows: int) -> None:
    options = suggest_read_options(shared(relative))
    assert (options.format, options.delimiter, options.skip_rows) == ("csv", ",", skip_rows)


def test_statswales_wide_table_converts_with_the_suggested_options(tmp_path: Path) -> None:
    """National Survey for Wales, adult lifestyles: wide, "." for not applicable."""
    path = shared("health/adult_lifestyle.csv")
    result = convert_to_parquet(path, tmp_path, options=suggest_read_options(path))
    fields = {field["name"]: field["type"] for field in result.schema["fields"]}
    assert fields["Wales"] == "number"
    assert fields["Cardiff"] == "number"
    smoker = rows(result, "column_2 = 'Smoker'")[0]
    assert smoker["Wales"] == Decimal("12.804476")
    assert "ingest.footer-dropped" in {warning.key for warning in result.warnings}


# --- encodings and formats -----------------------------------------------------------------------

CSV_TEXT = (
    "Supplier,Amount,Paid on\n"
    'Caffi Café – “Y Bont”,"£1,234.50",03/01/2024\n'
    "Siop Lyfrau,£20.00,31/12/2023\n"
    "Ysgol Gynradd,-£3.10,29/02/2024\n"
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_every_common_encoding_gives_the_same_table(tmp_path: Path, encoding: str) -> None:
    source = tmp_path / "upload.csv"
    source.write_bytes(CSV_TEXT.encode(encoding))
    result = convert_to_parquet(source, tmp_path / "out")
    assert types(result) == {"Supplier": "string", "Amount": "number", "Paid on": "date"}
    assert rows(result) == [
        {
            "Supplier": "Caffi Café – “Y Bont”",
            "Amount": Decimal("1234.50"),
            "Paid on": dt.date(2024, 1, 3),
        },
        {"Supplier": "Siop Lyfrau", "Amount": Decimal("20.00"), "Paid on": dt.date(2023, 12, 31)},
        {"Supplier": "Ysgol Gynradd", "Amount": Decimal("-3.10"), "Paid on": dt.date(2024, 2, 29)},
    ]


def test_latin1_file_with_pound_signs(tmp_path: Path) -> None:
    source = tmp_path / "latin1.csv"
    source.write_bytes("Item;Cost\nCrème brûlée;£4,50\nCafé;£12\n".encode("latin-1"))
    result = convert_to_parquet(source, tmp_path / "out")
    assert result.encoding == "utf-8" and result.delimiter == ";"
    assert [row["Item"] for row in rows(result)] == ["Crème brûlée", "Café"]
    assert "ingest.encoding-converted" in {warning.key for warning in result.warnings}


def test_xlsx_sheet_preamble_dates_and_excel_serials(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.title = "Cover"
    workbook.active.append(["This workbook has notes first"])
    sheet = workbook.create_sheet("Payments")
    sheet.append(["Payments over £500, Torfaen"])
    sheet.append([])
    sheet.append(["Paid", "Payment date", "Supplier", "Amount", "Approved"])
    sheet.append([dt.datetime(2024, 4, 1), 45383, "Acme Ltd", 1234.5, True])
    sheet.append([dt.datetime(2024, 4, 2), 45384, "Siop", 20, False])
    path = tmp_path / "torfaen.xlsx"
    workbook.save(path)
    result = convert_to_parquet(
        path, tmp_path / "out", options=ReadOptions(sheet="Payments", skip_rows=2)
    )
    assert types(result) == {
        "Paid": "date",
        "Payment date": "date",
        "Supplier": "string",
        "Amount": "number",
        "Approved": "boolean",
    }
    assert rows(result)[0] == {
        "Paid": dt.date(2024, 4, 1),
        "Payment date": dt.date(2024, 4, 1),  # Excel serial 45383
        "Supplier": "Acme Ltd",
        "Amount": Decimal("1234.5"),
        "Approved": True,
    }
    assert result.source_format == "xlsx"
    with pytest.raises(IngestError) as raised:
        convert_to_parquet(path, tmp_path / "out", options=ReadOptions(sheet="Nope"))
    assert raised.value.key == "ingest.sheet-not-found"
    assert raised.value.params["sheets"] == ["Cover", "Payments"]


def test_xlsx_zip_bomb_is_refused_and_leaves_nothing(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xlsx"
    make_zip_bomb(bomb, 20 * 1024 * 1024)
    dest = tmp_path / "out"
    with pytest.raises(IngestError) as raised:
        convert_to_parquet(bomb, dest)
    assert raised.value.key == "ingest.xlsx-compression-ratio"
    assert list(dest.iterdir()) == []


def test_parquet_json_and_ndjson_uploads(tmp_path: Path) -> None:
    records = [
        {"council": "Cardiff", "count": 3, "rate": 1.5, "when": "2024-01-31", "paid": "£1,200"},
        {"council": "Newport", "count": 5, "rate": None, "when": "2024-02-29", "paid": "£15"},
    ]
    (tmp_path / "array.json").write_text(json.dumps(records))
    (tmp_path / "lines.ndjson").write_text("\n".join(json.dumps(r) for r in records) + "\n")
    duckdb.execute(
        "COPY (SELECT 'Cardiff' AS council, 3::INTEGER AS count, '£1,200' AS paid) "
        f"TO '{tmp_path / 'upload.parquet'}' (FORMAT parquet)"
    )
    for name in ["array.json", "lines.ndjson"]:
        result = convert_to_parquet(tmp_path / name, tmp_path / "out")
        assert result.source_format == ("json" if name == "array.json" else "ndjson")
        assert types(result)["council"] == "string"
        assert types(result)["count"] == "integer"
        assert types(result)["rate"] == "number"
        assert types(result)["when"] == "date"
        assert types(result)["paid"] == "number"  # text money inside JSON is typed too
        assert rows(result)[0]["paid"] == Decimal("1200")
    result = convert_to_parquet(tmp_path / "upload.parquet", tmp_path / "out")
    assert result.source_format == "parquet"
    assert types(result) == {"council": "string", "count": "integer", "paid": "number"}


def test_a_csv_that_starts_like_json_is_read_as_csv(tmp_path: Path) -> None:
    path = tmp_path / "brackets.csv"
    path.write_text("[Ref],Amount\n1,2.50\n2,3\n")
    result = convert_to_parquet(path, tmp_path / "out")
    assert result.source_format == "csv"
    assert types(result) == {"[Ref]": "integer", "Amount": "number"}


def test_invalid_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('[{"a": 1}, {"a": ')
    for options in [ReadOptions(), ReadOptions(format="json")]:
        with pytest.raises(IngestError) as raised:
            convert_to_parquet(path, tmp_path / "out", options=options)
        assert raised.value.key == "ingest.invalid-json"


# --- type rules ----------------------------------------------------------------------------------


def convert_text(tmp_path: Path, text: str, **options: Any) -> ConversionResult:
    source = tmp_path / "upload.csv"
    source.write_text(text, encoding="utf-8")
    return convert_to_parquet(source, tmp_path / "out", options=ReadOptions(**options))


def column(result: ConversionResult, name: str) -> list[Any]:
    return [row[name] for row in rows(result)]


@pytest.mark.parametrize(
    ("values", "expected_type", "table_format", "first"),
    [
        (["2024-01-03", "2023-12-31"], "date", "default", dt.date(2024, 1, 3)),
        (["03/01/2024", "31/12/2023"], "date", "%d/%m/%Y", dt.date(2024, 1, 3)),
        (["03/01/24", "31/12/23"], "date", "%d/%m/%y", dt.date(2024, 1, 3)),
        (["14-Jan-11", "01-Feb-11"], "date", "%d-%b-%y", dt.date(2011, 1, 14)),
        (["01-JAN-2011", "28-FEB-2011"], "date", "%d-%b-%Y", dt.date(2011, 1, 1)),
        (["3 March 2024", "15 April 2024"], "date", "%d %B %Y", dt.date(2024, 3, 3)),
        (
            ["2024-01-03 10:15:00", "2024-01-04 23:59:59"],
            "datetime",
            "%Y-%m-%d %H:%M:%S",
            dt.datetime(2024, 1, 3, 10, 15),
        ),
        (
            ["03/01/2024 10:15", "04/01/2024 09:00"],
            "datetime",
            "%d/%m/%Y %H:%M",
            dt.datetime(2024, 1, 3, 10, 15),
        ),
        (["Yes", "no"], "boolean", None, True),
        (["TRUE", "false"], "boolean", None, True),
        (["12", "-3"], "integer", None, 12),
        (["12.5", "-3"], "number", None, Decimal("12.5")),
        (["00123", "00456"], "string", None, "00123"),  # codes keep their zeros
        (["July 2010-September 2010", "2010-07-01"], "string", None, "July 2010-September 2010"),
    ],
)
def test_column_types_are_inferred(
    tmp_path: Path, values: list[str], expected_type: str, table_format: str | None, first: Any
) -> None:
    result = convert_text(tmp_path, "value\n" + "\n".join(values) + "\n")
    field = result.schema["fields"][0]
    assert field["type"] == expected_type
    assert field.get("format") == table_format
    assert column(result, "value")[0] == first


def test_money_is_cleaned_when_every_value_is_money(tmp_path: Path) -> None:
    result = convert_text(
        tmp_path,
        'Amount\n"£1,234.56"\nGBP 12.00\n(£5.00)\n-£3.10\n"1,000"\n12.5GBP\n',
    )
    field = result.schema["fields"][0]
    assert field["type"] == "number"
    assert field["bareNumber"] is False and field["groupChar"] == ","
    assert column(result, "Amount") == [
        Decimal("1234.56"),
        Decimal("12.00"),
        Decimal("-5.00"),
        Decimal("-3.10"),
        Decimal("1000.00"),
        Decimal("12.50"),
    ]
    assert "ingest.currency-stripped" in {warning.key for warning in result.warnings}


def test_mostly_money_with_some_text_is_kept_as_text_with_a_warning(tmp_path: Path) -> None:
    lines = ["£10.00"] * 19 + ["refund pending"]
    result = convert_text(tmp_path, "Amount\n" + "\n".join(lines) + "\n")
    assert result.schema["fields"][0]["type"] == "string"
    assert column(result, "Amount")[-1] == "refund pending"
    warning = next(w for w in result.warnings if w.key == "ingest.mostly-numeric")
    assert warning.params == {"column": "Amount", "count": 1}


def test_missing_markers_become_null_and_are_counted(tmp_path: Path) -> None:
    markers = ["", ".", "..", "-", "n/a", ":", "x", "*"]
    text = "Area,Count\n" + "".join(f"A{i},{m}\n" for i, m in enumerate(markers)) + "B,7\nC,9\n"
    result = convert_text(tmp_path, text)
    field = result.schema["fields"][1]
    assert field["type"] == "integer"
    assert set(markers) <= set(field["missingValues"])
    assert result.missing_counts == {"Area": 0, "Count": 8}
    assert column(result, "Count") == [None] * 8 + [7, 9]


def test_a_late_value_that_breaks_the_sample_type_is_never_lost(tmp_path: Path) -> None:
    """Inference looks at 10 rows here; row 51 is text: the column becomes text, not NULL."""
    text = "Ref,Amount\n" + "".join(f"{n},1.50\n" for n in range(50)) + "abc,1.255\n"
    result = convert_text(tmp_path, text, inference_rows=10)
    assert types(result) == {"Ref": "string", "Amount": "number"}
    assert column(result, "Ref")[-1] == "abc"
    assert column(result, "Amount")[-1] == Decimal("1.255")  # not rounded to the sample's 2 dp


def test_blank_rows_are_skipped_and_trailing_spaces_trimmed(tmp_path: Path) -> None:
    result = convert_text(tmp_path, "Council ,Value\nCardiff ,1\n,\n\n Newport,2\n")
    assert rows(result) == [{"Council": "Cardiff", "Value": 1}, {"Council": "Newport", "Value": 2}]


# --- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "key"),
    [
        (b"", "ingest.empty-file"),
        (b"\r\n\r\n", "ingest.empty-file"),
        (b"Date,Amount\r\n", "ingest.header-only"),
        (b"Date,Amount\n,\n,\n", "ingest.header-only"),
        (bytes(range(256)) * 50, "ingest.unknown-encoding"),
    ],
)
def test_bad_files_raise_typed_errors(tmp_path: Path, content: bytes, key: str) -> None:
    source = tmp_path / "upload.csv"
    source.write_bytes(content)
    dest = tmp_path / "out"
    with pytest.raises(IngestError) as raised:
        convert_to_parquet(source, dest)
    assert raised.value.key == key
    assert isinstance(raised.value, ValueError)
    assert list(dest.iterdir()) == []  # nothing half-written is left behind


def test_ragged_rows_are_reported_with_their_line_numbers(tmp_path: Path) -> None:
    source = tmp_path / "ragged.csv"
    source.write_text("a,b,c\n1,2,3\n4,5\n6,7,8\n9,10,11,12\n13,14,15\n")
    with pytest.raises(IngestError) as raised:
        convert_to_parquet(source, tmp_path / "out")
    assert raised.value.key == "ingest.ragged-rows"
    assert raised.value.params["rows"] == [3, 5]
    assert raised.value.params["count"] == 2
    assert [problem["row"] for problem in raised.value.problems] == [3, 5]
    assert raised.value.problems[0]["text"] == "4,5"

    result = convert_to_parquet(source, tmp_path / "out", options=ReadOptions(skip_bad_rows=True))
    assert result.row_count == 3
    warning = next(w for w in result.warnings if w.key == "ingest.bad-rows-skipped")
    assert warning.params["rows"] == [3, 5]


def test_a_trailing_delimiter_on_every_data_row_is_an_unnamed_column(tmp_path: Path) -> None:
    source = tmp_path / "trailing.csv"
    source.write_text("Supplier,Amount\nAcme,1.50,\nSiop,2,\n")
    result = convert_to_parquet(source, tmp_path / "out")
    assert types(result) == {"Supplier": "string", "Amount": "number", "column_3": "string"}
    assert result.missing_counts["column_3"] == 2
    assert "ingest.column-unnamed" in {warning.key for warning in result.warnings}


def test_one_enormous_line_is_refused_without_reading_it_whole(tmp_path: Path) -> None:
    source = tmp_path / "one-line.csv"
    source.write_bytes(b"a," + b"x" * (20 * 1024 * 1024))
    with pytest.raises(IngestError) as raised:
        convert_to_parquet(source, tmp_path / "out")
    assert raised.value.key == "ingest.unreadable"


def test_declared_encoding_that_does_not_fit_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "upload.csv"
    source.write_bytes(b"a,b\n1,\x81\n")
    with pytest.raises(IngestError) as raised:
        convert_to_parquet(source, tmp_path / "out", options=ReadOptions(encoding="klingon"))
    assert raised.value.key == "ingest.unknown-encoding"
    with pytest.raises(IngestError) as raised:
        convert_to_parquet(source, tmp_path / "out", options=ReadOptions(encoding="cp1252"))
    assert raised.value.key == "ingest.undecodable-bytes"


# --- output --------------------------------------------------------------------------------------


def test_output_is_named_by_its_sha256_and_written_atomically(tmp_path: Path) -> None:
    calls: list[tuple[int, int | None]] = []
    threads: set[int] = set()
    source = tmp_path / "upload.csv"
    source.write_text(CSV_TEXT, encoding="utf-8")
    dest = tmp_path / "out"

    def progress(done: int, total: int | None) -> None:
        calls.append((done, total))
        threads.add(threading.get_ident())

    result = convert_to_parquet(source, dest, progress=progress)
    assert threads == {threading.get_ident()}  # called on the caller's thread only
    digest = hashlib.sha256(result.path.read_bytes()).hexdigest()
    assert result.sha256 == digest
    assert result.path == dest / f"{digest}.parquet"
    assert result.size == result.path.stat().st_size
    assert sorted(p.name for p in dest.iterdir()) == [f"{digest}.parquet"]  # no scratch left
    assert calls[-1] == (source.stat().st_size, source.stat().st_size)
    again = convert_to_parquet(source, dest)
    assert again.path == result.path  # same content, same name


@pytest.mark.slow
def test_a_350_mb_csv_converts_in_bounded_memory(tmp_path: Path) -> None:
    """Peak RSS of a fresh process converting ~350 MB stays well below the file's size: it is
    bounded by DuckDB's memory limit (128 MB here) plus a constant, not by the file."""
    source = tmp_path / "big.csv"
    line = '{n},{d:02d}/{m:02d}/2023,Supplier {s} Ltd,"£{a:,}.{p:02d}",Waste Management\n'
    with source.open("w", encoding="utf-8") as handle:
        handle.write("Ref,Paid,Supplier,Amount,Service\n")
        n = 0
        while handle.tell() < 350 * 1024 * 1024:
            handle.write(
                "".join(
                    line.format(
                        n=n + i, d=1 + i % 28, m=1 + i % 12, s=i % 997, a=i % 50_000, p=i % 100
                    )
                    for i in range(100_000)
                )
            )
            n += 100_000
    size = source.stat().st_size
    script = textwrap.dedent(
        f"""
        import resource, json
        from pathlib import Path
        from infuse.datalab.ingest.convert import convert_to_parquet
        from infuse.datalab.ingest.sources import ReadOptions
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        result = convert_to_parquet(Path({str(source)!r}), Path({str(tmp_path / "out")!r}),
                                    options=ReadOptions(duckdb_memory_limit="128MB"))
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        print(json.dumps({{"before": before, "after": after, "rows": result.row_count,
                           "types": [f["type"] for f in result.schema["fields"]]}}))
        """
    )
    completed = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[3],
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    measured = json.loads(completed.stdout.strip().splitlines()[-1])
    assert measured["rows"] == n
    assert measured["types"] == ["integer", "date", "string", "number", "string"]
    growth = measured["after"] - measured["before"]
    assert growth < size / 2, (
        f"peak RSS grew by {growth / 2**20:.0f} MiB for {size / 2**20:.0f} MiB"
    )


@pytest.mark.parametrize("line_end", ["\r\n", "\n"])
def test_a_carriage_return_inside_a_quoted_field_is_kept(tmp_path: Path, line_end: str) -> None:
    """A valid CSV (RFC 4180 allows line breaks inside quotes) used to be refused as unreadable
    when a quoted field held a bare carriage return."""
    source = tmp_path / "notes.csv"
    text = line_end.join(["area,note,count", 'Cardiff,"line one\rstill one",3', "Newport,plain,4"])
    source.write_bytes((text + line_end).encode())
    result = convert_to_parquet(source, tmp_path / "out")
    assert result.row_count == 2
    assert rows(result)[0] == {"area": "Cardiff", "note": "line one\rstill one", "count": 3}


@pytest.mark.parametrize(
    ("text", "options", "rows", "names", "skipped"),
    [
        # pandas' to_csv of one column: the index's header is blank. A table, from line 1.
        (",value\n0,5\n1,6\n\n2,7\n3,8\n", {}, 4, ["column_1", "value"], 0),
        # A header with more blank names than named ones is still the header.
        ("id,,,\n1,a,b,c\n2,d,e,f\n", {}, 2, ["id", "column_2", "column_3", "column_4"], 0),
        # A quoted title with a line break in it: two lines skipped, not one record.
        (
            '"Title\nsubtitle"\nArea,Value,Year\nCardiff,1,2020\nNewport,2,2020\n',
            {},
            2,
            ["Area", "Value", "Year"],
            2,
        ),
        # A header of two rows: its top row has few cells, and is not a preamble.
        (
            "Area,,2019,,,2020,,\n,,m,f,all,m,f,all\nCardiff,x,1,2,3,4,5,6\nNewport,y,1,2,3,4,5,6\n",
            {"header_rows": 2},
            2,
            ["Area", "column_2", "2019 m", "f", "all", "2020 m", "f_2", "all_2"],
            0,
        ),
    ],
    ids=["blank-index-name", "blank-names", "quoted-title", "two-row-header"],
)
def test_a_preamble_is_found_only_where_there_is_one(
    tmp_path: Path, text: str, options: dict, rows: int, names: list[str], skipped: int
) -> None:
    source = tmp_path / "table.csv"
    source.write_text(text, encoding="utf-8")
    result = convert_to_parquet(
        source, tmp_path / "out", options=ReadOptions(skip_rows=None, **options)
    )
    assert result.row_count == rows
    assert [field["name"] for field in result.schema["fields"]] == names
    said = [w.params for w in result.warnings if w.key == "ingest.preamble-skipped"]
    assert said == ([{"count": skipped, "header_line": skipped + 1}] if skipped else [])
