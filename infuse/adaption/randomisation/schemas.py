"""Input and output of the randomisation's use cases."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema

from infuse import stats
from infuse.adaption.models import Allocation
from infuse.core.bounds import Count, Whole


class RandomiseIn(Schema):
    """How to randomise; units are the councils for cluster and stepped-wedge designs, else
    the values of a column of a Data Lab dataset (one row per unit), optionally stratified.
    Without a seed, a random one is drawn (and kept either way)."""

    seed: Whole | None = None
    dataset: str = ""
    unit_column: str = ""
    strata_column: str = ""
    n_steps: Count | None = None  # stepped wedge: how many steps (default: one per council)


class AllocationOut(Schema):
    method: str
    seed: int
    allocation_digest: str
    inputs_digest: str
    protocol_version: int
    created_at: datetime
    counts: dict[str, int]
    units: list[str]
    arms: list[str]
    steps: list[int] | None
    balance: dict

    @classmethod
    def of(cls, allocation: Allocation) -> AllocationOut:
        drawn = allocation.drawn
        return cls(
            method=allocation.method,
            seed=allocation.seed,
            allocation_digest=allocation.allocation_digest,
            inputs_digest=allocation.inputs_digest,
            protocol_version=allocation.protocol.version,
            created_at=allocation.created_at,
            counts=drawn.counts,
            units=[str(u) for u in drawn.unit_ids],
            arms=list(drawn.assignment),
            steps=list(drawn.steps) if drawn.steps is not None else None,
            balance=stats.to_json(table) if (table := allocation.balance_table) else {},
        )
