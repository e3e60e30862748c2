"""The goal and theme pages: for one of the seven well-being goals (or the programme's three
themes), the indicators, experiments, challenges, fund money and datasets tagged with it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from django.db.models import Q

from infuse.core.errors import NotFound
from infuse.core.models import NationalIndicator, NationalMilestone, Theme, WellbeingGoal
from infuse.datalab.catalogue.services import visible_indicators
from infuse.procurement.register import queries as register
from infuse.procurement.social_value import queries as social_value
from infuse.region.work import CODE, Work, work_for

Kind = Literal["goal", "theme"]
TERMS: dict[Kind, Any] = {"goal": WellbeingGoal, "theme": Theme}


@dataclass(frozen=True)
class NationalLine:
    """A national indicator for Wales that serves the goal, its milestones, and the Data Lab
    indicators that measure it locally (those the reader may see)."""

    indicator: NationalIndicator
    milestones: list[NationalMilestone]
    local: list[Any]


@dataclass(frozen=True)
class Overview:
    kind: Kind
    term: Any
    work: Work
    national: list[NationalLine] = field(default_factory=list)
    # Social value promised in contracts for the goal, against what was delivered.
    social_value: list[Any] = field(default_factory=list)

    @property
    def analysed(self) -> int:
        return sum(1 for line in self.work.experiments if line.result != "not-analysed")

    @property
    def effects(self) -> int:
        return sum(1 for line in self.work.experiments if line.result == "effect")


def terms() -> dict[Kind, list[Any]]:
    """Every goal and theme, in their order (the index of the pages)."""
    return {kind: list(model.objects.all()) for kind, model in TERMS.items()}


def overview(*, actor: Any, kind: Kind, code: str) -> Overview:
    """What ``actor`` may see tagged with the goal or theme ``code``."""
    term = TERMS[kind].objects.filter(code=code).first() if CODE.fullmatch(code) else None
    if term is None:
        raise NotFound()
    tag = Q(goals=term) if kind == "goal" else Q(themes=term)
    work = work_for(actor, indicators=tag, experiments=tag, challenges=tag, datasets=tag)
    if kind == "theme":
        return Overview(kind, term, work)
    delivered = social_value.lines_for(register.public_contracts(), goal=term)
    return Overview(kind, term, work, _national(actor, term), delivered)


def _national(actor: Any, goal: WellbeingGoal) -> list[NationalLine]:
    visible = visible_indicators(actor)
    return [
        NationalLine(
            indicator,
            list(indicator.milestones.all()),
            list(visible.filter(national_indicators=indicator)),
        )
        for indicator in goal.national_indicators.prefetch_related("milestones")
    ]
