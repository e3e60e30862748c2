"""Promised against delivered, for one contract, a challenge's contracts or a goal's: each
measure's targets summed over the contracts, what the buyer accepted as delivered, and what
the supplier reported at milestones still waiting for acceptance.

Totals are summed in the database per measure (never across measures: hours and pounds do
not add up); a reader sees them grouped by the well-being goal each measure serves.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from infuse.core import numbers
from infuse.procurement.models import Contract, ContractKPI, KPIReport, SocialValueMeasure
from infuse.procurement.social_value.quantities import shown
from infuse.procurement.social_value.schemas import LineOut, PublicLineOut

_ZERO = Decimal(0)


@dataclass(frozen=True)
class Line:
    """One measure: promised, delivered (accepted), reported and waiting for acceptance."""

    measure: SocialValueMeasure
    promised: Decimal
    delivered: Decimal
    reported: Decimal
    contracts: int

    @property
    def share(self) -> float:
        return float(self.delivered / self.promised) if self.promised else 0.0

    @property
    def promised_text(self) -> str:
        return shown(self.promised, self.measure.unit)

    @property
    def delivered_text(self) -> str:
        return shown(self.delivered, self.measure.unit)

    @property
    def reported_text(self) -> str:
        return shown(self.reported, self.measure.unit)

    @property
    def share_text(self) -> str:
        return numbers.percent(self.share)

    @property
    def bar(self) -> int:
        """The delivered share as a bar's width in per cent (a bar never runs past 100)."""
        return min(100, round(100 * self.share))


@dataclass(frozen=True)
class GoalLines:
    goal: Any
    lines: list[Line]


def lines_for(contracts: QuerySet[Contract], *, goal: Any = None) -> list[Line]:
    """Each measure promised in ``contracts`` (those serving ``goal`` if given), in the goals'
    and measures' order."""
    kpis = ContractKPI.objects.filter(contract__in=contracts)
    if goal is not None:
        kpis = kpis.filter(measure__goal=goal)
    promised = kpis.values("measure").annotate(
        total=Sum("target"), contracts=Count("contract", distinct=True)
    )
    reports = (
        KPIReport.objects.filter(kpi__in=kpis)
        .values("kpi__measure")
        .annotate(
            accepted=Sum("delivered", filter=Q(milestone__accepted_at__isnull=False)),
            waiting=Sum("delivered", filter=Q(milestone__accepted_at__isnull=True)),
        )
    )
    done: dict[int, dict[str, Any]] = {r["kpi__measure"]: dict(r) for r in reports}
    nothing: dict[str, Any] = {}
    measures = SocialValueMeasure.objects.select_related("goal").in_bulk(
        [p["measure"] for p in promised]
    )
    lines = [
        Line(
            measure=measures[p["measure"]],
            promised=p["total"],
            delivered=done.get(p["measure"], nothing).get("accepted") or _ZERO,
            reported=done.get(p["measure"], nothing).get("waiting") or _ZERO,
            contracts=p["contracts"],
        )
        for p in promised
    ]
    return sorted(lines, key=lambda line: (line.measure.goal.position, line.measure.position))


def by_goal(lines: Iterable[Line]) -> list[GoalLines]:
    """Lines grouped under the goal their measures serve, in the goals' order."""
    return [
        GoalLines(goal, list(group))
        for goal, group in groupby(lines, key=lambda line: line.measure.goal)
    ]


def contract_lines(contract: Contract) -> list[Line]:
    return lines_for(Contract.objects.filter(pk=contract.pk))


@dataclass(frozen=True)
class Reported:
    """One report at one milestone, as the contract's page lists them."""

    milestone: Any
    report: KPIReport

    @property
    def quantity(self) -> str:
        return shown(self.report.delivered, self.report.kpi.measure.unit)


def reported_lines(contract: Contract) -> list[Reported]:
    """Every report on the contract, milestone by milestone (for those who may open it)."""
    return [
        Reported(report.milestone, report)
        for report in KPIReport.objects.filter(kpi__contract=contract)
        .select_related("milestone", "kpi__measure")
        .order_by("milestone__due_on", "milestone__pk", "kpi__measure__position")
    ]


def challenge_lines(challenge: Any) -> list[Line]:
    return lines_for(Contract.objects.filter(award__phase__challenge=challenge))


def measures() -> QuerySet[SocialValueMeasure]:
    return SocialValueMeasure.objects.filter(active=True).select_related("goal")


def promises(commitments: dict[str, str]) -> list[tuple[SocialValueMeasure, str]]:
    """A bid's promises as its pages list them: each measure with its quantity shown."""
    found = SocialValueMeasure.objects.select_related("goal").in_bulk(
        list(commitments), field_name="code"
    )
    listed = [(found[code], Decimal(value)) for code, value in commitments.items() if code in found]
    listed.sort(key=lambda pair: (pair[0].goal.position, pair[0].position))
    return [(measure, shown(value, measure.unit)) for measure, value in listed]


def public_line_out(line: Line) -> PublicLineOut:
    return PublicLineOut(
        measure=line.measure.code,
        goal=line.measure.goal.code,
        unit=line.measure.unit,
        promised=line.promised,
        delivered=line.delivered,
        contracts=line.contracts,
    )


def line_out(line: Line) -> LineOut:
    return LineOut(**public_line_out(line).model_dump(), reported=line.reported)
