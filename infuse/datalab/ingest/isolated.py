"""Reading an upload in the sandbox: the conversion to Parquet runs in a process of its own.

Why: reading a file is where a person's bytes meet parsers (DuckDB's JSON and CSV readers,
openpyxl's XML). A 200 KB JSON file of nested brackets crashed the task worker in the JSON
reader, and being queued again when stale it crashed it twice more, while every other task
waited. In :mod:`infuse.core.sandbox` a crash, a memory blow-up (a very wide Parquet file, a
billion-laughs spreadsheet) or a conversion that runs too long fails this one upload with its
reason, at once; the worker goes on with the next task.

The child writes its progress to a small file that the worker passes on to the upload's page.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from infuse.core import lazy
from infuse.core.sandbox import Limits, Refusal, SandboxError
from infuse.core.sandbox import run as run_sandboxed
from infuse.datalab.ingest.convert import ConversionResult, Progress, convert_to_parquet
from infuse.datalab.ingest.sources import IngestError, IngestWarning, ReadOptions

if TYPE_CHECKING:
    import duckdb
else:
    duckdb = lazy.module("duckdb")

CONVERT = "infuse.datalab.ingest.isolated:convert"
PROGRESS_FILE = "progress.json"


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
    """In the sandbox's child: convert, reporting progress to ``workdir``; the result as JSON."""

    def progress(done: int, total: int | None) -> None:
        partial = workdir / f"{PROGRESS_FILE}.partial"
        partial.write_text(json.dumps([done, total]), encoding="utf-8")
        os.replace(partial, workdir / PROGRESS_FILE)

    try:
        result = convert_to_parquet(
            Path(payload["source"]),
            Path(payload["dest_dir"]),
            options=options_from_json(payload["options"]),
            progress=progress,
        )
    except duckdb.OutOfMemoryException as error:
        raise Refusal("sandbox.memory", "Stopped: it used too much memory.") from error
    return json.dumps(_result_to_json(result)).encode()


def convert_isolated(
    source: Path,
    dest_dir: Path,
    *,
    options: ReadOptions,
    limits: Limits,
    progress: Progress | None = None,
) -> ConversionResult:
    """:func:`convert_to_parquet` in the sandbox: the same result, or an ``IngestError`` that
    says why (the file's own problem, or the limit it ran into)."""

    def watch(workdir: Path) -> None:
        if progress is None:
            return
        try:
            done, total = json.loads((workdir / PROGRESS_FILE).read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return
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
    return _result_from_json(json.loads(output))
