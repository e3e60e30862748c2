"""Use cases after the award: contracts at the winners' bid prices with the money committed
from the Challenge Fund (once the standstill is over), milestones accepted and paid, and the
outcome measures a contract feeds back into the Data Lab."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from infuse.core import audit
from infuse.core.errors import Conflict, FieldProblem, InvalidInput, NotFound
from infuse.core.models import Person
from infuse.core.money import pounds
from infuse.core.permissions import can
from infuse.datalab.catalogue import services as data
from infuse.fund import services as fund
from infuse.procurement import cpv, timetable
from infuse.procurement.bids.sealed import unsealed
from infuse.procurement.challenges.services import require_runs, runs
from infuse.procurement.contracts.schemas import CloseIn, ContractTermsIn, MilestoneIn
from infuse.procurement.contracts.steps import announce_contract
from infuse.procurement.models import Award, Bid, Contract, Milestone
from infuse.procurement.ocds import releases as ocds
from infuse.procurement.social_value import services as social_value
from infuse.procurement.suppliers.services import works_for


def _require_standstill_over(award: Award) -> None:
    if award.status != Award.Status.STANDSTILL:
        raise Conflict(_("This award is not waiting for its standstill period to end."))
    if timezone.now() < award.standstill_ends_at:
        raise Conflict(
            _("The standstill period ends %(end)s: contracts can be made after it.")
            % {"end": timetable.when(award.standstill_ends_at)}
        )


def _checked_terms(
    award: Award, terms: Sequence[ContractTermsIn]
) -> dict[int, tuple[Bid, ContractTermsIn]]:
    winners = {b.pk: b for b in award.winners.all()}
    given = {t.bid: t for t in terms}
    if set(given) != set(winners):
        raise InvalidInput(
            problems=[FieldProblem("terms", _("Give the contract dates for every winning bid"))]
        )
    for term in terms:
        if term.ends_on <= term.starts_on:
            raise InvalidInput(
                problems=[FieldProblem("ends_on", _("A contract ends after it starts"))]
            )
    return {pk: (bid, given[pk]) for pk, bid in winners.items()}


def confirm_award(
    *, actor: Person, award: Award, terms: Sequence[ContractTermsIn]
) -> list[Contract]:
    """After the standstill: a contract with each winner at its bid price, and the money
    committed from the phase's allocation — all of it or, if the fund says no, none of it."""
    require_runs(actor, award.phase.challenge)
    _require_standstill_over(award)
    winners = _checked_terms(award, terms)
    with transaction.atomic():
        locked = Award.objects.select_for_update().get(pk=award.pk)
        if locked.status != Award.Status.STANDSTILL:
            raise Conflict(_("This award is not waiting for its standstill period to end."))
        contracts = []
        for bid, term in winners.values():
            content = unsealed(bid)
            price = int(content.price_pence or 0)
            contract = Contract.objects.create(
                award=award,
                bid=bid,
                supplier=bid.supplier,
                value_pence=price,
                starts_on=term.starts_on,
                ends_on=term.ends_on,
                cpv_codes=list(award.phase.challenge.cpv_codes),
            )
            social_value.make_kpis(contract, content.commitments)
            fund.commit(
                actor=actor, contract=contract, purpose_id=award.phase_id, amount_pence=price
            )
            contracts.append(contract)
        locked.status = Award.Status.CONFIRMED
        locked.confirmed_at = timezone.now()
        locked.save(update_fields=["status", "confirmed_at"])
        ocds.publish(locked.phase, ["awardUpdate", "contract"], award=locked)
        audit.record_event(
            actor=actor,
            action="award.confirmed",
            obj=award,
            after={"contracts": [c.pk for c in contracts]},
        )
    return contracts


# --- Contracts and milestones -------------------------------------------------------------------


def contracts_of_challenges(challenge_ids: Iterable[int]) -> QuerySet[Contract]:
    """The contracts signed from these challenges (ended early or not), for counting and for
    the fund's money on them; the contracts' own pages stay with those who run or hold them."""
    return Contract.objects.filter(award__phase__challenge_id__in=list(challenge_ids))


