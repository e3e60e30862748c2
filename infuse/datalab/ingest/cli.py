"""`infuse data ingest|schema`: upload a file as a new version (ingested here, or by the worker
with ``--background``) and declare the schema later uploads are checked against."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from infuse.core.commands import Actions, AddAction, in_thread, read_json
from infuse.core.console import follow_progress
from infuse.core.errors import NotFound
from infuse.core.files import Upload
from infuse.core.models import Person
from infuse.datalab.catalogue import services as catalogue
from infuse.datalab.catalogue.recipe_words import recipe_report
from infuse.datalab.ingest import detection, services
from infuse.datalab.ingest.schemas import SchemaIn, UploadIn
from infuse.datalab.ingest.sources import IngestError, ReadOptions
from infuse.datalab.ingest.tasks import ingest_upload
from infuse.datalab.messages import explain
from infuse.datalab.models import Dataset, DatasetUpload


def dataset_named(person: Person, slug: str) -> Dataset:
    """The dataset ``slug``, or an error that says how to find or make the right one."""
    try:
        return catalogue.get_dataset(actor=person, slug=slug)
    except NotFound:
        raise CommandError(
            _(
                "There is no dataset ‘%(slug)s’ that you can see. `infuse data datasets --as "
                "EMAIL` lists those you can; `infuse data create` makes a new one."
            )
            % {"slug": slug}
        ) from None


def report_lines(upload: DatasetUpload) -> list[str]:
    """What reading the file changed and what the check against the declared schema found,
    in the active language, as the upload's page says it."""
    lines: list[str] = []
    warnings = (upload.report.get("conversion") or {}).get("warnings") or []
    if warnings:
        lines.append(_("What was changed while reading the file:"))
        lines += [
            f"  - {explain(w['key'], w.get('params') or {}, w.get('message', ''))}"
            for w in warnings
        ]
    version = getattr(upload, "version", None)
    shaped = recipe_report(upload.report, version.recipe if version else [])
    lines += shaped[:1] + [f"  - {line}" for line in shaped[1:]]
    validation = upload.report.get("validation") or {}
    if validation:
        problems, rows = validation.get("total_problems", 0), validation.get("invalid_rows", 0)
        lines.append(
            _("Checked against the declared schema: %(problems)s problems in %(rows)s rows.")
            % {"problems": f"{problems:,}", "rows": f"{rows:,}"}
        )
        for group in validation.get("groups") or []:
            where = ", ".join(str(e.get("row")) for e in (group.get("examples") or [])[:5])
            lines.append(
                "  - "
                + _("%(column)s: %(problem)s (%(count)s; rows %(rows)s)")
                % {
                    "column": group.get("column"),
                    "problem": explain(group.get("key", ""), group.get("params") or {}),
                    "count": f"{group.get('count', 0):,}",
                    "rows": where,
                }
            )
    return lines


def _lines_to_skip(text: str) -> int | None:
    """``--skip-rows``: a number of lines, or ``auto`` (None: found in the file)."""
    if text.strip().lower() == "auto":
        return None
    try:
        number = int(text)
    except ValueError:
        number = -1
    if number < 0:
        raise argparse.ArgumentTypeError(
            _("give a number of lines (0 or more) or auto, not %(text)s") % {"text": text}
        )
    return number


