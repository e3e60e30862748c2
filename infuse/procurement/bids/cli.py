"""`infuse procurement bid|open|new-key|rotate-keys`: sealed bids from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from infuse.core.commands import Actions, AddAction, read_json
from infuse.core.models import Person
from infuse.procurement import sealing
from infuse.procurement.bids import services
from infuse.procurement.bids.schemas import BidIn
from infuse.procurement.challenges.cli import phase_args, phase_of


class BidActions(Actions):
    @classmethod
    def add_actions(cls, action: AddAction) -> None:
        bid = phase_args(
            action("bid", "Save your bid from JSON {answers: {criterion id: text}, price_pence}.")
        )
        bid.add_argument("file", type=Path)
        bid.add_argument("--submit", action="store_true")
        phase_args(action("open", "Ask to open the bids, or confirm a colleague's request."))
        action("new-key", "A new master key entry for INFUSE_BID_KEYS.", who="nobody").add_argument(
            "key_id"
        )
        action(
            "rotate-keys", "Rewrap every challenge key with the current master key.", who="nobody"
        )

    def _bid(self, actor: Person, options: dict[str, Any]) -> None:
        data = read_json(options["file"])
        price = data.get("price_pence")
        if price is not None and (isinstance(price, bool) or not isinstance(price, int)):
            raise CommandError(f"price_pence must be a whole number of pence, not {price!r}")
        bid = services.save_bid(
            actor=actor,
            phase=phase_of(actor, options),
            bid_in=BidIn(
                answers={str(k): str(v) for k, v in (data.get("answers") or {}).items()},
                price_pence=price,
            ),
            submit=options["submit"],
        )
        state = "submitted" if options["submit"] else "saved"
        self.stdout.write(self.style.SUCCESS(f"Bid {bid.pk} {state} (sealed)"))

    def _open(self, actor: Person, options: dict[str, Any]) -> None:
        opening = services.open_bids(actor=actor, phase=phase_of(actor, options))
        if opening.confirmed_at:
            self.stdout.write(self.style.SUCCESS("Bids opened"))
        else:
            self.stdout.write("Opening asked for: a second authorised officer must confirm it")

    def _new_key(self, actor: Any, options: dict[str, Any]) -> None:
        self.stdout.write(sealing.new_master_key(options["key_id"]))

    def _rotate_keys(self, actor: Any, options: dict[str, Any]) -> None:
        self.stdout.write(self.style.SUCCESS(f"{services.rotate_keys()} challenge keys rewrapped"))
