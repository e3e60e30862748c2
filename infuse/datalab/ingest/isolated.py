"""Reading an upload in the sandbox: the conversion to Parquet runs in a process of its own.

Why: reading a file is where a person's bytes meet parsers (DuckDB's JSON and CSV readers,
openpyxl's XML). A 200 KB JSON file of nested brackets crashed the task worker in the JSON
reader, and being queued again when stale it crashed it twice more, while every other task
waited. In :mod:`infuse.core.sandbox` a crash, a memory blow-up (a very wide Parquet file, a
billion-laughs spreadsheet) or a conversion that runs too long fails this one upload with its
reason, at once; the worker goes on with the next task.

The child also profiles the Parquet file it has just written (:mod:`infuse.analytics.profile`):
the file is still in the page cache and DuckDB already loaded, and the worker's process need
not load the engine at all (a fresh ``infuse data ingest`` saved 0.5 s of a million-row ingest).

The child writes its progress to a small file that the worker passes on to the upload's page.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from infuse import analytics
from infuse.core import lazy
from infuse.core.sandbox import Limits, Refusal, SandboxError
from infuse.core.sandbox import run as run_sandboxed
from infuse.datalab.ingest.convert import ConversionResult, Progress, convert_to_parquet
from infuse.datalab.ingest.csv_files import TITLE_LINES
from infuse.datalab.ingest.detection import Detection, detect
from infuse.datalab.ingest.sources import IngestError, IngestWarning, ReadOptions
from infuse.datalab.ingest.xlsx_files import other_sheets_lines, sheet_as_csv

if TYPE_CHECKING:
    import duckdb
else:
    duckdb = lazy.module("duckdb")

CONVERT = "infuse.datalab.ingest.isolated:convert"
PREVIEW = "infuse.datalab.ingest.isolated:preview"
#: A workbook's rows read for the check before converting (the preview needs the first few).
PREVIEW_SHEET_ROWS = 300
PROGRESS_FILE = "progress.json"
#: What the child is doing, as its progress file says.
CONVERTING, PROFILING = "convert", "profile"


@dataclasses.dataclass
class Converted:
    """What the sandbox's child made of an upload: the typed Parquet file and its column
    profile (:meth:`infuse.analytics.profile.TableProfile.to_json`)."""

    conversion: ConversionResult
    profile: dict[str, Any]


def options_to_json(options: ReadOptions) -> dict[str, Any]:
    return dataclasses.asdict(options)


def options_from_json(data: dict[str, Any]) -> ReadOptions:
    tuples = {"names", "missing_values"}
    fields: dict[str, Any] = {
        k: tuple(v) if k in tuples and v is not None else v for k, v in data.items()
    }
    return ReadOptions(**fields)


def _result_to_json(result: ConversionResult) -> dict[str, Any]:
    data = dataclasses.asdict(result)
    data["path"] = str(result.path)
    return data


def _result_from_json(data: dict[str, Any]) -> ConversionResult:
    warnings = [IngestWarning(**warning) for warning in data.pop("warnings")]
    return ConversionResult(**{**data, "path": Path(data["path"]), "warnings": warnings})


def convert(payload: dict[str, Any], workdir: Path) -> bytes:
    """In the sandbox's child: convert and profile, reporting progress to ``workdir``; the
    result as JSON."""

    def report(done: int, total: int | None, stage: str = CONVERTING) -> None:
        partial = workdir / f"{PROGRESS_FILE}.partial"
        partial.write_text(json.dumps([done, total, stage]), encoding="utf-8")
        os.replace(partial, workdir / PROGRESS_FILE)

    options = options_from_json(payload["options"])
    try:
        result = convert_to_parquet(
            Path(payload["source"]), Path(payload["dest_dir"]), options=options, progress=report
        )
        report(0, None, PROFILING)
        profile = analytics.profile_parquet(
            result.path, memory_limit=options.duckdb_memory_limit, temp_directory=workdir / "spill"
        ).to_json()
    except duckdb.OutOfMemoryException as error:
        raise Refusal("sandbox.memory", "Stopped: it used too much memory.") from error
    return json.dumps({"conversion": _result_to_json(result), "profile": profile}).encode()


def convert_isolated(
    source: Path,
    dest_dir: Path,
    *,
    options: ReadOptions,
    limits: Limits,
    progress: Progress | None = None,
    profiling: Callable[[], None] | None = None,
) -> Converted:
    """:func:`convert_to_parquet` and the profile of its file, in the sandbox: the result, or
    an ``IngestError`` that says why (the file's own problem, or the limit it ran into).
    ``progress`` is called as the conversion goes, ``profiling`` once when the profile starts."""
    said: set[str] = set()

    def watch(workdir: Path) -> None:
        try:
            done, total, stage = json.loads((workdir / PROGRESS_FILE).read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return
        if stage == PROFILING:
            if profiling is not None and stage not in said:
                profiling()
            said.add(stage)
        elif progress is not None:
            progress(int(done), None if total is None else int(total))

    payload = {
        "source": str(source),
        "dest_dir": str(dest_dir),
        "options": options_to_json(options),
    }
    try:
        output = run_sandboxed(CONVERT, payload, limits, watch=watch)
    except SandboxError as error:
        raise IngestError(error.key, str(error), problems=error.problems, **error.params) from error
    data = json.loads(output)
    return Converted(_result_from_json(data["conversion"]), data["profile"])


def preview(payload: dict[str, Any], workdir: Path) -> bytes:
    """In the sandbox's child: how a workbook's sheet will be read (its first rows as CSV,
    read as a CSV upload is), with its other sheets as title lines; the result as JSON."""
    options = options_from_json(payload["options"])
    source = Path(payload["source"])
    head = sheet_as_csv(source, workdir / "head.csv", options, rows=PREVIEW_SHEET_ROWS)
    as_csv = dataclasses.replace(options, format="csv", encoding="utf-8", delimiter=",", quote='"')
    found = detect(head, as_csv)
    lines = (found.title_lines + other_sheets_lines(source, options))[:TITLE_LINES]
    return json.dumps(dataclasses.asdict(dataclasses.replace(found, title_lines=lines))).encode()


def preview_isolated(source: Path, *, options: ReadOptions, limits: Limits) -> Detection:
    """:func:`preview` in the sandbox: a workbook's cells are only ever read there."""
    try:
        output = run_sandboxed(
            PREVIEW, {"source": str(source), "options": options_to_json(options)}, limits
        )
    except SandboxError as error:
        raise IngestError(error.key, str(error), problems=error.problems, **error.params) from error
    return Detection(**json.loads(output))
