"""Pages of challenges: the list, the public challenge page with each role's next steps, and the
buyer's pages to draft the challenge, its phases, criteria and documents, and publish it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from infuse.core.errors import Conflict, PermissionDenied
from infuse.core.files import Upload
from infuse.core.models import Role
from infuse.core.pages import ask_page, confirm_page, form_page
from infuse.core.permissions import can, is_region_member, person_of, roles_of
from infuse.procurement import cpv
from infuse.procurement.challenges import deadlines, services
from infuse.procurement.challenges.forms import (
    ChallengeForm,
    CriteriaFormSet,
    DeadlineForm,
    DocumentForm,
    PhaseForm,
)
from infuse.procurement.challenges.listing import ChallengeStatus, listed
from infuse.procurement.challenges.schemas import ChallengeIn, CriterionIn
from infuse.procurement.challenges.steps import (
    Progress,
    Reader,
    phase_steps,
    preparation_steps,
)
from infuse.procurement.models import Challenge, Phase
from infuse.procurement.register import queries as register
from infuse.procurement.social_value import queries as social_value
from infuse.procurement.suppliers.services import supplier_of
from infuse.procurement.timetable import when


def _page(challenge: Challenge) -> str:
    return reverse("procurement:challenge", kwargs={"slug": challenge.slug})


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Every challenge the person may read, each with where it stands, open ones first;
    ``?status=`` keeps one status (an unknown one is ignored, never an error)."""
    wanted = request.GET.get("status", "")
    if wanted not in ChallengeStatus.values:
        wanted = ""
    shown, counts = listed(services.visible_challenges(request.user), wanted)
    return render(
        request,
        "procurement/index.html",
        {
            "challenges": shown,
            "wanted": wanted,
            "filters": [
                (status, counts[status.value]) for status in ChallengeStatus if counts[status.value]
            ],
            "total": sum(counts.values()),
            "now": timezone.now(),
            "can_add": can(request.user, "procurement.add_challenge"),
            "can_see_spend": can(request.user, "procurement.view_spend"),
            "is_supplier": Role.SUPPLIER in roles_of(request.user),
        },
    )


def _changes(phase: Phase) -> list[dict[str, Any]]:
    """The phase's deadline changes, newest first, with the reason in the page's language."""
    welsh = get_language() == "cy"
    return [
        {
            "at": dt.datetime.fromisoformat(change["at"]),
            "before": dt.datetime.fromisoformat(change["before"]["submission_deadline"]),
            "after": dt.datetime.fromisoformat(change["after"]["submission_deadline"]),
            "reason": (welsh and change.get("reason_cy")) or change["reason_en"],
        }
        for change in reversed(phase.amendments)
    ]


def _phase_entry(request: HttpRequest, phase: Phase, reader: Reader, *, is_supplier: bool) -> Any:
    """What the challenge page shows of one phase, for the person looking: its progress is
    read once, and its state, task list and lines for the buyer are worked out from that."""
    progress = Progress(phase)
    state = progress.state(timezone.now())
    runs = reader.runs
    entry: dict[str, Any] = {
        "phase": phase,
        "state": state,
        "state_label": Phase.State(state).label,
        "clarifications": phase.published_clarifications(),
        "award": progress.award,
        "contracts": progress.contracts,
        "on_panel": phase.has_evaluator(request.user),
        "anchor": f"phase-{phase.number}-steps",
        "changes": _changes(phase),
        "deadline_movable": runs and state in (Phase.State.UPCOMING, Phase.State.OPEN),
        "tasks": phase_steps(request.user, phase, reader=reader, progress=progress)
        if phase.challenge.is_published and is_region_member(request.user)
        else None,
    }
    if runs:
        entry["unanswered"] = progress.unanswered
        entry["received"] = phase.received_bids().count()
        entry["opening"] = progress.opening
    if is_supplier:
        entry["own_bid"] = phase.bid_of(supplier_of(request.user))
    return entry


