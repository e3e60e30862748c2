"""Input and output of the Challenge Fund's use cases (pages, API and CLI). Money in pence."""

from __future__ import annotations

from ninja import Schema

from infuse.core.bounds import Pence
from infuse.fund.models import Allocation
from infuse.fund.purposes import Purpose


class AllocationIn(Schema):
    """Set what one challenge phase may commit to contracts (replacing what it had)."""

    purpose: str  # "<challenge slug>/<phase number>", e.g. "smart-bins/1"
    amount_pence: Pence


class AllocationOut(Schema):
    id: int
    purpose: str
    label: str
    amount_pence: int
    committed_pence: int

    @classmethod
    def of(cls, allocation: Allocation, purpose: Purpose) -> AllocationOut:
        return cls(
            id=allocation.pk,
            purpose=purpose.reference,
            label=purpose.label,
            amount_pence=allocation.amount_pence,
            committed_pence=allocation.committed_pence,
        )


class PortfolioRowOut(Schema):
    group: str  # challenge, theme, goal, council or financial_year
    key: str
    label_en: str
    label_cy: str
    allocated_pence: int
    committed_pence: int
    paid_pence: int


class FundOut(Schema):
    total_pence: int
    allocated_pence: int
    committed_pence: int
    paid_pence: int
    portfolio: dict[str, list[PortfolioRowOut]]
