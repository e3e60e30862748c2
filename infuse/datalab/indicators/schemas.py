"""Input and output of the indicators' use cases (pages, API and CLI)."""

from __future__ import annotations

from ninja import Schema

from infuse.datalab.catalogue.schemas import texts
from infuse.datalab.models import Indicator, IndicatorValue


class IndicatorIn(Schema):
    """A new indicator: its titles and the computation, as the analytics layer's specification."""

    title_en: str
    title_cy: str
    specification: dict
    description_en: str = ""
    description_cy: str = ""
    themes: list[str] = []
    goals: list[str] = []


class FlagIn(Schema):
    flag: str  # "" clears it

    @classmethod
    def of(cls, value: IndicatorValue) -> FlagIn:
        """The flag as stored, for the flag page to start from."""
        return cls(flag=value.flag)


class IndicatorOut(Schema):
    slug: str
    dataset: str
    title_en: str
    title_cy: str
    description_en: str
    description_cy: str
    unit: str
    polarity: str
    themes: list[str]
    goals: list[str]
    specification: dict

    @classmethod
    def of(cls, indicator: Indicator) -> IndicatorOut:
        return cls(
            **texts(indicator),
            slug=indicator.slug,
            dataset=indicator.dataset.slug,
            unit=indicator.unit,
            polarity=indicator.polarity,
            themes=[t.code for t in indicator.themes.all()],
            goals=[g.code for g in indicator.goals.all()],
            specification=indicator.specification,
        )


class IndicatorCreatedOut(IndicatorOut):
    progress_id: str | None

    @classmethod
    def of(cls, indicator: Indicator) -> IndicatorCreatedOut:
        return cls(
            **IndicatorOut.of(indicator).model_dump(),
            progress_id=str(indicator.progress_id) if indicator.progress_id else None,
        )


class IndicatorValueOut(Schema):
    id: int | None = None  # for people who may set flags; absent from public responses
    period: str
    area_code: str
    area: str
    area_cy: str
    numerator: float | None
    denominator: float | None
    value: float | None
    ci_low: float | None
    ci_high: float | None
    comparison: str
    flag: str


class IndicatorValuesOut(Schema):
    indicator: str
    disclosure_control: str  # "suppression", "rounding" or "none" (people in the region)
    values: list[IndicatorValueOut]


class FlaggedValueOut(Schema):
    id: int
    period: str
    area_code: str
    flag: str

    @classmethod
    def of(cls, value: IndicatorValue) -> FlaggedValueOut:
        return cls(
            id=value.pk,
            period=value.period,
            area_code=value.council.gss_code if value.council else "",
            flag=value.flag,
        )
