from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from infuse.core import audit
from infuse.core.backup import restore_database


class Command(BaseCommand):
    help = "Restore the database from a backup made by `infuse backup` (replaces current data)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--yes", action="store_true", help="Do not ask for confirmation (for scripts)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["yes"]:
            answer = input("This replaces every record in the current database. Type 'restore': ")
            if answer.strip() != "restore":
                raise CommandError("Not restored.")
        try:
            restore_database(options["path"])
        except (RuntimeError, OSError) as error:
            raise CommandError(str(error)) from error
        connections.close_all()  # the next query sees the restored database
        archived = audit.after_restore(str(options["path"]))
        self.stdout.write(self.style.SUCCESS(f"Restored from {options['path']}"))
        if archived is not None:
            self.stdout.write(f"Audit checkpoints from before the restore are kept in {archived}.")
