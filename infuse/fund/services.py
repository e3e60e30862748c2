"""Use cases of the Challenge Fund: allocate to a phase, commit on award, pay a milestone, and
report the portfolio. Every change is one transaction with its audit event.

Why conditional updates and not "read the total, check, write": two officers committing at the
same moment would both read the same headroom. ``UPDATE … SET committed = committed + x WHERE
committed + x <= amount`` is decided by the database row by row (PostgreSQL re-checks the
condition after waiting for the row; SQLite runs one writer at a time), so the second one finds
no headroom and is refused; the check constraints on the tables are the last line of defence.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from django.db import IntegrityError, transaction
from django.db.models import F, Model, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from infuse.core import audit
from infuse.core.errors import Conflict, FieldProblem, InvalidInput, NotFound, PermissionDenied
from infuse.core.models import Person
from infuse.core.money import pounds
from infuse.core.permissions import can
from infuse.fund import purposes
from infuse.fund.models import Allocation, Commitment, Fund, Payment
from infuse.fund.schemas import AllocationIn, FundOut, PortfolioRowOut

CHALLENGE_FUND = "challenge-fund"


def financial_year(day: dt.date) -> str:
    """The UK public-sector financial year a date falls in: 1 April 2026 → "2026-27"."""
    start = day.year if day >= dt.date(day.year, 4, 1) else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def financial_years(fund: Fund) -> list[str]:
    years = []
    day = fund.starts_on
    while day <= fund.ends_on:
        year = financial_year(day)
        if year not in years:
            years.append(year)
        day = dt.date(int(year[:4]) + 1, 4, 1)
    return years


def get_fund(*, actor: Any, slug: str = CHALLENGE_FUND) -> Fund:
    fund = Fund.objects.filter(slug=slug).first()
    if fund is None or not can(actor, "fund.view_fund", fund):
        raise NotFound()
    return fund


def totals(slug: str = CHALLENGE_FUND) -> Fund | None:
    """The fund's running totals (size, allocated, committed, paid), which anyone may read:
    the home page shows the public where the money stands; the portfolio stays with the
    region. None before the fund is set up."""
    return Fund.objects.filter(slug=slug).first()


def _require_manager(actor: Any) -> None:
    if not can(actor, "fund.manage_fund"):
        raise PermissionDenied()


def _draw(model: Any, pk: int, amount: int, *, used: str, limit: str) -> bool:
    """Add ``amount`` to ``used`` only if it stays within ``limit`` (atomically, in SQL)."""
    return bool(
        model.objects.filter(pk=pk, **{f"{used}__lte": F(limit) - amount}).update(
            **{used: F(used) + amount}
        )
    )


def allocate(*, actor: Person, allocation_in: AllocationIn, fund: Fund | None = None) -> Allocation:
    """Set aside ``amount_pence`` for a challenge phase (or change what it has): never more than
    the fund has unallocated, never less than the phase has already committed."""
    _require_manager(actor)
    purpose = purposes.directory().find(allocation_in.purpose)
    problems = []
    if purpose is None:
        problems.append(FieldProblem("purpose", _("Choose a challenge phase from the list")))
    if allocation_in.amount_pence <= 0:
        problems.append(FieldProblem("amount", _("Enter an amount of more than £0")))
    if problems or purpose is None:
        raise InvalidInput(problems=problems)
    fund = fund or Fund.objects.get(slug=CHALLENGE_FUND)
    with transaction.atomic():
        allocation, before = _set_allocation(actor, fund, purpose.id, allocation_in.amount_pence)
        audit.record_event(
            actor=actor,
            action="fund.allocated",
            obj=allocation,
            before={"amount_pence": before},
            after={
                "amount_pence": allocation_in.amount_pence,
                "phase": purpose.id,
                "fund": fund.slug,
            },
        )
    return allocation


def _set_allocation(
    actor: Person, fund: Fund, phase_id: int, amount: int
) -> tuple[Allocation, int]:
    """The phase's allocation set to ``amount`` (made if new), and what it was before."""
    existing = Allocation.objects.select_for_update().filter(phase_id=phase_id).first()
    before = existing.amount_pence if existing else 0
    change = amount - before
    if change > 0 and not _draw(Fund, fund.pk, change, used="allocated_pence", limit="total_pence"):
        fund.refresh_from_db()
        raise Conflict(
            _(
                "That would allocate more than the fund holds: %(left)s is unallocated "
                "and this needs %(needed)s more."
            )
            % {"left": pounds(fund.total_pence - fund.allocated_pence), "needed": pounds(change)}
        )
    if existing is None:
        made = Allocation.objects.create(
            fund=fund, phase_id=phase_id, amount_pence=amount, created_by=actor
        )
        return made, before
    if amount < existing.committed_pence:
        raise Conflict(
            _("%(committed)s of this allocation is already committed to contracts.")
            % {"committed": pounds(existing.committed_pence)}
        )
    Allocation.objects.filter(pk=existing.pk).update(amount_pence=amount)
    if change < 0:
        Fund.objects.filter(pk=fund.pk).update(allocated_pence=F("allocated_pence") + change)
    return Allocation.objects.get(pk=existing.pk), before


