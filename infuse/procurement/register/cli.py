"""`infuse procurement register`: the contract register as JSON, CSV or XLSX (public)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from infuse.core.commands import Actions, AddAction
from infuse.procurement.register import outputs, queries


class RegisterActions(Actions):
    @classmethod
    def add_actions(cls, action: AddAction) -> None:
        listing = action("register", "The contract register (JSON, CSV or XLSX).", who="optional")
        listing.add_argument("--council", default="", help="A council's slug.")
        listing.add_argument("--division", default="", help="A CPV division's two digits.")
        listing.add_argument("--status", default="", help="active, complete or terminated.")
        listing.add_argument("--year", type=int, default=None, help="The year it was signed.")
        listing.add_argument("--format", choices=["json", *outputs.FORMATS], default="json")
        listing.add_argument("--output", type=Path, help="Write to this file (needed for XLSX).")

    def _register(self, actor: Any, options: dict[str, Any]) -> None:
        filters = queries.checked(
            queries.Filters(
                council=options["council"],
                division=options["division"],
                status=options["status"],
                year=options["year"],
            )
        )
        found = queries.entries(filters)
        if options["format"] == "json":
            self.write_json([outputs.row(c) for c in found])
            return
        content, _type, _name = outputs.register_file(found, options["format"])
        if options["output"]:
            Path(options["output"]).write_bytes(content)
        elif options["format"] == "csv":
            self.stdout.write(content.decode("utf-8"), ending="")
        else:
            raise CommandError(_("Give --output FILE for a spreadsheet"))