class IngestActions(Actions):
    @classmethod
    def add_actions(cls, action: AddAction) -> None:
        ingest = action("ingest", "Upload a file as a new version of a dataset.")
        ingest.add_argument("file", type=Path)
        ingest.add_argument("--dataset", required=True, help="The dataset's slug.")
        ingest.add_argument("--sheet", help="Spreadsheet sheet name (default: the first).")
        ingest.add_argument(
            "--skip-rows",
            type=_lines_to_skip,
            default=None,
            help="Lines before the header (a StatsWales preamble), or 'auto' (the default): "
            "found in the file, and said.",
        )
        ingest.add_argument(
            "--header-rows", type=int, default=1, help="Rows that make up the column names."
        )
        ingest.add_argument(
            "--preview",
            action="store_true",
            help="Only show how the file would be read (lines above the table, column names, "
            "the first rows); nothing is uploaded.",
        )
        ingest.add_argument(
            "--background",
            action="store_true",
            help="Leave the work to `infuse worker` and follow its progress.",
        )

        schema = action("schema", "Declare the schema later uploads are checked against.")
        schema.add_argument("dataset", help="The dataset's slug.")
        schema.add_argument("file", type=Path, nargs="?", help="A Table Schema as JSON.")
        schema.add_argument("--clear", action="store_true", help="Remove the declared schema.")

    def _ingest(self, person: Person, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("No file at %(path)s") % {"path": path})
        dataset = dataset_named(person, options["dataset"])
        if options["preview"]:
            self._preview(path, options)
            return
        outcome = services.upload_file(
            actor=person,
            dataset=dataset,
            chunks=Upload.from_path(path).chunks,
            original_name=path.name,
            upload_in=UploadIn(
                sheet=options["sheet"] or "",
                skip_rows=options["skip_rows"],
                header_rows=options["header_rows"],
            ),
        )
        if outcome.existing_version is not None:
            self.stdout.write(
                _("Already version %(number)s: nothing changed.")
                % {"number": outcome.existing_version.number}
            )
            return
        upload = outcome.upload
        assert upload is not None and upload.progress_id is not None
        self._run_or_follow(upload, background=options["background"])
        upload = DatasetUpload.objects.get(pk=upload.pk)
        for line in report_lines(upload):
            self.stdout.write(line)
        if upload.status != DatasetUpload.Status.ACCEPTED:
            # Non-zero exit: a script that ingests must not carry on as if it had a version.
            raise CommandError(f"{upload.get_status_display()}: {upload.error_message}")
        version = upload.version
        said = ngettext(
            "Version %(number)s of %(dataset)s: %(rows)s row",
            "Version %(number)s of %(dataset)s: %(rows)s rows",
            version.row_count,
        ) % {"number": version.number, "dataset": dataset.slug, "rows": f"{version.row_count:,}"}
        if version.quarantined_rows:
            said += _(", %(count)s set aside (quarantined)") % {
                "count": f"{version.quarantined_rows:,}"
            }
        self.stdout.write(self.style.SUCCESS(said))

    def _preview(self, path: Path, options: dict[str, Any]) -> None:
        """How the file would be read, as the upload page's check shows it."""
        read = ReadOptions(skip_rows=options["skip_rows"], header_rows=options["header_rows"])
        try:
            found = detection.detect(path, read)
        except IngestError as error:
            raise CommandError(explain(error.key, error.params, str(error))) from error
        self.stdout.write(
            _("Lines above the table: %(count)s; column names from line %(line)s.")
            % {"count": found.skip_rows, "line": found.header_line}
        )
        for line in found.title_lines:
            self.stdout.write(f"  | {line}")
        if found.table_end_line:
            self.stdout.write(
                _("The table ends at the blank line %(line)s; the notes below it are left out.")
                % {"line": found.table_end_line}
            )
        self.stdout.write(_("Columns: %(names)s") % {"names": ", ".join(found.columns)})
        for row in found.rows:
            self.stdout.write("  " + " | ".join(row))

    def _run_or_follow(self, upload: DatasetUpload, *, background: bool) -> None:
        """Follow the ingest's progress; unless ``background``, run it here (a worker that
        claims it first is just as fine)."""
        assert upload.progress_id is not None
        worker = None
        if not background:
            upload_id = str(upload.pk)
            worker = in_thread(lambda: ingest_upload.call(upload_id))
        follow_progress(
            upload.progress_id,
            f"Ingesting {upload.original_name}",
            still_running=worker.is_alive if worker is not None else None,
        )
        if worker is not None:
            worker.join()

    def _schema(self, person: Person, options: dict[str, Any]) -> None:
        dataset = dataset_named(person, options["dataset"])
        if options["clear"] == bool(options["file"]):
            raise CommandError("Give a schema file, or --clear (not both).")
        schema = None
        if options["file"]:
            schema = read_json(options["file"])
        services.set_declared_schema(
            actor=person, dataset=dataset, schema_in=SchemaIn(schema=schema)
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Schema of {dataset.slug} {'declared' if schema is not None else 'cleared'}."
            )
        )