def commit(*, actor: Person, contract: Model, purpose_id: int, amount_pence: int) -> Commitment:
    """Commit money to an awarded contract from its phase's (``purpose_id``) allocation. Runs
    inside the award service's transaction; refused (and so the whole award) if the allocation
    or the fund would be exceeded — also when another commitment is made at the same moment."""
    allocation = Allocation.objects.filter(phase_id=purpose_id).first()
    if allocation is None:
        raise Conflict(_("This phase has no money allocated from the Challenge Fund yet."))
    with transaction.atomic():
        if not _draw(
            Allocation, allocation.pk, amount_pence, used="committed_pence", limit="amount_pence"
        ):
            allocation.refresh_from_db()
            raise Conflict(
                _(
                    "That would commit more than the phase's allocation: %(left)s is left "
                    "and the contract needs %(needed)s."
                )
                % {
                    "left": pounds(allocation.amount_pence - allocation.committed_pence),
                    "needed": pounds(amount_pence),
                }
            )
        if not _draw(
            Fund, allocation.fund_id, amount_pence, used="committed_pence", limit="allocated_pence"
        ):
            raise Conflict(_("That would commit more than the fund holds."))
        commitment = Commitment.objects.create(
            allocation=allocation,
            contract_id=contract.pk,
            amount_pence=amount_pence,
            financial_year=financial_year(timezone.localdate()),
            created_by=actor,
        )
        audit.record_event(
            actor=actor,
            action="fund.committed",
            obj=commitment,
            after={"amount_pence": amount_pence, "contract": contract.pk},
        )
    return commitment


def release(*, actor: Person, contract: Model, keep_pence: int = 0) -> int:
    """When a contract closes: the money committed to it and neither paid nor owed for work
    already accepted (``keep_pence``) goes back to its phase's allocation and the fund, to be
    committed again; returns how much. Runs inside the closing service's transaction."""
    with transaction.atomic():
        commitment = Commitment.objects.select_for_update().filter(contract_id=contract.pk).first()
        if commitment is None:
            return 0
        kept = commitment.paid_pence + keep_pence
        freed = max(0, commitment.amount_pence - kept)
        if not freed:
            return 0
        Commitment.objects.filter(pk=commitment.pk).update(amount_pence=kept)
        Allocation.objects.filter(pk=commitment.allocation_id).update(
            committed_pence=F("committed_pence") - freed
        )
        Fund.objects.filter(pk=commitment.allocation.fund_id).update(
            committed_pence=F("committed_pence") - freed
        )
        audit.record_event(
            actor=actor,
            action="fund.released",
            obj=commitment,
            before={"amount_pence": commitment.amount_pence},
            after={"amount_pence": kept, "released_pence": freed, "contract": contract.pk},
        )
    return freed


class PayableMilestone(Protocol):
    """What the fund needs to know of a contract milestone to pay it."""

    pk: Any
    contract_id: int
    amount_pence: int
    accepted_at: dt.datetime | None


def check_payment(*, actor: Any, milestone: PayableMilestone) -> Commitment:
    """Why ``actor`` cannot pay ``milestone`` now (raised), else the commitment it draws on."""
    _require_manager(actor)
    if milestone.accepted_at is None:
        raise Conflict(_("Accept the milestone before paying it."))
    if Payment.objects.filter(milestone_id=milestone.pk).exists():
        raise Conflict(_("This milestone has been paid already."))
    commitment = Commitment.objects.filter(contract_id=milestone.contract_id).first()
    if commitment is None:
        raise Conflict(_("The contract has no commitment from the fund."))
    return commitment


def pay(*, actor: Person, milestone: PayableMilestone, paid_on: dt.date | None = None) -> Payment:
    """Pay an accepted milestone from its contract's commitment (once). The lab that manages the
    contract calls this inside its own transaction (and publishes what was paid)."""
    commitment = check_payment(actor=actor, milestone=milestone)
    paid_on = paid_on or timezone.localdate()
    with transaction.atomic():
        amount = milestone.amount_pence
        if not _draw(Commitment, commitment.pk, amount, used="paid_pence", limit="amount_pence"):
            commitment.refresh_from_db()
            raise Conflict(
                _("That would pay more than was committed: %(left)s is left to pay.")
                % {"left": pounds(commitment.amount_pence - commitment.paid_pence)}
            )
        Fund.objects.filter(pk=commitment.allocation.fund_id).update(
            paid_pence=F("paid_pence") + amount
        )
        try:
            with transaction.atomic():
                payment = Payment.objects.create(
                    commitment=commitment,
                    milestone_id=milestone.pk,
                    amount_pence=amount,
                    paid_on=paid_on,
                    financial_year=financial_year(paid_on),
                    created_by=actor,
                )
        except IntegrityError:  # paid by someone else at this very moment
            raise Conflict(_("This milestone has been paid already.")) from None
        audit.record_event(
            actor=actor,
            action="fund.paid",
            obj=payment,
            after={"amount_pence": amount, "milestone": milestone.pk, "paid_on": str(paid_on)},
        )
    return payment


