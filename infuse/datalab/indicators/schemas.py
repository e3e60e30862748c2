"""Input and output of the indicators' use cases (pages, API and CLI)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Schema

from infuse.datalab.catalogue.freshness import freshness
from infuse.datalab.catalogue.schemas import texts
from infuse.datalab.indicators import benchmarks
from infuse.datalab.indicators.metadata import method_sentences
from infuse.datalab.models import Indicator, IndicatorValue


class IndicatorDetailsIn(Schema):
    """What people write about an indicator: its titles, definition, why it matters, what to
    be careful of, where the data comes from, and its tags (the computation never changes)."""

    title_en: str
    title_cy: str
    description_en: str = ""
    description_cy: str = ""
    rationale_en: str = ""
    rationale_cy: str = ""
    caveats_en: str = ""
    caveats_cy: str = ""
    source_en: str = ""
    source_cy: str = ""
    source_url: str = ""
    themes: list[str] = []
    goals: list[str] = []
    national_indicators: list[int] = []  # the numbers of the national indicators it measures

    @classmethod
    def of(cls, indicator: Indicator) -> IndicatorDetailsIn:
        """The details as stored, for the edit page to start from."""
        return cls(**details(indicator))


class IndicatorIn(IndicatorDetailsIn):
    """A new indicator: its details and the computation, as the analytics layer's
    specification."""

    specification: dict
    # What each council is compared with (README, "Benchmarks"): {"kind": "region"} (the
    # default), {"kind": "area", "area": "Wales"}, {"kind": "value", "value": 7.5} or
    # {"kind": "group", "group": "<saved group's slug>"}.
    benchmark: dict = {"kind": "region"}


def details(indicator: Indicator) -> dict[str, Any]:
    return {
        **texts(indicator),
        "rationale_en": indicator.rationale_en or "",
        "rationale_cy": indicator.rationale_cy or "",
        "caveats_en": indicator.caveats_en or "",
        "caveats_cy": indicator.caveats_cy or "",
        "source_en": indicator.source_en or "",
        "source_cy": indicator.source_cy or "",
        "source_url": indicator.source_url,
        "themes": [t.code for t in indicator.themes.all()],
        "goals": [g.code for g in indicator.goals.all()],
        "national_indicators": [n.number for n in indicator.national_indicators.all()],
    }


class FlagIn(Schema):
    flag: str  # "" clears it

    @classmethod
    def of(cls, value: IndicatorValue) -> FlagIn:
        """The flag as stored, for the flag page to start from."""
        return cls(flag=value.flag)


class IndicatorOut(IndicatorDetailsIn):
    slug: str
    dataset: str
    unit: str
    polarity: str
    specification: dict
    method: list[str]  # how the values are computed, in the request's language
    update_frequency: str  # the dataset's stated frequency
    last_updated: datetime | None  # the dataset's newest version
    next_update_due: date | None
    overdue: bool
    # Areas in the data that are not councils of the region, with their rows: left out of the
    # values, kept in the dataset ({"areas": [{"area": "Gwynedd", "rows": 1}, …], "more_areas":
    # 0, "more_rows": 0}: the 50 with most rows by name; {} before the first computation).
    excluded_areas: dict[str, Any]
    # What each council's comparison is against: the definition (README, "Benchmarks") and
    # its name in the request's language.
    benchmark: dict[str, Any]
    compared_with: str

    @classmethod
    def of(cls, indicator: Indicator) -> IndicatorOut:
        fresh = freshness(indicator.dataset)
        return cls(
            **details(indicator),
            slug=indicator.slug,
            dataset=indicator.dataset.slug,
            unit=indicator.unit,
            polarity=indicator.polarity,
            specification=indicator.specification,
            method=method_sentences(indicator.specification, benchmarks.named(indicator)),
            update_frequency=indicator.dataset.update_frequency,
            last_updated=fresh.last_updated,
            next_update_due=fresh.next_due,
            overdue=fresh.overdue,
            excluded_areas=dict(indicator.excluded_areas),
            benchmark=dict(indicator.benchmark or {"kind": "region"}),
            compared_with=benchmarks.name(indicator.benchmark, indicator.unit),
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
    comparison: str  # against the benchmark named in compared_with
    compared_with: str
    benchmark_value: float | None  # the benchmark's value in the period (None when hidden)
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
