"""Use cases of social value after award: the measures a bid may promise against, the winning
bid's promises made into the contract's KPIs, and the supplier's report of what it delivered
at each milestone (checked by the buyer when it accepts the milestone's work).

Promises are part of the sealed bid until the opening (``bids.sealed.BidContent.commitments``):
nobody learns what a supplier offered before the deadline, and the KPIs are made from the
contract's own bid when the award is confirmed, never typed again.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from infuse.core import audit
from infuse.core.errors import Conflict, FieldProblem, InvalidInput, NotFound, PermissionDenied
from infuse.core.links import english_path
from infuse.core.models import Notification, Organisation, Person, Role
from infuse.core.notifications import News, notify
from infuse.core.permissions import can
from infuse.core.tasklist import holders
from infuse.procurement.models import (
    Contract,
    ContractKPI,
    Criterion,
    KPIReport,
    Milestone,
    Phase,
    SocialValueMeasure,
)
from infuse.procurement.social_value.quantities import as_text, storable
from infuse.procurement.social_value.schemas import ReportIn
from infuse.procurement.suppliers.services import works_for
from infuse.procurement.timetable import when

# How much a report may say of how it can be checked: a pointer to the evidence, not the
# evidence itself (the acceptance page lists it in full).
EVIDENCE_LENGTH = 2_000


def _quantity_problem() -> str:
    return _("Enter a quantity from 0 to %(most)s with at most two decimals, or leave it blank") % {
        "most": "999,999,999,999.99"
    }


def offered_measures(phase: Phase) -> list[SocialValueMeasure]:
    """The measures a bid for ``phase`` can promise: those serving the goals of its social
    value criteria (every measure when one names no goal); none when it scores no social
    value."""
    goals = {c.goal_id for c in phase.criteria.all() if c.kind == Criterion.Kind.SOCIAL_VALUE}
    if not goals:
        return []
    measures = SocialValueMeasure.objects.filter(active=True).select_related("goal")
    return list(measures if None in goals else measures.filter(goal_id__in=goals))


def checked_commitments(phase: Phase, commitments: Mapping[str, Decimal]) -> dict[str, str]:
    """The promises a bid keeps (measure code → quantity as exact text), nothing promised
    left out; raises ``InvalidInput`` naming each measure the phase does not ask for or each
    negative quantity."""
    offered = {m.code for m in offered_measures(phase)}
    problems = []
    kept: dict[str, str] = {}
    for code, quantity in commitments.items():
        if code not in offered:
            problems.append(
                FieldProblem(
                    "commitments",
                    _("‘%(code)s’ is not one of the social value measures this phase asks for")
                    % {"code": code},
                )
            )
        elif not storable(quantity):
            problems.append(FieldProblem(f"sv_{code}", _quantity_problem()))
        elif quantity > 0:
            kept[code] = as_text(quantity)
    if problems:
        raise InvalidInput(problems=problems)
    return kept


def make_kpis(contract: Contract, commitments: Mapping[str, str]) -> list[ContractKPI]:
    """The contract's KPIs from its bid's promises (inside the award's transaction)."""
    measures = SocialValueMeasure.objects.in_bulk(list(commitments), field_name="code")
    return ContractKPI.objects.bulk_create(
        ContractKPI(contract=contract, measure=measures[code], target=Decimal(quantity))
        for code, quantity in commitments.items()
        if code in measures
    )


# --- Reporting at milestones --------------------------------------------------------------------


def check_reporting(*, actor: Any, milestone: Milestone) -> None:
    """Why ``actor`` cannot report social value at ``milestone`` now (raised)."""
    contract = milestone.contract
    if not works_for(actor, contract.supplier_id):
        # Those who may open the contract are told it is not theirs to do; others learn nothing.
        challenge = contract.award.phase.challenge
        if can(actor, "procurement.change_challenge", challenge) or can(actor, "fund.manage_fund"):
            raise PermissionDenied()
        raise NotFound()
    if not contract.kpis.exists():
        raise Conflict(_("This contract has no social value targets to report against."))
    if contract.status != Contract.Status.ACTIVE:
        raise Conflict(_("This contract is closed: nothing more can be reported on it."))
    if milestone.accepted_at is not None:
        raise Conflict(
            _(
                "The work of ‘%(milestone)s’ was accepted on %(day)s: what was reported for it "
                "counts as delivered and can no longer change."
            )
            % {"milestone": milestone.title, "day": when(milestone.accepted_at)}
        )


def _checked_lines(contract: Contract, report_in: ReportIn) -> dict[int, tuple[Decimal, str]]:
    kpis = {kpi.measure.code: kpi for kpi in contract.kpis.select_related("measure")}
    problems = []
    if not report_in.lines:
        problems.append(
            FieldProblem("lines", _("Report what was delivered on at least one of the targets"))
        )
    lines: dict[int, tuple[Decimal, str]] = {}
    for line in report_in.lines:
        kpi = kpis.get(line.measure)
        if kpi is None:
            problems.append(
                FieldProblem(
                    "lines",
                    _("‘%(code)s’ is not one of this contract's social value targets")
                    % {"code": line.measure},
                )
            )
        elif not storable(line.delivered):
            problems.append(FieldProblem(f"k{kpi.pk}-delivered", _quantity_problem()))
        elif len(line.evidence) > EVIDENCE_LENGTH:
            problems.append(
                FieldProblem(
                    f"k{kpi.pk}-evidence",
                    _("Say how it can be checked in %(most)s characters or fewer")
                    % {"most": f"{EVIDENCE_LENGTH:,}"},
                )
            )
        elif line.delivered > 0 and not line.evidence.strip():
            problems.append(
                FieldProblem(
                    f"k{kpi.pk}-evidence",
                    _(
                        "Say how ‘%(measure)s’ can be checked, for example payroll records, "
                        "timesheets or receipts"
                    )
                    % {"measure": kpi.measure.title},
                )
            )
        else:
            lines[kpi.pk] = (line.delivered, line.evidence.strip())
    if problems:
        raise InvalidInput(problems=problems)
    return lines


def report_delivery(*, actor: Person, milestone: Milestone, report_in: ReportIn) -> Milestone:
    """The supplier's report of what it delivered on each KPI in the milestone's work: kept
    (and changeable) until the buyer accepts the milestone, which makes it delivered."""
    with transaction.atomic():
        locked = (
            Milestone.objects.select_for_update().select_related("contract").get(pk=milestone.pk)
        )
        check_reporting(actor=actor, milestone=locked)  # on the locked row: acceptance waits
        lines = _checked_lines(locked.contract, report_in)
        for kpi_id, (delivered, evidence) in lines.items():
            KPIReport.objects.update_or_create(
                kpi_id=kpi_id,
                milestone=locked,
                defaults={
                    "delivered": delivered,
                    "evidence": evidence,
                    "reported_by": actor,
                    "reported_at": timezone.now(),
                },
            )
        audit.record_event(
            actor=actor,
            action="contract.social_value_reported",
            obj=locked,
            after={str(k): as_text(d) for k, (d, _evidence) in lines.items()},
        )
        _tell_the_buyer(locked)
    return locked


def _tell_the_buyer(milestone: Milestone) -> None:
    """The procurement officers who accept the milestone's work hear that a report waits for
    them to check (once per milestone: the acceptance page shows it as it stands then)."""
    contract = milestone.contract
    challenge = contract.award.phase.challenge
    programme = Organisation.objects.filter(kind=Organisation.Kind.PROGRAMME).first()
    buyers = [
        *holders(challenge.owner, [Role.PROCUREMENT_OFFICER]),
        *holders(programme, [Role.PROCUREMENT_OFFICER]),
    ]
    notify(
        buyers,
        News(
            topic=Notification.Topic.STEP_WAITING,
            key=f"social-value:{milestone.pk}",
            subject=lambda: (
                _("Social value reported for ‘%(milestone)s’") % {"milestone": milestone.title}
            ),
            body=lambda: (
                _(
                    "%(supplier)s reported what the work of ‘%(milestone)s’ delivered on the "
                    "contract's social value targets, with how it can be checked. Check it before "
                    "you accept the work: accepting makes it count as delivered."
                )
                % {"supplier": contract.supplier.name, "milestone": milestone.title}
            ),
            url=english_path("procurement:contract", pk=contract.pk) + "#reported",
        ),
    )


def reports_version(milestone: Milestone) -> str:
    """The reports of a milestone as they stand (the acceptance page confirms this one)."""
    found = milestone.kpi_reports.aggregate(latest=Max("reported_at"), count=Count("pk"))
    latest = found["latest"]
    # Digits and a dash only: it travels in a form field or a query string unescaped.
    return f"{found['count']}-{round(latest.timestamp() * 1_000_000) if latest else 0}"


def reports_at(milestone: Milestone) -> list[KPIReport]:
    """What was reported at a milestone, measure by measure (the acceptance page lists it)."""
    return list(milestone.kpi_reports.select_related("kpi__measure"))
