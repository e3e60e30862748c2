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
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from infuse.core import audit
from infuse.core.errors import Conflict, FieldProblem, InvalidInput, NotFound, PermissionDenied
from infuse.core.models import Person
from infuse.core.money import pounds
from infuse.core.permissions import can
from infuse.fund.models import Allocation, Commitment, Fund, Payment

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


def allocate(
    *, actor: Person, phase: Any, amount_pence: int, fund: Fund | None = None
) -> Allocation:
    """Set aside ``amount_pence`` for a phase (or change what it has): never more than the fund
    has unallocated, never less than the phase has already committed."""
    _require_manager(actor)
    if amount_pence <= 0:
        raise InvalidInput(problems=[FieldProblem("amount", _("Enter an amount of more than £0"))])
    fund = fund or Fund.objects.get(slug=CHALLENGE_FUND)
    with transaction.atomic():
        existing = Allocation.objects.select_for_update().filter(phase=phase).first()
        before = existing.amount_pence if existing else 0
        change = amount_pence - before
        if change > 0 and not _draw(
            Fund, fund.pk, change, used="allocated_pence", limit="total_pence"
        ):
            fund.refresh_from_db()
            raise Conflict(
                _(
                    "That would allocate more than the fund holds: %(left)s is unallocated "
                    "and this needs %(needed)s more."
                )
                % {
                    "left": pounds(fund.total_pence - fund.allocated_pence),
                    "needed": pounds(change),
                }
            )
        if existing is None:
            allocation = Allocation.objects.create(
                fund=fund, phase=phase, amount_pence=amount_pence, created_by=actor
            )
        else:
            if amount_pence < existing.committed_pence:
                raise Conflict(
                    _("%(committed)s of this allocation is already committed to contracts.")
                    % {"committed": pounds(existing.committed_pence)}
                )
            Allocation.objects.filter(pk=existing.pk).update(amount_pence=amount_pence)
            if change < 0:
                Fund.objects.filter(pk=fund.pk).update(
                    allocated_pence=F("allocated_pence") + change
                )
            allocation = Allocation.objects.get(pk=existing.pk)
        audit.record_event(
            actor=actor,
            action="fund.allocated",
            obj=allocation,
            before={"amount_pence": before},
            after={"amount_pence": amount_pence, "phase": phase.pk, "fund": fund.slug},
        )
    return allocation


def commit(*, actor: Person, contract: Any, amount_pence: int) -> Commitment:
    """Commit money to an awarded contract from its phase's allocation. Runs inside the award
    service's transaction; refused (and so the whole award) if the allocation or the fund would
    be exceeded — also when another commitment is made at the same moment."""
    allocation = Allocation.objects.filter(phase_id=contract.award.phase_id).first()
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
            contract=contract,
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


def pay(*, actor: Person, milestone: Any, paid_on: dt.date | None = None) -> Payment:
    """Pay an accepted milestone from its contract's commitment (once)."""
    _require_manager(actor)
    if milestone.accepted_at is None:
        raise Conflict(_("Accept the milestone before paying it."))
    commitment = Commitment.objects.filter(contract_id=milestone.contract_id).first()
    if commitment is None:
        raise Conflict(_("The contract has no commitment from the fund."))
    paid_on = paid_on or timezone.localdate()
    with transaction.atomic():
        if Payment.objects.filter(milestone=milestone).exists():
            raise Conflict(_("This milestone has been paid already."))
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
                    milestone=milestone,
                    amount_pence=amount,
                    paid_on=paid_on,
                    financial_year=financial_year(paid_on),
                    created_by=actor,
                )
        except IntegrityError:  # paid by someone else at this very moment
            raise Conflict(_("This milestone has been paid already.")) from None
        from infuse.procurement import ocds

        contract = commitment.contract
        ocds.publish(contract.award.phase, ["implementation"], contract=contract)
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


def portfolio(*, actor: Any, fund: Fund) -> dict[str, list[PortfolioRow]]:
    """The fund's money by challenge, theme, well-being goal, council and financial year.

    A challenge tagged with two themes counts in both theme rows (a portfolio view, not a
    ledger: each grouping's rows can add up to more than the fund); the challenge and
    financial-year rows add up exactly."""
    if not can(actor, "fund.view_fund", fund):
        raise NotFound()
    from infuse.procurement.services import challenges_with_tags

    allocations = list(Allocation.objects.filter(fund=fund).select_related("phase__challenge"))
    paid = {
        row["commitment__allocation"]: row["total"]
        for row in Payment.objects.filter(commitment__allocation__fund=fund)
        .values("commitment__allocation")
        .annotate(total=Sum("amount_pence"))
    }
    by_challenge: dict[int, list[int]] = {}
    for allocation in allocations:
        sums = by_challenge.setdefault(allocation.phase.challenge_id, [0, 0, 0])
        sums[0] += allocation.amount_pence
        sums[1] += allocation.committed_pence
        sums[2] += paid.get(allocation.pk, 0)
    challenges = challenges_with_tags(by_challenge)
    groups: dict[str, dict[str, list[Any]]] = {
        "challenge": {},
        "theme": {},
        "goal": {},
        "council": {},
    }

    def add(group: str, key: str, en: str, cy: str, sums: list[int]) -> None:
        row = groups[group].setdefault(key, [en, cy, 0, 0, 0])
        for i in range(3):
            row[2 + i] += sums[i]

    for challenge in challenges:
        sums = by_challenge[challenge.pk]
        add(
            "challenge",
            challenge.slug,
            challenge.title_en,
            challenge.title_cy or challenge.title_en,
            sums,
        )
        for theme in challenge.themes.all():
            add("theme", theme.code, theme.name_en, theme.name_cy or theme.name_en, sums)
        for goal in challenge.goals.all():
            add("goal", goal.code, goal.name_en, goal.name_cy or goal.name_en, sums)
        for council in challenge.councils.all():
            add(
                "council",
                council.gss_code,
                council.name_en,
                council.name_cy or council.name_en,
                sums,
            )
    years: dict[str, list[int]] = {year: [0, 0, 0] for year in financial_years(fund)}
    for row in (
        Commitment.objects.filter(allocation__fund=fund)
        .values("financial_year")
        .annotate(total=Sum("amount_pence"))
    ):
        years.setdefault(row["financial_year"], [0, 0, 0])[1] += row["total"]
    for row in (
        Payment.objects.filter(commitment__allocation__fund=fund)
        .values("financial_year")
        .annotate(total=Sum("amount_pence"))
    ):
        years.setdefault(row["financial_year"], [0, 0, 0])[2] += row["total"]
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
        for year, sums in sorted(years.items())
    ]
    return result


def report(*, actor: Any) -> dict[str, Any]:
    """The Challenge Fund's totals and portfolio as plain data (for the API and the CLI)."""
    from dataclasses import asdict

    fund = get_fund(actor=actor)
    return {
        "total_pence": fund.total_pence,
        "allocated_pence": fund.allocated_pence,
        "committed_pence": fund.committed_pence,
        "paid_pence": fund.paid_pence,
        "portfolio": {
            group: [asdict(row) for row in rows]
            for group, rows in portfolio(actor=actor, fund=fund).items()
        },
    }
