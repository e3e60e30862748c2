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
    summary="A council: its indicators against the region, experiments, challenges, datasets",
)
def council(request: HttpRequest, slug: str) -> ProfileOut:
    return ProfileOut.of(services.profile(actor=caller(request), slug=slug))
