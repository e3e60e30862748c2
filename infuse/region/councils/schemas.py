"""A council's profile in the API: the same figures as its page."""

from __future__ import annotations

from ninja import Schema

from infuse.datalab.comparators.spine import SpineRow
from infuse.region.councils.services import Profile
from infuse.region.goals.schemas import WorkOut


class CouncilValueOut(Schema):
    indicator: str
    period: str | None
    value: float | None
    region_value: float | None
    comparison: str  # against compared_with: the indicator's benchmark
    compared_with: str


class TrendOut(Schema):
    direction: str  # increasing, decreasing or no_significant_change
    judgement: str  # better, worse or "" (no change, or neither direction is better)
    first_period: str
    last_period: str
    points: int
    p_value: float


class SpineRowOut(Schema):
    """One indicator on the council's spine chart, against the chosen comparator."""

    indicator: str
    period: str
    value: float | None  # None when hidden to protect confidentiality
    suppressed: bool
    comparator_value: float | None
    comparator_hidden: bool  # a member's value is hidden, so the group's is not shown
    comparison: str
    lowest: float | None
    lower_quartile: float | None
    upper_quartile: float | None
    highest: float | None
    councils_in_range: int
    trend: TrendOut | None

    @classmethod
    def of(cls, row: SpineRow) -> SpineRowOut:
        bench = row.benchmark
        trend = row.trend
        return cls(
            indicator=row.indicator.slug,
            period=row.period,
            value=row.value.value,
            suppressed=row.value.suppressed,
            comparator_value=bench.value if bench else None,
            comparator_hidden=bool(bench and bench.hidden),
            comparison=row.comparison,
            lowest=row.lowest,
            lower_quartile=row.lower_quartile,
            upper_quartile=row.upper_quartile,
            highest=row.highest,
            councils_in_range=row.councils_in_range,
            trend=TrendOut(**vars(trend)) if trend else None,
        )


class ProfileOut(Schema):
    council: str
    gss_code: str
    name_en: str
    name_cy: str
    values: list[CouncilValueOut]
    compared_with: str  # "region", "wales" or a comparator group's slug
    spine: list[SpineRowOut]
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
                    compared_with=line.compared_with,
                )
            )
        return cls(
            council=council.slug,
            gss_code=council.gss_code,
            name_en=council.name_en,
            name_cy=council.name_cy or "",
            values=values,
            compared_with=profile.spine.against.code,
            spine=[SpineRowOut.of(row) for row in profile.spine.rows],
            work=WorkOut.of(profile.work),
        )