@require_GET
def challenge(request: HttpRequest, slug: str) -> HttpResponse:
    """The challenge as the public sees it, with each role's actions beside it."""
    found = services.get_challenge(actor=request.user, slug=slug)
    # Who reads and who can act, once for the page's every task list.
    reader = Reader(request.user, found)
    runs = reader.runs
    is_supplier = Role.SUPPLIER in roles_of(request.user)
    phases = list(found.phases.prefetch_related("criteria__goal"))
    numbers_used = {phase.number for phase in phases}
    return render(
        request,
        "procurement/challenge.html",
        {
            "challenge": found,
            "phases": [_phase_entry(request, p, reader, is_supplier=is_supplier) for p in phases],
            "runs": runs,
            "is_supplier": is_supplier,
            "documents": found.documents.all(),
            "preparation": preparation_steps(request.user, found, reader=reader)
            if is_region_member(request.user) and (runs or not found.is_published)
            else None,
            "numbers": [n for n in Phase.Number.values if n not in numbers_used],
            "cpv": [cpv.described(code) for code in found.cpv_codes],
            "contracts": list(register.of_challenge(found)),
            "social_value": social_value.by_goal(social_value.challenge_lines(found)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def challenge_create(request: HttpRequest) -> HttpResponse:
    person = person_of(request)
    if not can(person, "procurement.add_challenge"):
        raise PermissionDenied()
    return form_page(
        request,
        ChallengeForm(request.POST or None, person=person),
        template="procurement/challenge_form.html",
        save=lambda form: services.create_challenge(actor=person, challenge_in=form.to_schema()),
        success=_("Challenge added as a draft. Add its phases next."),
        then=_page,
        context={"challenge": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def challenge_edit(request: HttpRequest, slug: str) -> HttpResponse:
    person = person_of(request)
    found = services.get_challenge(actor=person, slug=slug)
    services.require_runs(person, found)
    form = ChallengeForm(
        request.POST or None,
        person=person,
        initial=ChallengeForm.initial_from(ChallengeIn.of(found)),
    )
    return form_page(
        request,
        form,
        template="procurement/challenge_form.html",
        save=lambda form: services.update_challenge(
            actor=person, challenge=found, challenge_in=form.to_schema()
        ),
        success=_("Challenge saved."),
        then=_page,
        context={"challenge": found},
    )


@login_required
@require_http_methods(["GET", "POST"])
def phase_edit(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    person = person_of(request)
    found = services.get_challenge(actor=person, slug=slug)
    if not services.runs(person, found) or number not in Phase.Number.values:
        raise PermissionDenied()
    phase = Phase.objects.filter(challenge=found, number=number).first()
    return form_page(
        request,
        PhaseForm(request.POST or None, initial=PhaseForm.initial_for(phase)),
        template="procurement/phase_form.html",
        save=lambda form: services.save_phase(
            actor=person, challenge=found, phase_in=form.to_schema(number=number)
        ),
        success=_("Phase saved. Set its criteria next."),
        then=lambda saved: reverse(
            "procurement:criteria", kwargs={"slug": found.slug, "number": number}
        ),
        context={"challenge": found, "number": number, "label": Phase.Number(number).label},
    )


@login_required
@require_http_methods(["GET", "POST"])
def criteria(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    person = person_of(request)
    phase = services.phase_at(actor=person, slug=slug, number=number)
    services.require_runs(person, phase.challenge)
    rows: list[dict[str, Any]] = [
        CriterionIn.of(c).model_dump() for c in phase.criteria.select_related("goal")
    ]
    rows += [{}] * max(0, 6 - len(rows))
    formset = CriteriaFormSet(
        request.POST if request.method == "POST" else None, initial=rows, prefix="criterion"
    )
    return form_page(
        request,
        formset,
        template="procurement/criteria.html",
        save=lambda rows: services.set_criteria(
            actor=person, phase=phase, criteria=[f.to_schema() for f in rows.forms if f.used()]
        ),
        success=_("Criteria saved."),
        then=_page(phase.challenge),
        context=lambda: {
            "challenge": phase.challenge,
            "phase": phase,
            "problems": formset.problems,
        },
        form_name="formset",
    )


@login_required
@require_http_methods(["GET", "POST"])
def document_add(request: HttpRequest, slug: str) -> HttpResponse:
    person = person_of(request)
    found = services.get_challenge(actor=person, slug=slug)
    services.require_runs(person, found)
    return form_page(
        request,
        DocumentForm(request.POST or None, request.FILES or None),
        template="procurement/document_form.html",
        save=lambda form: services.add_document(
            actor=person,
            challenge=found,
            document_in=form.to_schema(),
            upload=Upload.of(form.cleaned_data["file"]),
        ),
        success=_("Document added."),
        then=_page(found),
        context={"challenge": found},
    )


@require_GET
def document(request: HttpRequest, pk: int) -> FileResponse:
    found, handle = services.document_file(actor=request.user, pk=pk)
    return FileResponse(
        handle, as_attachment=True, filename=found.file_name, content_type=found.content_type
    )


@login_required
@require_http_methods(["GET", "POST"])
def publish(request: HttpRequest, slug: str) -> HttpResponse:
    """Publishing cannot be taken back: the page says what it does before the button does it."""
    person = person_of(request)
    found = services.get_challenge(actor=person, slug=slug)
    services.require_runs(person, found)
    return confirm_page(
        request,
        title=_("Publish the challenge?"),
        consequences=[
            _("Anyone can read the challenge, its phases, how bids are scored and its documents."),
            _("It is published as open contracting data (planning and tender)."),
            _("Suppliers can ask questions and bid from each phase's opening date."),
            _("The description, phases and criteria can no longer be changed."),
        ],
        button=_("Publish the challenge"),
        back=_page(found),
        run=lambda: services.publish_challenge(actor=person, challenge=found),
        success=_("The challenge is published: anyone can read it now."),
        then=_page(found) + "#steps",
        check=lambda: services.check_publishable(actor=person, challenge=found),
    )


@login_required
@require_POST
def phase_ask(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """Ask whoever a phase's next step waits on (the region's staff only)."""
    person = person_of(request)
    phase = services.phase_at(actor=person, slug=slug, number=number)
    if not (phase.challenge.is_published and is_region_member(person)):
        raise PermissionDenied()
    return ask_page(
        request,
        steps=lambda: phase_steps(person, phase),
        what=lambda: (
            gettext("phase %(number)s of the challenge “%(title)s”")
            % {"number": phase.number, "title": phase.challenge.title}
        ),
        back=reverse("procurement:challenge", kwargs={"slug": phase.challenge.slug}),
        about=f"phase:{phase.pk}",
        anchor=f"phase-{phase.number}-steps",
    )


@login_required
@require_http_methods(["GET", "POST"])
def phase_deadline(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """Move a published phase's deadline later; everyone bidding is told."""
    person = person_of(request)
    phase = services.phase_at(actor=person, slug=slug, number=number)
    back = reverse("procurement:challenge", kwargs={"slug": slug}) + f"#phase-{number}"
    try:
        deadlines.check_deadline_change(actor=person, phase=phase)
    except Conflict as error:
        messages.error(request, str(error.message))
        return redirect(back)
    return form_page(
        request,
        DeadlineForm(request.POST or None),
        template="procurement/deadline_form.html",
        save=lambda form: deadlines.change_deadline(
            actor=person, phase=phase, change_in=form.to_schema()
        ),
        success=lambda moved: (
            gettext(
                "Bids now close on %(deadline)s. Everyone who asked a question or holds a bid in "
                "this phase has been told, and the change is published as open contracting data."
            )
            % {"deadline": when(moved.submission_deadline)}
        ),
        then=back,
        context={"challenge": phase.challenge, "phase": phase},
    )
