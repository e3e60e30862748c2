"""Contract endpoints: the award confirmed into contracts, milestones, outcome measures and
payment from the Challenge Fund."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from infuse.core.api_auth import caller
from infuse.core.lookups import find
from infuse.core.schemas import PROBLEMS, Done
from infuse.procurement.contracts import outcome_evaluation, services
from infuse.procurement.contracts.schemas import (
    CloseIn,
    ContractTermsIn,
    CpvIn,
    EvaluationIn,
    MilestoneIn,
)
from infuse.procurement.models import Award, Contract, Milestone
from infuse.procurement.social_value import queries as social_value
from infuse.procurement.social_value.schemas import (
    LineOut,
    MilestoneReportsOut,
    ReportIn,
    ReportOut,
)
from infuse.procurement.social_value.services import (
    report_delivery,
    reports_at,
    reports_version,
)

router = Router()


@router.post(
    "/awards/{pk}/confirm",
    response={200: list[Done], **PROBLEMS},
    summary="After the standstill: make the contracts and commit the money (all or none)",
)
def confirm_award(request: HttpRequest, pk: int, payload: list[ContractTermsIn]) -> list[Done]:
    contracts = services.confirm_award(actor=caller(request), award=find(Award, pk), terms=payload)
    return [Done(id=c.pk, status=c.status) for c in contracts]


@router.post(
    "/contracts/{pk}/milestones",
    response={201: Done, **PROBLEMS},
    summary="Add a payment milestone to a contract",
)
def add_milestone(request: HttpRequest, pk: int, payload: MilestoneIn) -> Status[Done]:
    made = services.add_milestone(
        actor=caller(request), contract=find(Contract, pk), milestone_in=payload
    )
    return Status(201, Done(id=made.pk, status="scheduled"))


@router.put(
    "/contracts/{pk}/outcomes",
    response={200: Done, **PROBLEMS},
    summary="Link Data Lab indicators that measure what the contract is for",
)
def link_outcomes(request: HttpRequest, pk: int, payload: list[str]) -> Done:
    services.link_outcomes(actor=caller(request), contract=find(Contract, pk), indicators=payload)
    return Done(id=pk, status="linked")


@router.put(
    "/contracts/{pk}/cpv",
    response={200: Done, **PROBLEMS},
    summary="Say what a contract buys, as CPV codes (the main one first)",
)
def set_cpv(request: HttpRequest, pk: int, payload: CpvIn) -> Done:
    actor = caller(request)
    services.set_cpv(
        actor=actor, contract=services.contract_for(actor=actor, pk=pk), codes=payload.codes
    )
    return Done(id=pk, status="classified")


@router.get(
    "/contracts/{pk}/social-value",
    response={200: list[LineOut], **PROBLEMS},
    summary="A contract's social value: each target promised, delivered and reported",
)
def contract_social_value(request: HttpRequest, pk: int) -> list[LineOut]:
    found = services.contract_for(actor=caller(request), pk=pk)
    return [social_value.line_out(line) for line in social_value.contract_lines(found)]


@router.post(
    "/contracts/{pk}/close",
    response={200: Done, **PROBLEMS},
    summary="Close a contract, completed or ended early (unspent money goes back to the fund)",
)
def close_contract(request: HttpRequest, pk: int, payload: CloseIn) -> Done:
    actor = caller(request)
    closed = services.close_contract(
        actor=actor, contract=services.contract_for(actor=actor, pk=pk), close_in=payload
    )
    return Done(id=pk, status=closed.status)


@router.post(
    "/contracts/{pk}/evaluations",
    response={202: Done, **PROBLEMS},
    summary="Evaluate an outcome indicator of the contract (in the background; 202)",
)
def evaluate_outcome(request: HttpRequest, pk: int, payload: EvaluationIn) -> Status[Done]:
    """The answer appears on the contract, the indicator and what works (``/what-works``);
    follow ``/tasks/{progress}`` for progress."""
    actor = caller(request)
    made = outcome_evaluation.evaluate_outcome(
        actor=actor, contract=services.contract_for(actor=actor, pk=pk), evaluation_in=payload
    )
    return Status(202, Done(id=made.pk, status="queued"))


@router.post(
    "/milestones/{pk}/accept",
    response={200: Done, **PROBLEMS},
    summary="Accept the work a milestone pays for",
)
def accept_milestone(request: HttpRequest, pk: int, reports_seen: str | None = None) -> Done:
    """``reports_seen``: the ``version`` of the milestone's social value reports you read
    (``GET /milestones/{pk}/social-value``); if the supplier changed them since, 409."""
    services.accept_milestone(
        actor=caller(request), milestone=find(Milestone, pk), reports_seen=reports_seen
    )
    return Done(id=pk, status="met")


@router.put(
    "/milestones/{pk}/social-value",
    response={200: Done, **PROBLEMS},
    summary="Report what a milestone's work delivered on each social value target (suppliers)",
)
def report_social_value(request: HttpRequest, pk: int, payload: ReportIn) -> Done:
    """Changeable until the buyer accepts the milestone's work, which makes it delivered."""
    report_delivery(actor=caller(request), milestone=find(Milestone, pk), report_in=payload)
    return Done(id=pk, status="reported")


@router.get(
    "/milestones/{pk}/social-value",
    response={200: MilestoneReportsOut, **PROBLEMS},
    summary="What the supplier reported at a milestone, with its evidence and version",
)
def milestone_social_value(request: HttpRequest, pk: int) -> MilestoneReportsOut:
    milestone = find(Milestone, pk)
    services.contract_for(actor=caller(request), pk=milestone.contract_id)
    return MilestoneReportsOut(
        milestone=milestone.pk,
        accepted=milestone.accepted_at is not None,
        version=reports_version(milestone),
        reports=[ReportOut.of(r) for r in reports_at(milestone)],
    )


@router.post(
    "/milestones/{pk}/payment",
    response={201: Done, **PROBLEMS},
    summary="Pay an accepted milestone from the Challenge Fund (fund managers)",
)
def pay_milestone(request: HttpRequest, pk: int) -> Status[Done]:
    payment = services.pay_milestone(actor=caller(request), milestone=find(Milestone, pk))
    return Status(201, Done(id=payment.pk, status="paid"))
