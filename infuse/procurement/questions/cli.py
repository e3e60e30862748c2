"""`infuse procurement questions|ask|answer`: clarifications from the command line."""

from __future__ import annotations

from typing import Any

from infuse.core.commands import Actions, AddAction
from infuse.core.lookups import find
from infuse.core.models import Person
from infuse.procurement.challenges.cli import phase_args, phase_of
from infuse.procurement.models import Clarification
from infuse.procurement.questions import services
from infuse.procurement.questions.schemas import AnswerIn, QuestionIn


class QuestionActions(Actions):
    @classmethod
    def add_actions(cls, action: AddAction) -> None:
        phase_args(action("questions", "Questions waiting for an answer."))
        phase_args(action("ask", "Ask a question (suppliers).")).add_argument(
            "--question", required=True
        )
        answer = action("answer", "Publish the answer to a question.")
        answer.add_argument("question", type=int)
        answer.add_argument("--question-en", required=True)
        answer.add_argument("--answer-en", required=True)
        answer.add_argument("--question-cy", default="")
        answer.add_argument("--answer-cy", default="")

    def _questions(self, actor: Person, options: dict[str, Any]) -> None:
        for item in services.questions_to_answer(actor=actor, phase=phase_of(actor, options)):
            self.stdout.write(f"{item.pk}\t{item.supplier.name}\t{item.question}")

    def _ask(self, actor: Person, options: dict[str, Any]) -> None:
        asked = services.ask_question(
            actor=actor,
            phase=phase_of(actor, options),
            question_in=QuestionIn(question=options["question"]),
        )
        self.stdout.write(self.style.SUCCESS(f"Question {asked.pk} sent"))

    def _answer(self, actor: Person, options: dict[str, Any]) -> None:
        services.answer_question(
            actor=actor,
            clarification=find(Clarification, options["question"]),
            answer_in=AnswerIn(
                published_question_en=options["question_en"],
                answer_en=options["answer_en"],
                published_question_cy=options["question_cy"],
                answer_cy=options["answer_cy"],
            ),
        )
        self.stdout.write(self.style.SUCCESS("Answer published"))
