"""A council's profile in the API: the same figures as its page."""

from __future__ import annotations

from ninja import Schema

from infuse.region.councils.services import Profile
from infuse.region.goals.schemas import WorkOut


class CouncilValueOut(Schema):
    indicator: str
    period: str | None
    value: float | None
    region_value: float | None
    comparison: str


class ProfileOut(Schema):
    council: str
    gss_code: str
    name_en: str
    name_cy: str
    values: list[CouncilValueOut]
    work: WorkOut

    @classmethod
    def of(cls, profile: Profile) -> ProfileOut:
        council = profile.council
        values = []
        for line in profile.work.indicators:
            shown = line.council_value
            values.append(
                CouncilValueOut(
                    indicator=line.indicator.slug,
                    period=line.latest.period if line.latest else None,
                    value=shown.value if shown else None,
                    region_value=line.region_value,
                    comparison=shown.comparison if shown else "",
                )
            )
        return cls(
            council=council.slug,
            gss_code=council.gss_code,
            name_en=council.name_en,
            name_cy=council.name_cy or "",
            values=values,
            work=WorkOut.of(profile.work),
        )
