"""The council pages: for one of the ten councils, its indicators against the region, the
experiments it takes part in, the challenges it runs or benefits from (and the fund's money on
their contracts), and the datasets it publishes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from infuse.core.errors import NotFound
from infuse.core.models import Council, Theme, WellbeingGoal
from infuse.datalab.catalogue.services import visible_indicators
from infuse.datalab.comparators.services import Comparator, comparator, comparators
from infuse.datalab.comparators.spine import SpineRow, spine
from infuse.region.work import CODE, Work, work_for


@dataclass(frozen=True)
class Spine:
    """The council's spine chart: its indicators against one comparator, filtered."""

    against: Comparator
    comparators: list[Comparator]
    rows: list[SpineRow]
    goal: WellbeingGoal | None
    theme: Theme | None


@dataclass(frozen=True)
class Profile:
    council: Council
    work: Work
    spine: Spine


def councils() -> list[Council]:
    return list(Council.objects.all())


def _code(text: str) -> bool:
    return bool(text) and CODE.fullmatch(text) is not None


def _spine(actor: Any, council: Council, compare: str, goal: str, theme: str) -> Spine:
    chosen_goal = WellbeingGoal.objects.filter(code=goal).first() if _code(goal) else None
    chosen_theme = Theme.objects.filter(code=theme).first() if _code(theme) else None
    indicators = visible_indicators(actor).filter(values__council=council)
    if chosen_goal:
        indicators = indicators.filter(goals=chosen_goal)
    if chosen_theme:
        indicators = indicators.filter(themes=chosen_theme)
    every = comparators()
    against = comparator(compare, every)
    rows = spine(list(indicators.distinct()), council, actor, against)
    return Spine(against, every, rows, chosen_goal, chosen_theme)


def profile(
    *, actor: Any, slug: str, compare: str = "", goal: str = "", theme: str = ""
) -> Profile:
    """What ``actor`` may see of the council ``slug``'s part in the region's work; its spine
    chart compares with ``compare`` (the region unless a known comparator) and keeps to the
    indicators of ``goal`` and ``theme`` when they are given (codes; unknown ones are ignored)."""
    council = Council.objects.filter(slug=slug).first() if CODE.fullmatch(slug) else None
    if council is None:
        raise NotFound()
    work = work_for(
        actor,
        indicators=Q(values__council=council),
        experiments=Q(councils=council),
        challenges=Q(councils=council) | Q(owner__council=council),
        datasets=Q(publisher__council=council),
        council=council,
    )
    return Profile(council, work, _spine(actor, council, compare, goal, theme))