def contract_for(*, actor: Any, pk: int) -> Contract:
    """A contract, for the officers running its challenge, the fund managers who pay it and
    the supplier's own people; NotFound for anyone else."""
    found = (
        Contract.objects.select_related("award__phase__challenge", "supplier").filter(pk=pk).first()
    )
    if found is None or not (
        runs(actor, found.award.phase.challenge)
        or can(actor, "fund.manage_fund")
        or works_for(actor, found.supplier_id)
    ):
        raise NotFound()
    return found


def add_milestone(*, actor: Person, contract: Contract, milestone_in: MilestoneIn) -> Milestone:
    """A payment milestone; together they never exceed the contract's value."""
    require_runs(actor, contract.award.phase.challenge)
    _require_open(contract)
    problems = []
    if not milestone_in.title_en.strip():
        problems.append(FieldProblem("title_en", _("Enter the milestone's title")))
    if milestone_in.amount_pence <= 0:
        problems.append(FieldProblem("amount", _("Enter an amount of more than £0")))
    if problems:
        raise InvalidInput(problems=problems)
    with transaction.atomic():
        locked = Contract.objects.select_for_update().get(pk=contract.pk)
        planned = sum(m.amount_pence for m in locked.milestones.all())
        if planned + milestone_in.amount_pence > locked.value_pence:
            raise Conflict(
                _("The milestones would come to more than the contract's value (%(value)s).")
                % {"value": pounds(locked.value_pence)}
            )
        milestone = Milestone.objects.create(
            contract=locked,
            title_en=milestone_in.title_en.strip(),
            title_cy=milestone_in.title_cy.strip() or None,
            due_on=milestone_in.due_on,
            amount_pence=milestone_in.amount_pence,
        )
        ocds.publish(locked.award.phase, ["contractUpdate"], contract=locked)
        audit.record_event(
            actor=actor,
            action="contract.milestone_added",
            obj=milestone,
            after={
                "contract": locked.pk,
                "amount_pence": milestone_in.amount_pence,
                "due_on": str(milestone_in.due_on),
            },
        )
    return milestone


def check_acceptance(*, actor: Any, milestone: Milestone) -> None:
    """Why ``actor`` cannot accept the milestone's work now (raised)."""
    require_runs(actor, milestone.contract.award.phase.challenge)
    if milestone.accepted_at is not None:
        raise Conflict(_("This milestone has been accepted already."))
    _require_open(milestone.contract)


def _require_open(contract: Contract) -> None:
    if contract.status != Contract.Status.ACTIVE:
        raise Conflict(_("This contract is closed: its milestones can no longer change."))


# --- Closing ------------------------------------------------------------------------------------


def owed(contract: Contract) -> int:
    """What the fund still owes for work already accepted (kept when the contract closes)."""
    return sum(
        m.amount_pence
        for m in contract.milestones.filter(accepted_at__isnull=False, payment__isnull=True)
    )


def unpaid(contract: Contract) -> int:
    """What is committed to the contract and not yet paid (what closing weighs)."""
    commitment = getattr(contract, "commitment", None)
    return commitment.amount_pence - commitment.paid_pence if commitment else 0


def check_closing(*, actor: Any, contract: Contract, outcome: str) -> None:
    """Why ``actor`` cannot close the contract so now (raised)."""
    require_runs(actor, contract.award.phase.challenge)
    if contract.status != Contract.Status.ACTIVE:
        raise Conflict(_("This contract has been closed already."))
    waiting = contract.milestones.filter(accepted_at__isnull=True).count()
    if outcome == Contract.Status.COMPLETE and waiting:
        raise Conflict(
            ngettext(
                "Accept the work of every milestone before completing the contract (%(count)s "
                "is not accepted yet), or end it early if that work will not be done.",
                "Accept the work of every milestone before completing the contract (%(count)s "
                "are not accepted yet), or end it early if that work will not be done.",
                waiting,
            )
            % {"count": waiting}
        )


