from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from infuse.core.backup import backup_database


class Command(BaseCommand):
    help = "Back up the database to PATH (SQLite online backup, or pg_dump for PostgreSQL)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            written = backup_database(options["path"])
        except (RuntimeError, OSError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Backed up to {written}"))
