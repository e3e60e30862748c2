"""What works: the region's evidence page — every decided experiment, and the pooled effect
where experiments share an outcome."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from infuse.adaption.decisions.evidence import Evidence, Pooled, decided, pooled
from infuse.region.whatworks.schemas import EvidenceQuery


@dataclass(frozen=True)
class WhatWorks:
    rows: list[Evidence]
    pooled: list[Pooled]


def what_works(*, actor: Any, query: EvidenceQuery) -> WhatWorks:
    rows = decided(
        actor, goal=query.goal, theme=query.theme, council=query.council, design=query.design
    )
    return WhatWorks(rows=rows, pooled=pooled(rows))
