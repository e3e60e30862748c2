"""`infuse procurement ocds-import FILE` and `infuse procurement flags`: open contracting data
imported with a progress bar (bytes read), and the red flags as JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from infuse.core.commands import Actions, AddAction
from infuse.core.console import progress_bar
from infuse.procurement.redflags import outputs, services


class FlagActions(Actions):
    @classmethod
    def add_actions(cls, action: AddAction) -> None:
        read = action("ocds-import", "Import OCDS releases (a release package, or JSON Lines).")
        read.add_argument("file", type=Path, help="A .json release package or a .jsonl file.")
        flags = action("flags", "The red flags raised (or every state with --all), as JSON.")
        flags.add_argument("--all", action="store_true", help="Every state, not only raised.")
        flags.add_argument("--code", default="", help="One flag's code.")
        flags.add_argument(
            "--compute",
            action="store_true",
            help="Compute every flag again first (after thresholds change, or challenges move on).",
        )

    def _ocds_import(self, actor: Any, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("No file at %(path)s") % {"path": path})
        size = path.stat().st_size
        with progress_bar() as bar, path.open("rb") as stream:
            task = bar.add_task(f"Importing {path.name}", total=size)
            summary = services.import_releases(
                actor=actor,
                stream=stream,
                name=path.name,
                advance=lambda done: bar.update(task, completed=done),
            )
            bar.update(task, completed=size)
        for refusal in summary.first_refusals:
            self.stderr.write(f"{refusal['where']}: {refusal['why']}")
        self.write_json(outputs.summary(summary))

    def _flags(self, actor: Any, options: dict[str, Any]) -> None:
        services.require_view(actor)
        if options["compute"]:
            services.recompute(actor=actor)
        found = services.flags(state="" if options["all"] else "fires", code=options["code"])
        self.write_json([outputs.flag(f) for f in found])
