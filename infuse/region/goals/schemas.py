"""The goal and theme pages in the API: the same figures as the pages, from the same reading."""

from __future__ import annotations

from typing import Any

from ninja import Schema

from infuse.procurement.social_value.schemas import PublicLineOut
from infuse.region.work import Work


class TermOut(Schema):
    code: str
    name_en: str
    name_cy: str


class IndicatorLineOut(Schema):
    slug: str
    title_en: str
    title_cy: str
    unit: str
    period: str | None
    region_value: float | None
    councils_by_comparison: dict[str, int]  # against compared_with, the indicator's benchmark
    compared_with: str


class ExperimentLineOut(Schema):
    slug: str
    title_en: str
    title_cy: str
    status: str
    result: str


class LinkOut(Schema):
    slug: str
    title_en: str
    title_cy: str


class WorkOut(Schema):
    """What a goal, theme or council has: lists and the fund's money (pence)."""

    indicators: list[IndicatorLineOut]
    experiments: list[ExperimentLineOut]
    challenges: list[LinkOut]
    datasets: list[LinkOut]
    contracts: int
    committed_pence: int
    paid_pence: int

    @classmethod
    def of(cls, work: Work) -> WorkOut:
        def link(item: Any) -> LinkOut:
            return LinkOut(slug=item.slug, title_en=item.title_en, title_cy=item.title_cy or "")

        return cls(
            indicators=[
                IndicatorLineOut(
                    slug=line.indicator.slug,
                    title_en=line.indicator.title_en,
                    title_cy=line.indicator.title_cy or "",
                    unit=line.indicator.unit,
                    period=line.latest.period if line.latest else None,
                    region_value=line.region_value,
                    councils_by_comparison=line.counts,
                    compared_with=line.compared_with,
                )
                for line in work.indicators
            ],
            experiments=[
                ExperimentLineOut(
                    slug=line.experiment.slug,
                    title_en=line.experiment.title_en,
                    title_cy=line.experiment.title_cy or "",
                    status=line.experiment.status,
                    result=line.result,
                )
                for line in work.experiments
            ],
            challenges=[link(c) for c in work.challenges],
            datasets=[link(d) for d in work.datasets],
            contracts=work.contracts,
            committed_pence=work.committed_pence,
            paid_pence=work.paid_pence,
        )


class NationalOut(Schema):
    """A national indicator for Wales serving the goal, its milestones and local measures."""

    number: int
    name_en: str
    name_cy: str
    milestones: list[str]  # their names in the request's language
    local_indicators: list[str]  # slugs of the Data Lab indicators that measure it


class OverviewOut(Schema):
    kind: str
    term: TermOut
    work: WorkOut
    national_indicators: list[NationalOut] = []
    # A goal's social value in the region's contracts: each measure promised and delivered.
    social_value: list[PublicLineOut] = []
