"""Input of the clarification use cases: a private question, and its public answer."""

from __future__ import annotations

from ninja import Schema


class QuestionIn(Schema):
    question: str


class AnswerIn(Schema):
    """The question reworded so it does not say who asked, and its answer, in both languages."""

    published_question_en: str
    answer_en: str
    published_question_cy: str = ""
    answer_cy: str = ""
