"""The council pages: for one of the ten councils, its indicators against the region, the
experiments it takes part in, the challenges it runs or benefits from (and the fund's money on
their contracts), and the datasets it publishes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from infuse.core.errors import NotFound
from infuse.core.models import Council
from infuse.region.work import CODE, Work, work_for


@dataclass(frozen=True)
class Profile:
    council: Council
    work: Work


def councils() -> list[Council]:
    return list(Council.objects.all())


def profile(*, actor: Any, slug: str) -> Profile:
    """What ``actor`` may see of the council ``slug``'s part in the region's work."""
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
    return Profile(council, work)