def payments_for(contract: Any) -> list[Payment]:
    """A contract's payments in the order they were made (for open contracting data)."""
    return list(Payment.objects.filter(commitment__contract=contract).order_by("pk"))


@dataclass(frozen=True)
class PortfolioRow:
    group: str  # theme, goal, council, challenge or financial year
    key: str
    label_en: str
    label_cy: str
    allocated_pence: int
    committed_pence: int
    paid_pence: int


@dataclass(frozen=True)
class AllocationRow:
    """An allocation with what it pays for, as its lab describes it."""

    allocation: Allocation
    purpose: purposes.Purpose


def allocations(*, actor: Any, fund: Fund) -> list[AllocationRow]:
    """The fund's allocations, each with its challenge phase, in the order phases are listed."""
    if not can(actor, "fund.view_fund", fund):
        raise NotFound()
    found = {a.phase_id: a for a in Allocation.objects.filter(fund=fund)}
    described = purposes.directory().describe(found)
    order = {p.id: i for i, p in enumerate(purposes.directory().fundable())}
    return [
        AllocationRow(found[pk], described[pk])
        for pk in sorted(described, key=lambda pk: order.get(pk, len(order)))
    ]


def allocation_row(allocation: Allocation) -> AllocationRow:
    """One allocation with what it pays for."""
    purpose = purposes.directory().describe([allocation.phase_id])[allocation.phase_id]
    return AllocationRow(allocation, purpose)


def _sums_by_phase(fund: Fund) -> dict[int, list[int]]:
    """Allocated, committed and paid pence per challenge phase."""
    paid = {
        row["commitment__allocation"]: row["total"]
        for row in Payment.objects.filter(commitment__allocation__fund=fund)
        .values("commitment__allocation")
        .annotate(total=Sum("amount_pence"))
    }
    return {
        a.phase_id: [a.amount_pence, a.committed_pence, paid.get(a.pk, 0)]
        for a in Allocation.objects.filter(fund=fund)
    }


def _sums_by_year(fund: Fund) -> dict[str, list[int]]:
    """Committed and paid pence per financial year (nothing is allocated by year)."""
    years: dict[str, list[int]] = {year: [0, 0, 0] for year in financial_years(fund)}
    for model, prefix, position in ((Commitment, "", 1), (Payment, "commitment__", 2)):
        rows = (
            model.objects.filter(**{f"{prefix}allocation__fund": fund})
            .values("financial_year")
            .annotate(total=Sum("amount_pence"))
        )
        for row in rows:
            years.setdefault(row["financial_year"], [0, 0, 0])[position] += row["total"]
    return years


def portfolio(*, actor: Any, fund: Fund) -> dict[str, list[PortfolioRow]]:
    """The fund's money by challenge, theme, well-being goal, council and financial year.

    A challenge tagged with two themes counts in both theme rows (a portfolio view, not a
    ledger: each grouping's rows can add up to more than the fund); the challenge and
    financial-year rows add up exactly."""
    if not can(actor, "fund.view_fund", fund):
        raise NotFound()
    by_phase = _sums_by_phase(fund)
    groups: dict[str, dict[str, list[Any]]] = {
        "challenge": {},
        "theme": {},
        "goal": {},
        "council": {},
    }
    for pk, purpose in purposes.directory().describe(by_phase).items():
        tagged = {
            "challenge": (purpose.group,),
            "theme": purpose.themes,
            "goal": purpose.goals,
            "council": purpose.councils,
        }
        for group, tags in tagged.items():
            for tag in tags:
                row = groups[group].setdefault(tag.key, [tag.label_en, tag.label_cy, 0, 0, 0])
                for i, amount in enumerate(by_phase[pk]):
                    row[2 + i] += amount
    result = {
        group: [
            PortfolioRow(group, key, en, cy, allocated, committed, paid_total)
            for key, (en, cy, allocated, committed, paid_total) in sorted(
                rows.items(), key=lambda item: -item[1][2]
            )
        ]
        for group, rows in groups.items()
    }
    result["financial_year"] = [
        PortfolioRow("financial_year", year, year, year, 0, sums[1], sums[2])
        for year, sums in sorted(_sums_by_year(fund).items())
    ]
    return result


def report(*, actor: Any) -> FundOut:
    """The Challenge Fund's totals and portfolio (for the API and the CLI)."""
    fund = get_fund(actor=actor)
    return FundOut(
        total_pence=fund.total_pence,
        allocated_pence=fund.allocated_pence,
        committed_pence=fund.committed_pence,
        paid_pence=fund.paid_pence,
        portfolio={
            group: [PortfolioRowOut(**asdict(row)) for row in rows]
            for group, rows in portfolio(actor=actor, fund=fund).items()
        },
    )


def money_for_contracts(contract_ids: Iterable[int]) -> tuple[int, int]:
    """Pence committed to, and paid on, these contracts from the fund (for the region's pages:
    how much of the fund went to work on a goal, a theme or a council)."""
    sums = Commitment.objects.filter(contract_id__in=list(contract_ids)).aggregate(
        committed=Sum("amount_pence"), paid=Sum("paid_pence")
    )
    return int(sums["committed"] or 0), int(sums["paid"] or 0)
