"""The goal and theme pages' figures as JSON (public; each list as the caller may see it)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from infuse.core.api_auth import OPTIONAL_AUTH, caller
from infuse.procurement.social_value.queries import public_line_out
from infuse.region.goals import services
from infuse.region.goals.schemas import NationalOut, OverviewOut, TermOut, WorkOut

router = Router(tags=["the region"])


def _out(overview: services.Overview) -> OverviewOut:
    term = overview.term
    return OverviewOut(
        kind=overview.kind,
        term=TermOut(code=term.code, name_en=term.name_en, name_cy=term.name_cy or ""),
        work=WorkOut.of(overview.work),
        national_indicators=[
            NationalOut(
                number=line.indicator.number,
                name_en=line.indicator.name_en,
                name_cy=line.indicator.name_cy or "",
                milestones=[m.name for m in line.milestones],
                local_indicators=[i.slug for i in line.local],
            )
            for line in overview.national
        ],
        social_value=[public_line_out(line) for line in overview.social_value],
    )


@router.get(
    "/goals/{code}",
    response=OverviewOut,
    auth=OPTIONAL_AUTH,
    summary="A well-being goal: the indicators, experiments, challenges, fund money and datasets",
)
def goal(request: HttpRequest, code: str) -> OverviewOut:
    return _out(services.overview(actor=caller(request), kind="goal", code=code))


@router.get(
    "/themes/{code}",
    response=OverviewOut,
    auth=OPTIONAL_AUTH,
    summary="A programme theme: the indicators, experiments, challenges, fund money and datasets",
)
def theme(request: HttpRequest, code: str) -> OverviewOut:
    return _out(services.overview(actor=caller(request), kind="theme", code=code))
