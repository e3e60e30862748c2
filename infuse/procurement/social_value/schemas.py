"""Input and output of social value: a supplier's report at a milestone, the measures, and
promised against delivered (quantities as decimals in the measure's unit; money in pounds)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from ninja import Schema

from infuse.procurement.models import KPIReport, SocialValueMeasure


class ReportLineIn(Schema):
    """What was delivered on one of the contract's KPIs (by the measure's code) in the work of
    the milestone, and how it can be checked (needed when more than 0 was delivered)."""

    measure: str
    delivered: Decimal
    evidence: str = ""


class ReportIn(Schema):
    lines: list[ReportLineIn]


class MeasureOut(Schema):
    code: str
    title_en: str
    title_cy: str | None
    description_en: str
    description_cy: str | None
    unit: str
    goal: str

    @classmethod
    def of(cls, measure: SocialValueMeasure) -> MeasureOut:
        return cls(
            code=measure.code,
            title_en=measure.title_en,
            title_cy=measure.title_cy,
            description_en=measure.description_en,
            description_cy=measure.description_cy,
            unit=measure.unit,
            goal=measure.goal.code,
        )


class PublicLineOut(Schema):
    """One measure's promise and delivery as anyone may read it: ``delivered`` counts only
    milestones the buyer accepted (what a supplier claims is not published before that)."""

    measure: str
    goal: str
    unit: str
    promised: Decimal
    delivered: Decimal
    contracts: int


class LineOut(PublicLineOut):
    """For those who may open the contract: also ``reported``, what the supplier reported at
    milestones not yet accepted."""

    reported: Decimal


class ReportOut(Schema):
    measure: str
    delivered: Decimal
    evidence: str
    reported_at: datetime

    @classmethod
    def of(cls, report: KPIReport) -> ReportOut:
        return cls(
            measure=report.kpi.measure.code,
            delivered=report.delivered,
            evidence=report.evidence,
            reported_at=report.reported_at,
        )


class MilestoneReportsOut(Schema):
    """A milestone's reports; ``version`` is what to give when accepting its work."""

    milestone: int
    accepted: bool
    version: str
    reports: list[ReportOut]
