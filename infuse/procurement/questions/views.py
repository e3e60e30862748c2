"""Pages of clarifications: a supplier asks; the buyer sees who asked and answers publicly."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from infuse.core.pages import form_page
from infuse.core.permissions import person_of
from infuse.procurement.challenges.services import phase_at
from infuse.procurement.questions import services
from infuse.procurement.questions.forms import AnswerForm, QuestionForm
from infuse.procurement.suppliers.services import supplier_of


@login_required
@require_http_methods(["GET", "POST"])
def ask(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    person = person_of(request)
    phase = phase_at(actor=person, slug=slug, number=number)
    supplier_of(person)
    return form_page(
        request,
        QuestionForm(request.POST or None),
        template="procurement/ask.html",
        save=lambda form: services.ask_question(
            actor=person, phase=phase, question_in=form.to_schema()
        ),
        success=_("Question sent. The answer will be published to every bidder."),
        then=reverse("procurement:challenge", kwargs={"slug": slug}),
        context={"phase": phase, "challenge": phase.challenge},
    )


@login_required
@require_GET
def questions(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    person = person_of(request)
    phase = phase_at(actor=person, slug=slug, number=number)
    return render(
        request,
        "procurement/questions.html",
        {
            "phase": phase,
            "challenge": phase.challenge,
            "waiting": services.questions_to_answer(actor=person, phase=phase),
            "answered": phase.published_clarifications(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_of(request)
    clarification = services.get_question(actor=person, pk=pk)
    phase = clarification.phase
    return form_page(
        request,
        AnswerForm(request.POST or None, initial={"published_question_en": clarification.question}),
        template="procurement/answer.html",
        save=lambda form: services.answer_question(
            actor=person, clarification=clarification, answer_in=form.to_schema()
        ),
        success=_("Answer published to every bidder."),
        then=reverse(
            "procurement:questions", kwargs={"slug": phase.challenge.slug, "number": phase.number}
        ),
        context={"clarification": clarification, "phase": phase},
    )
