"""The conversion in the sandbox's child also profiles the file it wrote, and says so."""

from __future__ import annotations

import json
from pathlib import Path

from infuse.analytics.profile import profile_parquet
from infuse.core.sandbox import Limits
from infuse.datalab.ingest.isolated import (
    PROFILING,
    PROGRESS_FILE,
    convert,
    convert_isolated,
    options_to_json,
)
from infuse.datalab.ingest.sources import ReadOptions


def test_the_child_converts_then_profiles_and_the_caller_hears_both(tmp_path: Path) -> None:
    rows = "".join(
        f"{['Cardiff', 'Newport', 'Torfaen'][n % 3]},{n},2024-0{n % 9 + 1}-01\n"
        for n in range(40_000)
    )
    source = tmp_path / "visits.csv"
    source.write_text("council,visits,month\n" + rows, encoding="utf-8")
    heard: list[str] = []
    converted = convert_isolated(
        source,
        tmp_path / "out",
        options=ReadOptions(),
        limits=Limits.for_engine(seconds=60, memory_mb=4096, output_mb=64),
        progress=lambda done, total: heard.append("convert"),
        profiling=lambda: heard.append("profile"),
    )
    assert converted.conversion.row_count == 40_000
    # Whatever the polling saw of the conversion, profiling was said once, and last.
    assert heard.count("profile") <= 1 and "profile" not in heard[:-1]
    expected = profile_parquet(converted.conversion.path).to_json()
    assert converted.profile == expected
    councils = next(c for c in converted.profile["columns"] if c["name"] == "council")
    assert councils["distinct"] == 3 and councils["top_values"][0]["count"] == 13_334


def test_the_childs_last_word_on_progress_is_that_it_profiles(tmp_path: Path) -> None:
    source = tmp_path / "visits.csv"
    source.write_text("council,visits\nCardiff,3\nNewport,4\n", encoding="utf-8")
    payload = {
        "source": str(source),
        "dest_dir": str(tmp_path / "out"),
        "options": options_to_json(ReadOptions()),
    }
    convert(payload, tmp_path)
    assert json.loads((tmp_path / PROGRESS_FILE).read_text())[2] == PROFILING
