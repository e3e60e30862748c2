"""Clarification endpoints: suppliers ask, the buyer answers publicly."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from infuse.core.api_auth import caller
from infuse.core.lookups import find
from infuse.core.schemas import PROBLEMS, Done
from infuse.procurement.challenges.services import phase_at
from infuse.procurement.models import Clarification
from infuse.procurement.questions import services
from infuse.procurement.questions.schemas import AnswerIn, QuestionIn

router = Router()


@router.post(
    "/challenges/{slug}/phases/{number}/questions",
    response={201: Done, **PROBLEMS},
    summary="Ask a clarification question (suppliers; answered publicly, without your name)",
)
def ask_question(request: HttpRequest, slug: str, number: int, payload: QuestionIn) -> Status[Done]:
    actor = caller(request)
    phase = phase_at(actor=actor, slug=slug, number=number)
    asked = services.ask_question(actor=actor, phase=phase, question_in=payload)
    return Status(201, Done(id=asked.pk, status="asked"))


@router.post(
    "/questions/{pk}/answer",
    response={200: Done, **PROBLEMS},
    summary="Publish the answer to a question (the buyer)",
)
def answer_question(request: HttpRequest, pk: int, payload: AnswerIn) -> Done:
    actor = caller(request)
    question = find(Clarification, pk)
    services.answer_question(actor=actor, clarification=question, answer_in=payload)
    return Done(id=question.pk, status="answered")
