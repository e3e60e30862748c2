"""A council's profile as JSON (public; each list as the caller may see it)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from infuse.core.api_auth import OPTIONAL_AUTH, caller
from infuse.region.councils import services
from infuse.region.councils.schemas import ProfileOut

router = Router(tags=["the region"])


@router.get(
    "/councils/{slug}",
    response=ProfileOut,
    auth=OPTIONAL_AUTH,
    summary="A council: its spine chart of indicators, experiments, challenges, datasets",
)
def council(
    request: HttpRequest, slug: str, compare: str = "", goal: str = "", theme: str = ""
) -> ProfileOut:
    """``compare``: "region" (the default), "wales" or a comparator group's slug; ``goal`` and
    ``theme`` (codes) keep the spine chart to their indicators."""
    return ProfileOut.of(
        services.profile(actor=caller(request), slug=slug, compare=compare, goal=goal, theme=theme)
    )
