"""Use cases of clarifications: suppliers ask privately before the clarification deadline; the
buyer publishes each question, reworded so it does not say who asked, with its answer to all."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from infuse.core import audit
from infuse.core.errors import Conflict, FieldProblem, InvalidInput, NotFound, PermissionDenied
from infuse.core.models import Person
from infuse.core.permissions import can
from infuse.procurement import news
from infuse.procurement.challenges.services import require_runs, runs
from infuse.procurement.models import Clarification, Phase
from infuse.procurement.questions.schemas import AnswerIn, QuestionIn
from infuse.procurement.suppliers.services import supplier_of
from infuse.procurement.timetable import when


def _refuse_if_closed(phase: Phase) -> None:
    moment = timezone.now()
    if moment >= phase.clarification_deadline:
        raise Conflict(
            _("Questions closed at %(deadline)s.")
            % {"deadline": when(phase.clarification_deadline)}
        )
    if phase.state != Phase.State.OPEN:
        raise Conflict(_("Questions open with the phase."))


def ask_question(*, actor: Person, phase: Phase, question_in: QuestionIn) -> Clarification:
    """A supplier asks privately, before the clarification deadline."""
    supplier = supplier_of(actor)
    if not can(actor, "procurement.bid", phase.challenge):
        raise PermissionDenied()
    question = question_in.question.strip()
    if not question:
        raise InvalidInput(problems=[FieldProblem("question", _("Enter your question"))])
    with transaction.atomic():
        _refuse_if_closed(phase)
        clarification = Clarification.objects.create(
            phase=phase, supplier=supplier, asked_by=actor, question=question
        )
        audit.record_event(
            actor=actor,
            action="clarification.asked",
            obj=clarification,
            after={"phase": phase.pk, "supplier": supplier.slug},
        )
    return clarification


def get_question(*, actor: Any, pk: int) -> Clarification:
    """A question, for the officers who run its challenge (nobody else may know of it)."""
    clarification = Clarification.objects.select_related("phase__challenge").filter(pk=pk).first()
    if clarification is None or not runs(actor, clarification.phase.challenge):
        raise NotFound()
    return clarification


def answer_question(
    *, actor: Person, clarification: Clarification, answer_in: AnswerIn
) -> Clarification:
    """Publish the question (reworded so it does not say who asked) and its answer to all."""
    require_runs(actor, clarification.phase.challenge)
    problems = []
    if not answer_in.published_question_en.strip():
        problems.append(
            FieldProblem("published_question_en", _("Enter the question as it will be published"))
        )
    if not answer_in.answer_en.strip():
        problems.append(FieldProblem("answer_en", _("Enter the answer")))
    if problems:
        raise InvalidInput(problems=problems)
    with transaction.atomic():
        clarification.published_question_en = answer_in.published_question_en.strip()
        clarification.published_question_cy = answer_in.published_question_cy.strip() or None
        clarification.answer_en = answer_in.answer_en.strip()
        clarification.answer_cy = answer_in.answer_cy.strip() or None
        clarification.answered_by = actor
        clarification.answered_at = timezone.now()
        clarification.save()
        audit.record_event(
            actor=actor,
            action="clarification.answered",
            obj=clarification,
            after={"phase": clarification.phase_id},
        )
        news.question_answered(clarification)
    return clarification


def questions_to_answer(*, actor: Person, phase: Phase) -> QuerySet[Clarification]:
    require_runs(actor, phase.challenge)
    return phase.clarifications.filter(answered_at__isnull=True).select_related("supplier")
