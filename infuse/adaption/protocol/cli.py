"""The protocol's part of `infuse trials`: ``protocol`` registers (or amends) it from JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from infuse.adaption.protocol import services
from infuse.adaption.protocol.schemas import ProtocolIn
from infuse.adaption.registry.services import get_experiment
from infuse.core.commands import Actions, AddAction, read_json
from infuse.core.models import Person


class ProtocolActions(Actions):
    @classmethod
    def add_actions(cls, action: AddAction) -> None:
        protocol = action("protocol", "Register (or amend) the protocol from JSON.")
        protocol.add_argument("slug")
        protocol.add_argument("file", type=Path)
        protocol.add_argument("--reason", default="", help="Why (needed for an amendment).")
        protocol.add_argument("--allow-rerandomisation", action="store_true")

    def _protocol(self, actor: Person, options: dict[str, Any]) -> None:
        experiment = get_experiment(actor=actor, slug=options["slug"])
        answers = read_json(options["file"])
        protocol_in = ProtocolIn.model_validate(
            {
                **answers,
                "reason": options["reason"],
                "allows_rerandomisation": options["allow_rerandomisation"],
            },
        )
        protocol = services.save_protocol(
            actor=actor, experiment=experiment, protocol_in=protocol_in
        )
        self.stdout.write(
            self.style.SUCCESS(f"Protocol version {protocol.version}: SHA-256 {protocol.sha256}")
        )
