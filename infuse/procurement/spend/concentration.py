"""How concentrated a market's spending is among its suppliers.

The Herfindahl–Hirschman index is the sum of the squared market shares in per cent (0 to
10,000); the UK's Competition and Markets Authority reads an index above 1,000 as concentrated
and above 2,000 as highly concentrated (CMA, Merger Assessment Guidelines, 2021, 4.14–4.15 —
thresholds it sets for markets, used here as a reading of a buyer's market, not a verdict).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

CONCENTRATED = 1_000
HIGHLY_CONCENTRATED = 2_000


@dataclass(frozen=True)
class Concentration:
    """The index, the five largest suppliers' share (0–1) and what they are of."""

    hhi: float
    top_five_share: float
    suppliers: int
    total_pence: int

    @property
    def level(self) -> str:
        if self.hhi > HIGHLY_CONCENTRATED:
            return "high"
        return "moderate" if self.hhi > CONCENTRATED else "low"


def concentration(amounts: Sequence[int]) -> Concentration:
    """The concentration of ``amounts`` paid to each supplier (pence). Suppliers owed money on
    balance (credits above payments) hold no share of what was bought and are left out."""
    paid = sorted((a for a in amounts if a > 0), reverse=True)
    total = sum(paid)
    if total == 0:
        return Concentration(0.0, 0.0, 0, 0)
    hhi = sum((100 * a / total) ** 2 for a in paid)
    return Concentration(hhi, sum(paid[:5]) / total, len(paid), total)
