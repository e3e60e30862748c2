"""`infuse procurement confirm|milestone|accept|pay`: contracts from the command line."""

from __future__ import annotations

import datetime as dt
from typing import Any

from infuse.core.commands import Actions, AddAction
from infuse.core.lookups import find
from infuse.core.models import Person
from infuse.procurement.contracts import services
from infuse.procurement.contracts.schemas import CloseIn, ContractTermsIn, MilestoneIn
from infuse.procurement.models import Award, Contract, Milestone
from infuse.procurement.social_value import queries as social_value


class ContractActions(Actions):
    @classmethod
    def add_actions(cls, action: AddAction) -> None:
        confirm = action("confirm", "After the standstill: contracts and commitments.")
        confirm.add_argument("award", type=int)
        confirm.add_argument("--starts", type=dt.date.fromisoformat, required=True)
        confirm.add_argument("--ends", type=dt.date.fromisoformat, required=True)
        milestone = action("milestone", "Add a payment milestone to a contract.")
        milestone.add_argument("contract", type=int)
        milestone.add_argument("--title", required=True)
        milestone.add_argument("--title-cy", default="")
        milestone.add_argument("--due", type=dt.date.fromisoformat, required=True)
        milestone.add_argument("--amount-pence", type=int, required=True)
        shown = action("social-value", "A contract's social value: promised and delivered.")
        shown.add_argument("contract", type=int)
        close = action("close", "Close a contract: completed, or ended early (with why).")
        close.add_argument("contract", type=int)
        close.add_argument("--outcome", choices=["complete", "terminated"], required=True)
        close.add_argument("--reason", default="", help="Why it ended early (English).")
        close.add_argument("--reason-cy", default="", help="Why it ended early (Welsh).")
        classify = action("contract-cpv", "Say what a contract buys, as CPV codes.")
        classify.add_argument("contract", type=int)
        classify.add_argument("codes", nargs="+", help="CPV codes, the main one first.")
        action("accept", "Accept a milestone's work.").add_argument("milestone", type=int)
        action("pay", "Pay an accepted milestone from the fund.").add_argument(
            "milestone", type=int
        )

    def _confirm(self, actor: Person, options: dict[str, Any]) -> None:
        award = find(Award, options["award"])
        contracts = services.confirm_award(
            actor=actor,
            award=award,
            terms=[
                ContractTermsIn(bid=bid.pk, starts_on=options["starts"], ends_on=options["ends"])
                for bid in award.winners.all()
            ],
        )
        for contract in contracts:
            self.stdout.write(
                self.style.SUCCESS(f"Contract {contract.pk} with {contract.supplier.name}")
            )

    def _milestone(self, actor: Person, options: dict[str, Any]) -> None:
        made = services.add_milestone(
            actor=actor,
            contract=find(Contract, options["contract"]),
            milestone_in=MilestoneIn(
                title_en=options["title"],
                title_cy=options["title_cy"],
                due_on=options["due"],
                amount_pence=options["amount_pence"],
            ),
        )
        self.stdout.write(self.style.SUCCESS(f"Milestone {made.pk} added"))

    def _social_value(self, actor: Any, options: dict[str, Any]) -> None:
        found = services.contract_for(actor=actor, pk=options["contract"])
        self.write_json(
            [social_value.line_out(line) for line in social_value.contract_lines(found)]
        )

    def _close(self, actor: Person, options: dict[str, Any]) -> None:
        closed = services.close_contract(
            actor=actor,
            contract=services.contract_for(actor=actor, pk=options["contract"]),
            close_in=CloseIn(
                outcome=options["outcome"],
                reason_en=options["reason"],
                reason_cy=options["reason_cy"],
            ),
        )
        self.stdout.write(self.style.SUCCESS(str(closed.get_status_display())))

    def _contract_cpv(self, actor: Person, options: dict[str, Any]) -> None:
        found = services.contract_for(actor=actor, pk=options["contract"])
        services.set_cpv(actor=actor, contract=found, codes=options["codes"])
        self.stdout.write(self.style.SUCCESS(", ".join(found.cpv_codes)))

    def _accept(self, actor: Person, options: dict[str, Any]) -> None:
        services.accept_milestone(actor=actor, milestone=find(Milestone, options["milestone"]))
        self.stdout.write(self.style.SUCCESS("Accepted"))

    def _pay(self, actor: Person, options: dict[str, Any]) -> None:
        payment = services.pay_milestone(
            actor=actor, milestone=find(Milestone, options["milestone"])
        )
        self.stdout.write(self.style.SUCCESS(f"Paid {payment.amount_pence} pence"))
