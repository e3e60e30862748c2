"""`infuse data export`: a version (or the rows it quarantined) as csv, xlsx, json or parquet."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from infuse.core.commands import Actions, AddAction
from infuse.datalab.catalogue import exports, services


def write_output(content: bytes, output: Path | None) -> None:
    """Write ``content`` to the file ``output``, or to standard output when there is none."""
    if output is None:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
    else:
        output.write_bytes(content)


class CatalogueActions(Actions):
    @classmethod
    def add_actions(cls, action: AddAction) -> None:
        export = action("export", "Write a version as csv, xlsx, json or parquet.", who="optional")
        export.add_argument("dataset", help="The dataset's slug.")
        export.add_argument("--version", type=int, help="The version (default: the latest).")
        export.add_argument(
            "--quarantine",
            action="store_true",
            help="The rows the version quarantined instead (its publisher's data people only).",
        )
        export.add_argument("--format", choices=list(exports.FORMATS), default="csv")
        export.add_argument("--output", type=Path, help="File to write (default: stdout).")

    def _export(self, actor: Any, options: dict[str, Any]) -> None:
        dataset = services.get_dataset(actor=actor, slug=options["dataset"])
        number = options["version"] or (
            dataset.latest_version.number if dataset.latest_version else 0
        )
        fetch = services.download_quarantine if options["quarantine"] else services.download_version
        download = fetch(actor=actor, dataset=dataset, number=number, file_format=options["format"])
        with download.handle as handle:
            write_output(handle.read(), options["output"])
