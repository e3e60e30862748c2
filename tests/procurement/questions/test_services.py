"""Clarifications: asked privately, answered publicly without the asker."""

from __future__ import annotations

import pytest
import time_machine

from infuse.core.errors import Conflict
from infuse.procurement.questions import services as questions
from infuse.procurement.questions.schemas import AnswerIn, QuestionIn
from tests.procurement.flows import phase_of

pytestmark = pytest.mark.django_db


def test_questions_are_private_and_answers_public_without_the_asker(
    make_challenge, make_supplier, buyer
):
    challenge = make_challenge()
    phase = phase_of(challenge)
    asker = make_supplier("Asking Ltd")
    asked = questions.ask_question(
        actor=asker, phase=phase, question_in=QuestionIn(question="Asking Ltd wants to know: LPG?")
    )
    assert list(phase.published_clarifications()) == []
    questions.answer_question(
        actor=buyer,
        clarification=asked,
        answer_in=AnswerIn(
            published_question_en="Are LPG vehicles in scope?",
            published_question_cy="A yw cerbydau LPG o fewn y cwmpas?",
            answer_en="No: zero emission at the tailpipe only.",
            answer_cy="Na: allyriadau sero o'r bibell wacáu yn unig.",
        ),
    )
    published = phase.published_clarifications().get()
    assert published.published_question_en == "Are LPG vehicles in scope?"
    assert "Asking" not in published.published_question_en + published.answer_en
    with time_machine.travel(phase.clarification_deadline), pytest.raises(Conflict) as late:
        questions.ask_question(
            actor=asker, phase=phase, question_in=QuestionIn(question="One more?")
        )
    assert "Questions closed" in str(late.value.message)
