"""Evaluation endpoints: the panel, declarations, scores, moderation, the ranking, the award
decision and bidder feedback."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from infuse.core.api_auth import caller
from infuse.core.schemas import PROBLEMS, Done
from infuse.procurement.bids.services import bid_known_to
from infuse.procurement.challenges.services import phase_at
from infuse.procurement.evaluation import services
from infuse.procurement.evaluation.schemas import (
    AwardIn,
    DeclarationIn,
    EvaluationOut,
    FeedbackOut,
    ModerationIn,
    PanelIn,
    ScoreIn,
)

router = Router()


@router.put(
    "/challenges/{slug}/phases/{number}/panel",
    response={200: Done, **PROBLEMS},
    summary="Choose the evaluation panel (by email)",
)
def set_panel(request: HttpRequest, slug: str, number: int, payload: PanelIn) -> Done:
    actor = caller(request)
    phase = phase_at(actor=actor, slug=slug, number=number)
    services.assign_evaluators(actor=actor, phase=phase, panel_in=payload)
    return Done(id=phase.pk, status="panel-set")


@router.post(
    "/bids/{pk}/declaration",
    response={201: Done, **PROBLEMS},
    summary="Declare any conflict of interest with a bidder, before seeing the bid",
)
def declare(request: HttpRequest, pk: int, payload: DeclarationIn) -> Status[Done]:
    made = services.declare_interest(
        actor=caller(request), bid=bid_known_to(caller(request), pk), declaration_in=payload
    )
    return Status(201, Done(id=made.pk, status="declared"))


@router.put(
    "/bids/{pk}/scores",
    response={200: Done, **PROBLEMS},
    summary="Save your scores for a bid (0–4 per criterion, with a comment)",
)
def save_scores(request: HttpRequest, pk: int, payload: list[ScoreIn]) -> Done:
    services.save_scores(
        actor=caller(request), bid=bid_known_to(caller(request), pk), scores=payload
    )
    return Done(id=pk, status="saved")


@router.post(
    "/bids/{pk}/scores/submit",
    response={200: Done, **PROBLEMS},
    summary="Submit your scores for a bid (then you see the panel's)",
)
def submit_scores(request: HttpRequest, pk: int) -> Done:
    services.submit_scores(actor=caller(request), bid=bid_known_to(caller(request), pk))
    return Done(id=pk, status="submitted")


@router.post(
    "/bids/{pk}/moderation",
    response={200: Done, **PROBLEMS},
    summary="Record the panel's consensus score and rationale for one criterion",
)
def moderate(request: HttpRequest, pk: int, payload: ModerationIn) -> Done:
    services.moderate(
        actor=caller(request), bid=bid_known_to(caller(request), pk), moderation_in=payload
    )
    return Done(id=pk, status="moderated")


@router.get(
    "/challenges/{slug}/phases/{number}/evaluation",
    response={200: EvaluationOut, **PROBLEMS},
    summary="The ranking (points per criterion, totals) and the ±10-point sensitivity check",
)
def evaluation(request: HttpRequest, slug: str, number: int) -> EvaluationOut:
    actor = caller(request)
    phase = phase_at(actor=actor, slug=slug, number=number)
    return EvaluationOut.of(services.evaluation_table(actor=actor, phase=phase))


@router.post(
    "/challenges/{slug}/phases/{number}/award",
    response={201: Done, **PROBLEMS},
    summary="Decide the award from the moderated ranking (the standstill period starts)",
)
def award(request: HttpRequest, slug: str, number: int, payload: AwardIn) -> Status[Done]:
    actor = caller(request)
    phase = phase_at(actor=actor, slug=slug, number=number)
    made = services.award_phase(actor=actor, phase=phase, award_in=payload)
    return Status(201, Done(id=made.pk, status=made.status))


@router.get(
    "/bids/{pk}/feedback",
    response={200: FeedbackOut, **PROBLEMS},
    summary="Feedback for a bidder: their scores and the winner's, once the award is decided",
)
def feedback(request: HttpRequest, pk: int) -> FeedbackOut:
    return FeedbackOut.of(
        services.feedback(actor=caller(request), bid=bid_known_to(caller(request), pk))
    )
