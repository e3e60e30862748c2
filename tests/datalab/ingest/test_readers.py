"""Detecting and opening uploads: names, formats, encodings, delimiters, XLSX bombs, headers."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import openpyxl
import pytest

from infuse.datalab.ingest.csv_files import prepare_csv, sniff_delimiter
from infuse.datalab.ingest.encodings import detect_encoding, transcode_to_utf8
from infuse.datalab.ingest.readers import detect_format
from infuse.datalab.ingest.sources import (
    IngestError,
    ReadOptions,
    clean_column_names,
    safe_display_name,
)
from infuse.datalab.ingest.xlsx_files import check_zip_safety, xlsx_sheet_names


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\Windows\\System32\\cmd.exe", "cmd.exe"),
        ("/var/www/../../secret.csv", "secret.csv"),
        ("C:\\Users\\me\\spend £ 2024.csv", "spend £ 2024.csv"),
        ("..", "upload"),
        ("", "upload"),
        (".htaccess", "htaccess"),
        ("bad\x00name\n.csv", "bad_name_.csv"),
        ('a<b>c:d"e|f?g*.csv', "a_b_c_d_e_f_g_.csv"),
        ("CON.csv", "_CON.csv"),
        ("report.csv. . ", "report.csv"),
    ],
)
def test_safe_display_name_neutralises_paths_and_reserved_characters(
    name: str, expected: str
) -> None:
    assert safe_display_name(name) == expected
    assert "/" not in safe_display_name(name) and "\\" not in safe_display_name(name)


def test_safe_display_name_keeps_the_extension_when_shortening() -> None:
    shortened = safe_display_name("x" * 500 + ".xlsx", max_length=50)
    assert len(shortened) == 50
    assert shortened.endswith(".xlsx")


def test_format_is_detected_from_content_not_name(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append(["a"])
    workbook.save(tmp_path / "really-a-workbook.csv")
    (tmp_path / "array.txt").write_text(json.dumps([{"a": 1}]))
    (tmp_path / "lines.csv").write_text('{"a": 1}\n{"a": 2}\n')
    (tmp_path / "plain.json").write_text("a,b\n1,2\n")
    assert detect_format(tmp_path / "really-a-workbook.csv") == "xlsx"
    assert detect_format(tmp_path / "array.txt") == "json"
    assert detect_format(tmp_path / "lines.csv") == "ndjson"
    assert detect_format(tmp_path / "plain.json") == "csv"


TEXT = "Supplier,Amount\nCaffi Café – Ffordd Pen-y-bont,£1,234.50\nSiop “Ŵy”,£20.00\n"


@pytest.mark.parametrize(
    ("encoding", "content", "expected"),
    [
        ("utf-8", TEXT.encode("utf-8"), "utf-8"),
        ("utf-8-sig", TEXT.encode("utf-8-sig"), "utf-8-sig"),
        ("utf-16", TEXT.encode("utf-16"), "utf-16"),
        # Windows-1252 has £, é, the en dash and curly quotes, but not Ŵ.
        ("cp1252", TEXT.replace("Ŵ", "W").encode("cp1252"), "cp1252"),
        # Latin-1 text is read as Windows-1252, which agrees on every printable character.
        (
            "latin-1",
            "Name,Cost\nCafé Ronsard,£12.50\nNaïve Crêpes,£3\n".encode("latin-1"),
            "cp1252",
        ),
    ],
)
def test_encoding_is_detected_from_the_bytes(
    tmp_path: Path, encoding: str, content: bytes, expected: str
) -> None:
    path = tmp_path / f"{encoding}.csv"
    path.write_bytes(content)
    assert detect_encoding(path) == expected


def test_binary_content_is_an_unknown_encoding(tmp_path: Path) -> None:
    path = tmp_path / "image.csv"
    path.write_bytes(bytes(range(256)) * 40)
    with pytest.raises(IngestError) as raised:
        detect_encoding(path)
    assert raised.value.key == "ingest.unknown-encoding"


def test_stray_windows_1252_byte_in_utf8_is_decoded_as_its_character(tmp_path: Path) -> None:
    """Leeds and Bradford files: UTF-8 (ASCII) with one 0x96 byte (an en dash) far down."""
    source = tmp_path / "mixed.csv"
    source.write_bytes("a,b\nCafé,1\n".encode() + b"Equipment \x96 Band,2\n")
    dest = tmp_path / "out.csv"
    replaced = transcode_to_utf8(source, dest, "utf-8")
    assert replaced == 1
    assert dest.read_text(encoding="utf-8") == "a,b\nCafé,1\nEquipment – Band,2\n"


def test_bytes_undefined_in_the_declared_encoding_are_refused(tmp_path: Path) -> None:
    source = tmp_path / "bad.csv"
    source.write_bytes(b"a,b\n1,\x81\n")  # 0x81 is unassigned in Windows-1252
    with pytest.raises(IngestError) as raised:
        transcode_to_utf8(source, tmp_path / "out.csv", "cp1252")
    assert raised.value.key == "ingest.undecodable-bytes"
    assert raised.value.params["offset"] == 6


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiter_is_sniffed(delimiter: str) -> None:
    lines = [
        delimiter.join(["Date", "Supplier", "Amount"]) + "\n",
        delimiter.join(["01/02/2024", '"Smith, Jones & Co"', "12.50"]) + "\n",
        delimiter.join(["02/02/2024", "Acme; Ltd", "3"]) + "\n",
    ]
    assert sniff_delimiter(lines) == delimiter


def test_column_names_are_trimmed_deduplicated_and_named() -> None:
    names, warnings = clean_column_names(["Amount ", "", "Amount", "amount", "  Net   value "])
    assert names == ["Amount", "column_2", "Amount_2", "amount_3", "Net value"]
    keys = [warning.key for warning in warnings]
    assert keys == [
        "ingest.column-name-trimmed",
        "ingest.column-unnamed",
        "ingest.column-deduplicated",
        "ingest.column-deduplicated",
        "ingest.column-name-trimmed",  # spaces tidied, nothing else
    ]


def test_multi_row_header_rows_are_joined(tmp_path: Path) -> None:
    path = tmp_path / "statswales.csv"
    path.write_text(
        "Title line,,\n,,\nArea,Births,Births\n,2022,2023 \nCardiff,10,12\n", encoding="utf-8"
    )
    prepared = prepare_csv(path, tmp_path, ReadOptions(skip_rows=2, header_rows=2))
    assert prepared.names == ["Area", "Births 2022", "Births 2023"]
    assert prepared.first_data_line == 5


def test_empty_and_header_only_files_are_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    blank = tmp_path / "blank.csv"
    blank.write_bytes(b"\xef\xbb\xbf \r\n\r\n")
    header_only = tmp_path / "header.csv"
    header_only.write_text("Date,Amount\n\n")
    for path, key in [
        (empty, "ingest.empty-file"),
        (blank, "ingest.empty-file"),
        (header_only, "ingest.header-only"),
    ]:
        with pytest.raises(IngestError) as raised:
            prepare_csv(path, tmp_path, ReadOptions())
        assert raised.value.key == key, path.name


def make_zip_bomb(path: Path, uncompressed_bytes: int) -> None:
    """An XLSX-shaped zip whose sheet is one cell repeated: it deflates about 400:1."""
    row = "<row>" + '<c t="n"><v>1</v></c>' * 1000 + "</row>"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"/>',
        )
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b"<worksheet><sheetData>")
            written = 0
            block = (row * 50).encode()
            while written < uncompressed_bytes:
                sheet.write(block)
                written += len(block)
            sheet.write(b"</sheetData></worksheet>")


def test_xlsx_zip_bomb_is_refused_before_opening(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xlsx"
    make_zip_bomb(bomb, 60 * 1024 * 1024)
    info = zipfile.ZipFile(bomb).getinfo("xl/worksheets/sheet1.xml")
    assert info.file_size / info.compress_size > 300  # it really is a bomb
    with pytest.raises(IngestError) as raised:
        check_zip_safety(bomb, max_uncompressed_bytes=1 << 30, max_compression_ratio=100)
    assert raised.value.key == "ingest.xlsx-compression-ratio"
    with pytest.raises(IngestError) as raised:
        check_zip_safety(bomb, max_uncompressed_bytes=10 << 20, max_compression_ratio=10_000)
    assert raised.value.key == "ingest.xlsx-too-large"
    with pytest.raises(IngestError) as raised:
        xlsx_sheet_names(bomb)
    assert raised.value.key == "ingest.xlsx-compression-ratio"


def test_ordinary_workbook_passes_the_zip_check(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Spend"
    for number in range(2000):
        sheet.append([f"Supplier {number}", number * 1.5, "Cardiff"])
    workbook.create_sheet("Notes")
    path = tmp_path / "spend.xlsx"
    workbook.save(path)
    check_zip_safety(path, max_uncompressed_bytes=1 << 30, max_compression_ratio=100)
    assert xlsx_sheet_names(path) == ["Spend", "Notes"]


def test_a_file_that_is_not_a_zip_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(IngestError) as raised:
        check_zip_safety(path, max_uncompressed_bytes=1 << 30, max_compression_ratio=100)
    assert raised.value.key == "ingest.invalid-xlsx"
