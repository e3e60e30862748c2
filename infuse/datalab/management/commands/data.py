import threading
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from infuse.core.console import follow_progress
from infuse.core.errors import DomainError
from infuse.core.models import Person
from infuse.datalab import services
from infuse.datalab.models import DatasetUpload
from infuse.datalab.tasks import ingest_upload

CHUNK = 1024 * 1024


def _chunks(path: Path) -> Any:
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            yield block


def _ingest_in_thread(upload_id: str) -> None:
    try:
        ingest_upload.call(upload_id)
    finally:
        connection.close()


class Command(BaseCommand):
    help = "Data Lab tools. `data ingest FILE --dataset SLUG --as EMAIL` adds a version."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        ingest = sub.add_parser("ingest", help="Upload a file as a new version of a dataset.")
        ingest.add_argument("file", type=Path)
        ingest.add_argument("--dataset", required=True, help="The dataset's slug.")
        ingest.add_argument(
            "--as",
            dest="person",
            required=True,
            help="Email of the person the upload is made as (and audited as).",
        )
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

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No file at {path}")
        person = Person.objects.filter(email__iexact=options["person"]).first()
        if person is None:
            raise CommandError(f"No person with the email {options['person']}")
        read_options: dict[str, Any] = {}
        if options["sheet"]:
            read_options["sheet"] = options["sheet"]
        if options["skip_rows"]:
            read_options["skip_rows"] = options["skip_rows"]
        if options["header_rows"] != 1:
            read_options["header_rows"] = options["header_rows"]
        try:
            dataset = services.get_dataset(actor=person, slug=options["dataset"])
            outcome = services.upload_file(
                actor=person,
                dataset=dataset,
                chunks=_chunks(path),
                original_name=path.name,
                read_options=read_options,
            )
        except DomainError as error:
            details = "; ".join(f"{p.field}: {p.message}" for p in error.problems)
            raise CommandError(
                f"{error.message}{' (' + details + ')' if details else ''}"
            ) from error
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
            worker = threading.Thread(target=_ingest_in_thread, args=(str(upload.pk),))
            worker.start()
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
