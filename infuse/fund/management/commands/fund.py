"""`infuse fund …`: the Challenge Fund from the command line, through the same services as its
pages and API. Amounts are in pence; a challenge phase is named ``CHALLENGE-SLUG/NUMBER``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from infuse.core.commands import LabCommand, with_person
from infuse.core.models import Person
from infuse.fund import services
from infuse.fund.schemas import AllocationIn, AllocationOut


class Command(LabCommand):
    help = "Challenge Fund: report, allocations, allocate (`infuse fund ACTION --help` for each)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        reads = {
            "report": "The fund's totals and portfolio as JSON.",
            "allocations": "What each challenge phase has, as JSON.",
        }
        for name, help_text in reads.items():
            with_person(sub.add_parser(name, help=help_text), required=False)
        allocate = with_person(
            sub.add_parser(
                "allocate", help="Set what a challenge phase may commit (fund managers)."
            )
        )
        allocate.add_argument("purpose", help="The challenge phase, as CHALLENGE-SLUG/NUMBER.")
        allocate.add_argument("--amount-pence", type=int, required=True)

    def _report(self, actor: Any, options: dict[str, Any]) -> None:
        self.write_json(services.report(actor=actor))

    def _allocations(self, actor: Any, options: dict[str, Any]) -> None:
        rows = services.allocations(actor=actor, fund=services.get_fund(actor=actor))
        self.write_json([AllocationOut.of(row.allocation, row.purpose) for row in rows])

    def _allocate(self, actor: Person, options: dict[str, Any]) -> None:
        made = services.allocate(
            actor=actor,
            allocation_in=AllocationIn(
                purpose=options["purpose"], amount_pence=options["amount_pence"]
            ),
        )
        self.stdout.write(
            self.style.SUCCESS(f"Allocated {made.amount_pence} pence to {options['purpose']}")
        )
