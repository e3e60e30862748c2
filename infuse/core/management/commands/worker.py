from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the background task worker (Django tasks, database backend) until stopped."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--batch", action="store_true", help="Run the tasks waiting now, then exit."
        )
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds between polls (default 1)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Work a killed worker left half-done is queued again before anything else runs.
        from infuse.core.files import sweep_temporary_files
        from infuse.datalab.ingest.tasks import recover_interrupted_uploads

        recovered = recover_interrupted_uploads()
        if recovered:
            self.stdout.write(f"Queued again {len(recovered)} interrupted upload(s).")
        sweep_temporary_files()
        worker_args = ["--interval", str(options["interval"]), "--no-startup-delay"]
        if options["batch"]:
            worker_args.append("--batch")
        call_command("db_worker", *worker_args, verbosity=options["verbosity"])
