"""What works: the region's evidence page — every decided experiment, and the pooled effect
where experiments share an outcome."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from infuse.adaption.decisions.evidence import Evidence, Pooled, decided, pooled
from infuse.procurement.contracts.outcome_evaluation import evaluations
from infuse.procurement.contracts.outcome_words import describe
from infuse.procurement.models import OutcomeEvaluation
from infuse.region.whatworks.schemas import EvidenceQuery


@dataclass(frozen=True)
class ContractFinding:
    """A contract's outcome, evaluated after delivery, and what it found in words."""

    evaluation: OutcomeEvaluation
    said: str


@dataclass(frozen=True)
class WhatWorks:
    rows: list[Evidence]
    pooled: list[Pooled]
    contracts: list[ContractFinding]


def _contract_findings(actor: Any, query: EvidenceQuery) -> list[ContractFinding]:
    """The evaluated contracts the reader may see, by the same filters (the design is the
    evaluation's method; a council, one the contract served)."""
    challenge = "contract__award__phase__challenge__"
    where: dict[str, str] = {}
    if query.goal:
        where[f"{challenge}goals__code"] = query.goal
    if query.theme:
        where[f"{challenge}themes__code"] = query.theme
    if query.council:
        where[f"{challenge}councils__slug"] = query.council
    if query.design:
        where["method"] = query.design
    found = evaluations(actor, **where)
    return [ContractFinding(e, describe(e)) for e in found]


def what_works(*, actor: Any, query: EvidenceQuery) -> WhatWorks:
    rows = decided(
        actor, goal=query.goal, theme=query.theme, council=query.council, design=query.design
    )
    return WhatWorks(rows=rows, pooled=pooled(rows), contracts=_contract_findings(actor, query))
