"""`infuse procurement ocds`: the open contracting data as a release or record package."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from infuse.core.commands import Actions, AddAction
from infuse.procurement.ocds import releases as ocds


class OcdsActions(Actions):
    @classmethod
    def add_actions(cls, action: AddAction) -> None:
        export = action("ocds", "Open contracting data as JSON.", who="optional")
        export.add_argument("--records", action="store_true", help="A record package instead.")
        export.add_argument("--output", type=Path)

    def _ocds(self, actor: Any, options: dict[str, Any]) -> None:
        uri = "infuse:ocds"
        if options["records"]:
            package = ocds.record_package(ocds.published_ocids(), uri)
        else:
            package = ocds.release_package(ocds.published_releases(), uri)
        text = json.dumps(package, indent=2, ensure_ascii=False)
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text)
