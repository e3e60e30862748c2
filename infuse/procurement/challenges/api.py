"""Challenge endpoints: list, read, draft, phases, criteria, publish."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from infuse.core.api_auth import OPTIONAL_AUTH, caller
from infuse.core.schemas import PROBLEMS, ProblemOut
from infuse.procurement.challenges import services
from infuse.procurement.challenges.schemas import ChallengeIn, ChallengeOut, CriterionIn, PhaseIn

router = Router()


@router.get(
    "/challenges",
    response={200: list[ChallengeOut]},
    auth=OPTIONAL_AUTH,
    summary="Challenges the caller may see (published ones for the public)",
)
def list_challenges(request: HttpRequest) -> list[ChallengeOut]:
    return [ChallengeOut.of(c) for c in services.visible_challenges(caller(request))]


@router.post(
    "/challenges",
    response={201: ChallengeOut, **PROBLEMS},
    summary="Add a draft challenge (procurement officers)",
)
def create_challenge(request: HttpRequest, payload: ChallengeIn) -> Status[ChallengeOut]:
    made = services.create_challenge(actor=caller(request), challenge_in=payload)
    return Status(201, ChallengeOut.of(made))


@router.get(
    "/challenges/{slug}",
    response={200: ChallengeOut, 404: ProblemOut},
    auth=OPTIONAL_AUTH,
    summary="One challenge with its phases, criteria and published answers",
)
def get_challenge(request: HttpRequest, slug: str) -> ChallengeOut:
    return ChallengeOut.of(services.get_challenge(actor=caller(request), slug=slug))


@router.put(
    "/challenges/{slug}/phases/{number}",
    response={200: ChallengeOut, **PROBLEMS},
    summary="Add or change a phase of a draft challenge",
)
def save_phase(request: HttpRequest, slug: str, number: int, payload: PhaseIn) -> ChallengeOut:
    actor = caller(request)
    challenge = services.get_challenge(actor=actor, slug=slug)
    phase_in = payload.model_copy(update={"number": number})
    services.save_phase(actor=actor, challenge=challenge, phase_in=phase_in)
    return ChallengeOut.of(challenge)


@router.put(
    "/challenges/{slug}/phases/{number}/criteria",
    response={200: ChallengeOut, **PROBLEMS},
    summary="Set a phase's criteria and weights (they total 100, with price and social value)",
)
def set_criteria(
    request: HttpRequest, slug: str, number: int, payload: list[CriterionIn]
) -> ChallengeOut:
    actor = caller(request)
    phase = services.phase_at(actor=actor, slug=slug, number=number)
    services.set_criteria(actor=actor, phase=phase, criteria=payload)
    return ChallengeOut.of(phase.challenge)


@router.post(
    "/challenges/{slug}/publish",
    response={200: ChallengeOut, **PROBLEMS},
    summary="Publish a challenge: public, open for questions and bids, in OCDS",
)
def publish_challenge(request: HttpRequest, slug: str) -> ChallengeOut:
    actor = caller(request)
    challenge = services.get_challenge(actor=actor, slug=slug)
    services.publish_challenge(actor=actor, challenge=challenge)
    return ChallengeOut.of(challenge)
