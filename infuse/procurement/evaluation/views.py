"""Pages of evaluation: choosing the panel; the officers' evaluation table (ranking,
sensitivity) or an evaluator's list; declaring and scoring a bid; moderating it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from infuse.core.downloads import attachment
from infuse.core.errors import PermissionDenied
from infuse.core.models import Person
from infuse.core.pages import form_page
from infuse.core.pdf import render_pdf
from infuse.core.permissions import person_of
from infuse.procurement.bids.services import bid_known_to, read_bid
from infuse.procurement.challenges.services import phase_at, require_runs, runs
from infuse.procurement.evaluation import services
from infuse.procurement.evaluation.forms import (
    AwardForm,
    DeclarationForm,
    EvaluatorsForm,
    ModerationForm,
    ScoresForm,
)
from infuse.procurement.evaluation.tables import EvaluationTable
from infuse.procurement.models import Bid, ConflictDeclaration, Criterion, Phase, Score
from infuse.procurement.social_value.queries import promises


def _evaluation_url(phase: Phase) -> str:
    return reverse(
        "procurement:evaluation", kwargs={"slug": phase.challenge.slug, "number": phase.number}
    )


@login_required
@require_http_methods(["GET", "POST"])
def evaluators(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    person = person_of(request)
    phase = phase_at(actor=person, slug=slug, number=number)
    require_runs(person, phase.challenge)
    form = EvaluatorsForm(
        request.POST or None,
        initial={"evaluators": [str(pk) for pk in phase.evaluators.values_list("pk", flat=True)]},
    )
    return form_page(
        request,
        form,
        template="procurement/evaluators.html",
        save=lambda form: services.assign_evaluators(
            actor=person, phase=phase, panel_in=form.to_schema()
        ),
        success=_("The evaluation panel is saved."),
        then=_evaluation_url(phase),
        context={"phase": phase, "challenge": phase.challenge},
    )


def _panel_list(person: Person, bids: list[Bid]) -> list[dict[str, Any]]:
    """Each bid with the evaluator's own declaration and whether they submitted scores, read
    for all the bids at once (a panel may have many bids to score)."""
    ids = [one.pk for one in bids]
    declared = {
        d.bid_id: d for d in ConflictDeclaration.objects.filter(bid_id__in=ids, evaluator=person)
    }
    submitted = set(
        Score.objects.filter(
            bid_id__in=ids, evaluator=person, submitted_at__isnull=False
        ).values_list("bid_id", flat=True)
    )
    return [
        {"bid": one, "declaration": declared.get(one.pk), "submitted": one.pk in submitted}
        for one in bids
    ]


def _scenarios(table: EvaluationTable) -> list[dict[str, Any]]:
    """The sensitivity check in words: criteria and suppliers by name."""
    names = {c.pk: c.title for c in table.criteria}
    suppliers = {row["bid"].pk: row["supplier"].name for row in table.rows}
    return [
        {
            "criterion": names[s.criterion],
            "change": s.change,
            "winners": [suppliers[w] for w in s.winners],
            "changed": s.changed,
        }
        for s in table.scenarios
    ]


@login_required
@require_GET
def evaluation(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """The officers' evaluation table (ranking, sensitivity, award) or an evaluator's list."""
    person = person_of(request)
    phase = phase_at(actor=person, slug=slug, number=number)
    running = runs(person, phase.challenge)
    is_panel = phase.has_evaluator(person)
    if not (running or is_panel):
        raise PermissionDenied()
    opened = phase.bids_opened  # asked once: the page, the panel's list and the table follow it
    context: dict[str, Any] = {
        "phase": phase,
        "challenge": phase.challenge,
        "runs": running,
        "opened": opened,
        "panel": phase.evaluators.order_by("full_name"),
    }
    if is_panel:
        context["mine"] = _panel_list(person, list(phase.received_bids()) if opened else [])
    if running and opened:
        table = services.evaluation_table(actor=person, phase=phase)
        context.update(
            table=table,
            scenarios=_scenarios(table),
            award=phase.current_award(),
            award_form=AwardForm(),
        )
    return render(request, "procurement/evaluation.html", context)


@dataclass(frozen=True)
class _Sheet:
    """An evaluator's scoring of one bid, read once for its page: the criteria they score and
    the scores they have saved so far (the form and the page both show them)."""

    criteria: list[Criterion]
    mine: dict[int, Score]

    @classmethod
    def of(cls, person: Person, found: Bid) -> _Sheet:
        return cls(
            criteria=list(found.phase.criteria.exclude(kind=Criterion.Kind.PRICE)),
            mine={s.criterion_id: s for s in found.scores.filter(evaluator=person)},
        )

    def form(self, data: Any = None) -> ScoresForm:
        """The scores form, filled in with what they have saved."""
        return ScoresForm(
            data,
            criteria=self.criteria,
            initial={
                **{f"score_{s.criterion_id}": str(s.score) for s in self.mine.values()},
                **{f"comment_{s.criterion_id}": s.comment for s in self.mine.values()},
            },
        )


def _evaluate_context(person: Person, found: Bid, sheet: _Sheet) -> dict[str, Any]:
    """The bid page of an evaluator: the declaration, then the bid and their scores (the form a
    refused POST sent replaces its blank twin, by form_page)."""
    phase = found.phase
    declaration = found.declarations.filter(evaluator=person).first()
    cleared = declaration is not None and not declaration.has_conflict
    content = read_bid(actor=person, bid=found) if cleared else None
    answers = content.answers if content else {}
    return {
        "bid": found,
        "phase": phase,
        "challenge": phase.challenge,
        "declaration": declaration,
        "declare_form": DeclarationForm(),
        "scores_form": sheet.form(),
        "content": content,
        "answers": [(c, answers.get(str(c.pk), "")) for c in sheet.criteria],
        "promises": promises(content.commitments) if content else [],
        "submitted": any(s.submitted_at for s in sheet.mine.values()),
        "seen": services.visible_scores(actor=person, bid=found)
        .select_related("criterion", "evaluator")
        .order_by("criterion__position", "evaluator__full_name")
        if cleared
        else [],
    }


@login_required
@require_http_methods(["GET", "POST"])
def evaluate(request: HttpRequest, pk: int) -> HttpResponse:
    """An evaluator reads the bid and scores it independently (saved, or submitted)."""
    person = person_of(request)
    found = services.evaluated_bid(actor=person, bid_id=pk)
    # Read before a POST is saved, shown only when it was refused (so nothing changed).
    sheet = _Sheet.of(person, found)
    form = sheet.form(request.POST if request.method == "POST" else None)
    submit = request.POST.get("action") == "submit"
    return form_page(
        request,
        form,
        template="procurement/evaluate.html",
        save=lambda form: services.save_scores(
            actor=person, bid=found, scores=form.scores(), submit=submit
        ),
        success=_("Your scores are submitted.") if submit else _("Your scores are saved."),
        then=reverse("procurement:evaluate", kwargs={"pk": pk}),
        context=lambda: _evaluate_context(person, found, sheet),
        form_name="scores_form",
    )


@login_required
@require_POST
def declare(request: HttpRequest, pk: int) -> HttpResponse:
    """Before seeing a bid, the evaluator declares any conflict of interest with the bidder."""
    person = person_of(request)
    found = services.evaluated_bid(actor=person, bid_id=pk)
    form = DeclarationForm(request.POST)
    return form_page(
        request,
        form,
        template="procurement/evaluate.html",
        save=lambda form: services.declare_interest(
            actor=person, bid=found, declaration_in=form.to_schema()
        ),
        success=_("Your declaration is recorded."),
        then=reverse("procurement:evaluate", kwargs={"pk": pk}),
        context=lambda: _evaluate_context(person, found, _Sheet.of(person, found)),
        form_name="declare_form",
    )


@login_required
@require_http_methods(["GET", "POST"])
def moderate(request: HttpRequest, pk: int) -> HttpResponse:
    """The officer records the panel's consensus, criterion by criterion."""
    person = person_of(request)
    found = services.moderated_bid(actor=person, bid_id=pk)
    criteria = list(found.phase.criteria.exclude(kind="price"))
    moderated = {m.criterion_id: m for m in found.moderated_scores.all()}
    posted = request.POST.get("criterion", "")
    forms = {
        c.pk: ModerationForm(
            request.POST if posted == str(c.pk) else None,
            prefix=f"c{c.pk}",
            initial={"score": str(moderated[c.pk].score), "rationale": moderated[c.pk].rationale}
            if c.pk in moderated
            else {},
        )
        for c in criteria
    }
    chosen = next((c.pk for c in criteria if str(c.pk) == posted), None)
    form = forms[chosen] if chosen is not None else ModerationForm()

    def context() -> dict[str, Any]:
        scores = services.visible_scores(actor=person, bid=found).select_related("criterion")
        return {
            "bid": found,
            "phase": found.phase,
            "challenge": found.phase.challenge,
            "rows": [
                {
                    "criterion": c,
                    "form": forms[c.pk],
                    "scores": [s for s in scores if s.criterion_id == c.pk],
                    "moderated": moderated.get(c.pk),
                }
                for c in criteria
            ],
            "content": read_bid(actor=person, bid=found),
        }

    return form_page(
        request,
        form,
        template="procurement/moderate.html",
        save=lambda form: services.moderate(
            actor=person, bid=found, moderation_in=form.to_schema(criterion=chosen)
        ),
        success=_("Consensus score saved."),
        then=reverse("procurement:moderate", kwargs={"pk": pk}),
        context=context,
        form_name="posted",
    )


# --- Feedback -----------------------------------------------------------------------------------


@login_required
@require_GET
def feedback(request: HttpRequest, pk: int) -> HttpResponse:
    found = bid_known_to(request.user, pk)
    told = services.feedback(actor=request.user, bid=found)
    if request.GET.get("format") == "pdf" or request.path.endswith(".pdf"):
        data = render_pdf(
            "procurement/feedback_print.html",
            {"feedback": told, "language": get_language() or "en", "generated_at": timezone.now()},
            base_url=request.build_absolute_uri("/"),
        )
        response = attachment(data, "application/pdf", f"feedback-{found.pk}.pdf")
        return response
    return render(
        request,
        "procurement/feedback.html",
        {"feedback": told, "phase": found.phase, "challenge": found.phase.challenge},
    )
