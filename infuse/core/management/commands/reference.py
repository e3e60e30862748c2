"""`infuse reference …`: the reference data the Welsh Government publishes, loaded from its
files (programme admins)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from infuse.core.commands import LabCommand, with_person
from infuse.core.national import COLUMNS, load_national


class Command(LabCommand):
    help = "Reference data: national (the national indicators and milestones for Wales, as CSV)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        national = with_person(
            sub.add_parser(
                "national",
                help="Replace the national indicators and milestones with a CSV's (columns: "
                + ", ".join(COLUMNS)
                + ").",
            )
        )
        national.add_argument("file", type=Path)

    def _national(self, actor: Any, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {path}: {error}. Give a UTF-8 CSV file.") from error
        loaded = load_national(actor=actor, text=text)
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {loaded.indicators} national indicators and "
                f"{loaded.milestones} milestones."
            )
        )
