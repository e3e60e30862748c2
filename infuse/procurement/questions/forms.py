"""Forms of the clarification pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from infuse.core.forms import SchemaForm, bilingual
from infuse.procurement.questions.schemas import AnswerIn, QuestionIn


class QuestionForm(SchemaForm):
    schema = QuestionIn

    question = forms.CharField(
        label=_("Your question"),
        widget=forms.Textarea,
        required=False,
        help_text=_(
            "Only the buyer sees who asked. The question and its answer are published to "
            "every bidder, without your name."
        ),
    )


class AnswerForm(SchemaForm):
    schema = AnswerIn

    published_question_en, published_question_cy = bilingual(
        _("The question as published"),
        textarea=True,
        help_text=_("Reword it so that it does not say who asked."),
    )
    answer_en, answer_cy = bilingual(_("Answer"), textarea=True)