def close_contract(*, actor: Person, contract: Contract, close_in: CloseIn) -> Contract:
    """Close the contract, completed or ended early: the money neither paid nor owed for
    accepted work goes back to the fund, the register and open data say how it ended, and
    nothing more can be added, accepted or reported on it."""
    if close_in.outcome not in (Contract.Status.COMPLETE, Contract.Status.TERMINATED):
        raise InvalidInput(
            problems=[
                FieldProblem("outcome", _("Say whether the work was completed or ended early"))
            ]
        )
    early = close_in.outcome == Contract.Status.TERMINATED
    if early and not close_in.reason_en.strip():
        raise InvalidInput(
            problems=[FieldProblem("reason_en", _("Say why the contract ended early, in English"))]
        )
    with transaction.atomic():
        locked = Contract.objects.select_for_update().get(pk=contract.pk)
        check_closing(actor=actor, contract=locked, outcome=close_in.outcome)
        locked.status = close_in.outcome
        locked.closed_at = timezone.now()
        locked.close_reason_en = close_in.reason_en.strip() if early else ""
        locked.close_reason_cy = close_in.reason_cy.strip() if early else ""
        locked.save(update_fields=["status", "closed_at", "close_reason_en", "close_reason_cy"])
        released = fund.release(actor=actor, contract=locked, keep_pence=owed(locked))
        ocds.publish(locked.award.phase, ["contractUpdate"], contract=locked)
        audit.record_event(
            actor=actor,
            action="contract.closed",
            obj=locked,
            after={
                "outcome": close_in.outcome,
                "reason": locked.close_reason_en,
                "released_pence": released,
            },
        )
    return locked


def accept_milestone(
    *, actor: Person, milestone: Milestone, reports_seen: str | None = None
) -> Milestone:
    """The buyer accepts the work a milestone pays for (and with it the social value reported
    for it); the fund manager can then pay it. ``reports_seen`` is the reports' version the
    buyer read (``social_value.services.reports_version``): if the supplier changed them
    since, nothing is accepted."""
    with transaction.atomic():
        locked = Milestone.objects.select_for_update().get(pk=milestone.pk)
        check_acceptance(actor=actor, milestone=locked)  # on the locked row: one acceptance
        # Reports change under this lock too (report_delivery), so what was read is what counts.
        if reports_seen is not None and reports_seen != social_value.reports_version(locked):
            raise Conflict(
                _(
                    "The supplier changed what it reported for this milestone after you read "
                    "it. Read it again, then accept the work."
                )
            )
        locked.accepted_at = timezone.now()
        locked.accepted_by = actor
        locked.save(update_fields=["accepted_at", "accepted_by"])
        ocds.publish(locked.contract.award.phase, ["implementation"], contract=locked.contract)
        audit.record_event(actor=actor, action="contract.milestone_accepted", obj=locked)
        announce_contract(actor, locked.contract)  # the fund managers, to pay
    return locked


def pay_milestone(
    *, actor: Person, milestone: Milestone, paid_on: dt.date | None = None
) -> fund.Payment:
    """The fund manager pays an accepted milestone from the Challenge Fund, and the payment is
    published as open contracting data, both or neither."""
    with transaction.atomic():
        payment = fund.pay(actor=actor, milestone=milestone, paid_on=paid_on)
        contract = milestone.contract
        ocds.publish(contract.award.phase, ["implementation"], contract=contract)
    return payment


def set_cpv(*, actor: Person, contract: Contract, codes: Sequence[str]) -> Contract:
    """What the contract buys, as CPV codes (the main one first), published in its open data
    and the contract register."""
    require_runs(actor, contract.award.phase.challenge)
    checked = cpv.checked_codes(codes)
    if not checked:
        raise InvalidInput(
            problems=[
                FieldProblem(
                    "cpv_codes", _("Enter at least one CPV code: the main code of what it buys")
                )
            ]
        )
    with transaction.atomic():
        before = list(contract.cpv_codes)
        contract.cpv_codes = checked
        contract.save(update_fields=["cpv_codes"])
        ocds.publish(contract.award.phase, ["contractUpdate"], contract=contract)
        audit.record_event(
            actor=actor,
            action="contract.cpv_changed",
            obj=contract,
            before={"cpv_codes": before},
            after={"cpv_codes": checked},
        )
    return contract


def link_outcomes(*, actor: Person, contract: Contract, indicators: Sequence[str]) -> Contract:
    """Data Lab indicators that measure what the contract is for, so results flow back."""
    require_runs(actor, contract.award.phase.challenge)
    found = [data.get_indicator(actor=actor, slug=slug) for slug in indicators]
    with transaction.atomic():
        contract.outcome_indicators.set(found)
        audit.record_event(
            actor=actor,
            action="contract.outcomes_linked",
            obj=contract,
            after={"indicators": list(indicators)},
        )
    return contract
