"""`infuse data …`: the Data Lab from the command line, through the same services as the pages.

Every action that changes something is made as a named person (``--as EMAIL``) and audited as
them; reading commands without ``--as`` see what the public sees (disclosure control included).
"""

import io
import json
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from defusedcsv import csv as defused_csv
from django.core.management.base import CommandError, CommandParser
from django.db import connection

from infuse.core import files
from infuse.core.commands import LabCommand, with_person
from infuse.core.console import follow_progress
from infuse.core.models import Person
from infuse.datalab import exports, publishing, services
from infuse.datalab.models import DatasetUpload
from infuse.datalab.tasks import compute_indicator, ingest_upload

CHUNK = 1024 * 1024


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            yield block


def _in_thread(work: Callable[[], Any]) -> threading.Thread:
    """Run task work in a thread with its own database connection, closed when it ends."""

    def run() -> None:
        try:
            work()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _write(content: bytes, output: Path | None) -> None:
    if output is None:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
    else:
        output.write_bytes(content)


class Command(LabCommand):
    help = (
        "Data Lab tools: ingest, schema, sql, export, indicator, values, flag "
        "(`infuse data ACTION --help` for each)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)

        ingest = with_person(
            sub.add_parser("ingest", help="Upload a file as a new version of a dataset.")
        )
        ingest.add_argument("file", type=Path)
        ingest.add_argument("--dataset", required=True, help="The dataset's slug.")
        ingest.add_argument("--sheet", help="Spreadsheet sheet name (default: the first).")
        ingest.add_argument(
            "--skip-rows",
            type=int,
            default=0,
            help="Lines before the header (e.g. a StatsWales preamble).",
        )
        ingest.add_argument(
            "--header-rows", type=int, default=1, help="Rows that make up the column names."
        )
        ingest.add_argument(
            "--background",
            action="store_true",
            help="Leave the work to `infuse worker` and follow its progress.",
        )

        schema = with_person(
            sub.add_parser("schema", help="Declare the schema later uploads are checked against.")
        )
        schema.add_argument("dataset", help="The dataset's slug.")
        schema.add_argument("file", type=Path, nargs="?", help="A Table Schema as JSON.")
        schema.add_argument("--clear", action="store_true", help="Remove the declared schema.")

        sql = with_person(
            sub.add_parser("sql", help="Run one read-only SELECT over the data you may see.")
        )
        sql.add_argument("query", help="The SQL, or @FILE to read it from a file.")
        sql.add_argument("--output", type=Path, help="Write the rows as CSV to this file.")

        export = with_person(
            sub.add_parser("export", help="Write a version as csv, xlsx, json or parquet."),
            required=False,
        )
        export.add_argument("dataset", help="The dataset's slug.")
        export.add_argument("--version", type=int, help="The version (default: the latest).")
        export.add_argument(
            "--quarantine",
            action="store_true",
            help="The rows the version quarantined instead (its publisher's data people only).",
        )
        export.add_argument("--format", choices=list(exports.FORMATS), default="csv")
        export.add_argument("--output", type=Path, help="File to write (default: stdout).")

        indicator = with_person(
            sub.add_parser("indicator", help="Define an indicator and compute its values.")
        )
        indicator.add_argument("dataset", help="The dataset's slug.")
        indicator.add_argument(
            "--spec", type=Path, required=True, help="The specification as JSON (see README)."
        )
        indicator.add_argument("--title-en", required=True)
        indicator.add_argument("--title-cy", required=True)
        indicator.add_argument("--theme", action="append", default=[], help="Theme code.")
        indicator.add_argument("--goal", action="append", default=[], help="Goal code.")

        values = with_person(
            sub.add_parser("values", help="An indicator's values (disclosure-controlled)."),
            required=False,
        )
        values.add_argument("indicator", help="The indicator's slug.")
        values.add_argument("--format", choices=list(exports.FORMATS), default="csv")
        values.add_argument("--output", type=Path, help="File to write (default: stdout).")

        flag = with_person(sub.add_parser("flag", help="Flag one value (provisional, …)."))
        flag.add_argument("indicator", help="The indicator's slug.")
        flag.add_argument("--area", required=True, help="A council's GSS code, or 'region'.")
        flag.add_argument("--period", required=True)
        flag.add_argument(
            "--flag",
            required=True,
            help="provisional, estimated, suppressed, low_reliability, not_available, or '' "
            "to clear.",
        )

    def _ingest(self, person: Person, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No file at {path}")
        read_options: dict[str, Any] = {}
        if options["sheet"]:
            read_options["sheet"] = options["sheet"]
        if options["skip_rows"]:
            read_options["skip_rows"] = options["skip_rows"]
        if options["header_rows"] != 1:
            read_options["header_rows"] = options["header_rows"]
        dataset = services.get_dataset(actor=person, slug=options["dataset"])
        outcome = services.upload_file(
            actor=person,
            dataset=dataset,
            chunks=_chunks(path),
            original_name=path.name,
            read_options=read_options,
        )
        if outcome.existing_version is not None:
            self.stdout.write(
                f"Already version {outcome.existing_version.number}: nothing changed."
            )
            return
        upload = outcome.upload
        assert upload is not None and upload.progress_id is not None
        worker = None
        if not options["background"]:
            # Run the ingest here (a worker that claims it first is just as fine).
            upload_id = str(upload.pk)
            worker = _in_thread(lambda: ingest_upload.call(upload_id))
        follow_progress(
            upload.progress_id,
            f"Ingesting {upload.original_name}",
            still_running=worker.is_alive if worker is not None else None,
        )
        if worker is not None:
            worker.join()
        upload = DatasetUpload.objects.get(pk=upload.pk)
        if upload.status != DatasetUpload.Status.ACCEPTED:
            raise CommandError(f"{upload.get_status_display()}: {upload.error_message}")
        version = upload.version
        self.stdout.write(
            self.style.SUCCESS(
                f"Version {version.number} of {dataset.slug}: {version.row_count} rows"
                + (f", {version.quarantined_rows} quarantined" if version.quarantined_rows else "")
            )
        )

    def _schema(self, person: Person, options: dict[str, Any]) -> None:
        dataset = services.get_dataset(actor=person, slug=options["dataset"])
        if options["clear"] == bool(options["file"]):
            raise CommandError("Give a schema file, or --clear (not both).")
        schema = None
        if options["file"]:
            try:
                schema = json.loads(Path(options["file"]).read_text(encoding="utf-8"))
            except (OSError, ValueError) as error:
                raise CommandError(f"Cannot read {options['file']} as JSON: {error}") from error
        services.set_declared_schema(actor=person, dataset=dataset, schema=schema)
        self.stdout.write(
            self.style.SUCCESS(
                f"Schema of {dataset.slug} {'declared' if schema is not None else 'cleared'}."
            )
        )

    def _sql(self, person: Person, options: dict[str, Any]) -> None:
        query: str = options["query"]
        if query.startswith("@"):
            query = Path(query[1:]).read_text(encoding="utf-8")
        result = services.run_sql(actor=person, sql=query)
        if options["output"]:
            with Path(options["output"]).open("w", newline="", encoding="utf-8") as handle:
                writer = defused_csv.writer(handle)
                writer.writerow(result.columns)
                writer.writerows(result.rows)
            self.stdout.write(f"{len(result.rows)} rows written to {options['output']}")
        else:
            from rich.console import Console
            from rich.table import Table

            table = Table(*result.columns)
            for row in result.rows:
                table.add_row(*("" if cell is None else str(cell) for cell in row))
            buffer = io.StringIO()
            Console(file=buffer, width=160).print(table)
            self.stdout.write(buffer.getvalue(), ending="")
        if result.truncated:
            self.stderr.write("More rows exist: narrow the query.")

    def _export(self, actor: Any, options: dict[str, Any]) -> None:
        dataset = services.get_dataset(actor=actor, slug=options["dataset"])
        number = options["version"] or (
            dataset.latest_version.number if dataset.latest_version else 0
        )
        version = services.get_version(actor=actor, dataset=dataset, number=number)
        path = (
            services.get_quarantine(actor=actor, dataset=dataset, number=number)
            if options["quarantine"]
            else files.resolve(version.parquet_path)
        )
        with exports.open_export(path, options["format"]) as handle:
            _write(handle.read(), options["output"])

    def _indicator(self, person: Person, options: dict[str, Any]) -> None:
        dataset = services.get_dataset(actor=person, slug=options["dataset"])
        try:
            specification = json.loads(Path(options["spec"]).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read {options['spec']} as JSON: {error}") from error
        indicator = services.create_indicator(
            actor=person,
            dataset=dataset,
            fields=services.IndicatorFields(
                title_en=options["title_en"],
                title_cy=options["title_cy"],
                specification=specification,
                themes=options["theme"],
                goals=options["goal"],
            ),
        )
        progress_id = indicator.progress_id
        assert progress_id is not None
        pk = indicator.pk
        worker = _in_thread(lambda: compute_indicator.call(pk, str(progress_id)))
        final = follow_progress(
            progress_id, f"Computing {indicator.slug}", still_running=worker.is_alive
        )
        worker.join()
        if final.state != final.State.SUCCEEDED:
            raise CommandError(f"The computation failed: {final.message}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Indicator {indicator.slug}: {indicator.values.count()} values "
                f"(/data/indicators/{indicator.slug}/)"
            )
        )

    def _values(self, actor: Any, options: dict[str, Any]) -> None:
        indicator = services.get_indicator(actor=actor, slug=options["indicator"])
        frame = publishing.shown_frame(publishing.shown_periods(indicator, actor))
        _write(exports.export_frame(frame, options["format"]), options["output"])

    def _flag(self, person: Person, options: dict[str, Any]) -> None:
        indicator = services.get_indicator(actor=person, slug=options["indicator"])
        values = indicator.values.filter(period=options["period"])
        area = options["area"]
        value = (
            values.filter(council__isnull=True).first()
            if area.lower() == "region"
            else values.filter(council__gss_code=area.upper()).first()
        )
        if value is None:
            raise CommandError(f"No value for {area} in {options['period']}")
        services.set_value_flag(actor=person, value=value, flag=options["flag"])
        self.stdout.write(self.style.SUCCESS(f"Flag of {area}, {options['period']} saved."))
