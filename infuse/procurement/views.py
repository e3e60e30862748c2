"""Pages of the Procurement Lab: thin, through the services (which check every permission)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from infuse.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from infuse.core.models import Role
from infuse.core.permissions import can, person_of, roles_of
from infuse.procurement import services
from infuse.procurement.forms import (
    AnswerForm,
    BidDocumentForm,
    BidForm,
    ChallengeForm,
    CriteriaFormSet,
    DocumentForm,
    InviteForm,
    JoinForm,
    PhaseForm,
    QuestionForm,
    SupplierRegistrationForm,
)
from infuse.procurement.models import Bid, BidDocument, Challenge, Clarification, Document, Phase


def _problems(form: Any, error: Exception) -> None:
    form.add_problems(getattr(error, "problems", None) or [error])


def _challenge_initial(challenge: Challenge) -> dict[str, Any]:
    return {
        "title_en": challenge.title_en,
        "title_cy": challenge.title_cy,
        "summary_en": challenge.summary_en,
        "summary_cy": challenge.summary_cy,
        "problem_en": challenge.problem_en,
        "problem_cy": challenge.problem_cy,
        "owner": challenge.owner.slug,
        "councils": list(challenge.councils.values_list("gss_code", flat=True)),
        "themes": list(challenge.themes.values_list("code", flat=True)),
        "goals": list(challenge.goals.values_list("code", flat=True)),
        "evidence_datasets": list(challenge.evidence_datasets.values_list("slug", flat=True)),
        "evidence_indicators": list(challenge.evidence_indicators.values_list("slug", flat=True)),
    }


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    challenges = services.visible_challenges(request.user)
    roles = roles_of(request.user)
    return render(
        request,
        "procurement/index.html",
        {
            "challenges": challenges,
            "can_add": can(request.user, "procurement.add_challenge"),
            "is_supplier": Role.SUPPLIER in roles,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def challenge_create(request: HttpRequest) -> HttpResponse:
    person = person_of(request)
    if not can(person, "procurement.add_challenge"):
        raise PermissionDenied()
    form = ChallengeForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            challenge = services.create_challenge(actor=person, fields=form.to_fields())
        except (InvalidInput, Conflict) as error:
            _problems(form, error)
        else:
            messages.success(request, _("Challenge added as a draft. Add its phases next."))
            return redirect("procurement:challenge", slug=challenge.slug)
    return render(
        request,
        "procurement/challenge_form.html",
        {"form": form, "challenge": None},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def challenge_edit(request: HttpRequest, slug: str) -> HttpResponse:
    person = person_of(request)
    challenge = services.get_challenge(actor=person, slug=slug)
    if not can(person, "procurement.change_challenge", challenge):
        raise PermissionDenied()
    form = ChallengeForm(request.POST or None, person=person, initial=_challenge_initial(challenge))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_challenge(actor=person, challenge=challenge, fields=form.to_fields())
        except (InvalidInput, Conflict) as error:
            _problems(form, error)
        else:
            messages.success(request, _("Challenge saved."))
            return redirect("procurement:challenge", slug=challenge.slug)
    return render(
        request,
        "procurement/challenge_form.html",
        {"form": form, "challenge": challenge},
        status=400 if form.errors else 200,
    )


@require_GET
def challenge(request: HttpRequest, slug: str) -> HttpResponse:
    """The challenge as the public sees it, with each role's actions beside it."""
    found = services.get_challenge(actor=request.user, slug=slug)
    runs = can(request.user, "procurement.change_challenge", found)
    is_supplier = Role.SUPPLIER in roles_of(request.user)
    phases = []
    for phase in found.phases.prefetch_related("criteria__goal"):
        entry: dict[str, Any] = {
            "phase": phase,
            "state": phase.state,
            "state_label": Phase.State(phase.state).label,
            "clarifications": services.published_clarifications(phase),
        }
        if runs:
            entry["unanswered"] = phase.clarifications.filter(answered_at__isnull=True).count()
            entry["received"] = services.received_bids(phase).count()
            entry["opening"] = getattr(phase, "opening", None)
        if is_supplier:
            entry["own_bid"] = services.own_bid(actor=request.user, phase=phase)  # type: ignore[arg-type]
        phases.append(entry)
    return render(
        request,
        "procurement/challenge.html",
        {
            "challenge": found,
            "phases": phases,
            "runs": runs,
            "is_supplier": is_supplier,
            "documents": found.documents.all(),
            "numbers": [
                n for n in Phase.Number.values if n not in {p.number for p in found.phases.all()}
            ],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def phase_edit(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    person = person_of(request)
    found = services.get_challenge(actor=person, slug=slug)
    if not can(person, "procurement.change_challenge", found) or number not in Phase.Number.values:
        raise PermissionDenied()
    phase = Phase.objects.filter(challenge=found, number=number).first()
    form = PhaseForm(request.POST or None, initial=PhaseForm.initial_for(phase))
    if request.method == "POST" and form.is_valid():
        try:
            services.save_phase(actor=person, challenge=found, fields=form.to_fields(number))
        except (InvalidInput, Conflict) as error:
            _problems(form, error)
        else:
            messages.success(request, _("Phase saved. Set its criteria next."))
            return redirect("procurement:criteria", slug=found.slug, number=number)
    return render(
        request,
        "procurement/phase_form.html",
        {"form": form, "challenge": found, "number": number, "label": Phase.Number(number).label},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def criteria(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    person = person_of(request)
    found = services.get_challenge(actor=person, slug=slug)
    phase = services.get_phase(actor=person, challenge=found, number=number)
    if not can(person, "procurement.change_challenge", found):
        raise PermissionDenied()
    existing = [
        {
            "kind": c.kind,
            "title_en": c.title_en,
            "title_cy": c.title_cy,
            "guidance_en": c.guidance_en,
            "guidance_cy": c.guidance_cy,
            "weight": c.weight,
            "goal": c.goal.code if c.goal else "",
        }
        for c in phase.criteria.select_related("goal")
    ]
    rows = existing + [{}] * max(0, 6 - len(existing))
    formset = CriteriaFormSet(
        request.POST if request.method == "POST" else None, initial=rows, prefix="criterion"
    )
    problems: list[Any] = []
    if request.method == "POST" and formset.is_valid():
        fields = [f for f in (form.to_fields() for form in formset.forms) if f is not None]
        try:
            services.set_criteria(actor=person, phase=phase, criteria=fields)
        except (InvalidInput, Conflict) as error:
            problems = list(getattr(error, "problems", [])) or [error]
        else:
            messages.success(request, _("Criteria saved."))
            return redirect("procurement:challenge", slug=found.slug)
    return render(
        request,
        "procurement/criteria.html",
        {"challenge": found, "phase": phase, "formset": formset, "problems": problems},
        status=400 if problems or formset.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def document_add(request: HttpRequest, slug: str) -> HttpResponse:
    person = person_of(request)
    found = services.get_challenge(actor=person, slug=slug)
    if not can(person, "procurement.change_challenge", found):
        raise PermissionDenied()
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.add_document(
                actor=person,
                challenge=found,
                title_en=form.cleaned_data.get("title_en", ""),
                title_cy=form.cleaned_data.get("title_cy", ""),
                file_name=upload.name,
                content_type=upload.content_type or "",
                chunks=upload.chunks(),
            )
        except (InvalidInput, Conflict) as error:
            _problems(form, error)
        else:
            messages.success(request, _("Document added."))
            return redirect("procurement:challenge", slug=found.slug)
    return render(
        request,
        "procurement/document_form.html",
        {"form": form, "challenge": found},
        status=400 if form.errors else 200,
    )


@require_GET
def document(request: HttpRequest, pk: int) -> FileResponse:
    from infuse.datalab import storage

    found = Document.objects.select_related("challenge").filter(pk=pk).first()
    if found is None:
        raise NotFound()
    services.get_challenge(actor=request.user, slug=found.challenge.slug)
    return FileResponse(
        storage.resolve(found.path).open("rb"),
        as_attachment=True,
        filename=found.file_name,
        content_type=found.content_type,
    )


@login_required
@require_POST
def publish(request: HttpRequest, slug: str) -> HttpResponse:
    person = person_of(request)
    found = services.get_challenge(actor=person, slug=slug)
    try:
        services.publish_challenge(actor=person, challenge=found)
    except (InvalidInput, Conflict) as error:
        problems = getattr(error, "problems", None)
        for problem in problems or [error]:
            messages.error(request, str(problem.message))
    else:
        messages.success(request, _("The challenge is published: anyone can read it now."))
    return redirect("procurement:challenge", slug=found.slug)


# --- Suppliers ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """A supplier registers its organisation and its first person, then is signed in."""
    form = SupplierRegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = services.register_supplier(
                email=data.get("email") or "",
                full_name=data.get("full_name") or "",
                password=data.get("password") or "",
                fields=form.to_fields(),
            )
        except (InvalidInput, Conflict) as error:
            _problems(form, error)
        else:
            login(request, person, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Your organisation is registered. You can bid now."))
            return redirect("procurement:index")
    return render(
        request, "procurement/register.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest) -> HttpResponse:
    person = person_of(request)
    organisation = services.supplier_of(person)
    form = InviteForm(request.POST or None)
    link = ""
    if request.method == "POST" and form.is_valid():
        try:
            token = services.invite_colleague(
                actor=person, email=form.cleaned_data.get("email") or ""
            )
        except (InvalidInput, Conflict) as error:
            _problems(form, error)
        else:
            link = request.build_absolute_uri(f"/procurement/suppliers/join/{token}/")
            _send_invitation(request, form.cleaned_data["email"], organisation.name, link)
            messages.success(request, _("Invitation sent."))
    return render(
        request,
        "procurement/invite.html",
        {"form": form, "organisation": organisation, "link": link},
        status=400 if form.errors else 200,
    )


def _send_invitation(request: HttpRequest, email: str, organisation: str, link: str) -> None:
    from django.core.mail import send_mail

    send_mail(
        _("Join %(organisation)s on InFuSe") % {"organisation": organisation},
        _("You have been invited to bid for %(organisation)s on InFuSe. Join here: %(link)s")
        % {"organisation": organisation, "link": link},
        None,
        [email],
    )


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, token: str) -> HttpResponse:
    form = JoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.accept_invitation(
                token=token,
                full_name=form.cleaned_data.get("full_name") or "",
                password=form.cleaned_data.get("password") or "",
            )
        except (InvalidInput, Conflict) as error:
            _problems(form, error)
        else:
            login(request, person, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("You have joined your organisation on InFuSe."))
            return redirect("procurement:index")
    return render(
        request, "procurement/join.html", {"form": form}, status=400 if form.errors else 200
    )


# --- Clarifications -----------------------------------------------------------------------------


def _phase_of(request: HttpRequest, slug: str, number: int) -> Phase:
    found = services.get_challenge(actor=request.user, slug=slug)
    return services.get_phase(actor=request.user, challenge=found, number=number)


@login_required
@require_http_methods(["GET", "POST"])
def ask(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    person = person_of(request)
    phase = _phase_of(request, slug, number)
    services.supplier_of(person)
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.ask_question(
                actor=person, phase=phase, question=form.cleaned_data.get("question") or ""
            )
        except (InvalidInput, Conflict) as error:
            _problems(form, error)
        else:
            messages.success(
                request, _("Question sent. The answer will be published to every bidder.")
            )
            return redirect("procurement:challenge", slug=slug)
    return render(
        request,
        "procurement/ask.html",
        {"form": form, "phase": phase, "challenge": phase.challenge},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def questions(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    person = person_of(request)
    phase = _phase_of(request, slug, number)
    return render(
        request,
        "procurement/questions.html",
        {
            "phase": phase,
            "challenge": phase.challenge,
            "waiting": services.questions_to_answer(actor=person, phase=phase),
            "answered": services.published_clarifications(phase),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_of(request)
    clarification = Clarification.objects.select_related("phase__challenge").filter(pk=pk).first()
    if clarification is None or not can(
        person, "procurement.change_challenge", clarification.phase.challenge
    ):
        raise NotFound()
    form = AnswerForm(
        request.POST or None,
        initial={"published_question_en": clarification.question},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.answer_question(
                actor=person,
                clarification=clarification,
                published_question_en=data.get("published_question_en") or "",
                published_question_cy=data.get("published_question_cy") or "",
                answer_en=data.get("answer_en") or "",
                answer_cy=data.get("answer_cy") or "",
            )
        except (InvalidInput, Conflict) as error:
            _problems(form, error)
        else:
            messages.success(request, _("Answer published to every bidder."))
            phase = clarification.phase
            return redirect("procurement:questions", slug=phase.challenge.slug, number=phase.number)
    return render(
        request,
        "procurement/answer.html",
        {"form": form, "clarification": clarification, "phase": clarification.phase},
        status=400 if form.errors else 200,
    )


# --- Bids ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def bid(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """The supplier's bid for a phase: answers, price, documents; save, submit or withdraw."""
    person = person_of(request)
    phase = _phase_of(request, slug, number)
    services.supplier_of(person)
    own = services.own_bid(actor=person, phase=phase)
    content = services.read_bid(actor=person, bid=own) if own else services.BidContent()
    initial = {f"answer_{k}": v for k, v in content.answers.items()}
    if content.price_pence is not None:
        initial["price"] = f"{content.price_pence / 100:.2f}"
    action = request.POST.get("action", "save")
    form = BidForm(
        request.POST if request.method == "POST" and action in ("save", "submit") else None,
        phase=phase,
        initial=initial,
    )
    upload = BidDocumentForm(
        request.POST if action == "upload" else None,
        request.FILES if action == "upload" else None,
    )
    if request.method == "POST":
        try:
            if action == "withdraw" and own:
                services.withdraw_bid(actor=person, bid=own)
                messages.success(
                    request,
                    _("Your bid is withdrawn. You can submit it again before the deadline."),
                )
                return redirect("procurement:bid", slug=slug, number=number)
            if action == "upload":
                if upload.is_valid():
                    if own is None:
                        own = services.save_bid(
                            actor=person, phase=phase, answers={}, price_pence=None
                        )
                    file = upload.cleaned_data["file"]
                    services.add_bid_document(
                        actor=person,
                        bid=own,
                        file_name=file.name,
                        content_type=file.content_type or "",
                        data=file.read(),
                    )
                    messages.success(request, _("Document added to your bid."))
                    return redirect("procurement:bid", slug=slug, number=number)
            elif form.is_valid():
                own = services.save_bid(
                    actor=person,
                    phase=phase,
                    answers=form.answers(),
                    price_pence=form.cleaned_data.get("price"),
                )
                if action == "submit":
                    services.submit_bid(actor=person, bid=own)
                    messages.success(
                        request,
                        _("Your bid is submitted. You can change it until the deadline."),
                    )
                else:
                    messages.success(request, _("Your bid is saved (not yet submitted)."))
                return redirect("procurement:bid", slug=slug, number=number)
        except (InvalidInput, Conflict) as error:
            _problems(upload if action == "upload" else form, error)
    errors = form.errors or upload.errors
    return render(
        request,
        "procurement/bid.html",
        {
            "phase": phase,
            "challenge": phase.challenge,
            "form": form,
            "upload": upload,
            "bid": own,
            "content": content,
            "open": phase.state == Phase.State.OPEN,
        },
        status=400 if errors else 200,
    )


@login_required
@require_GET
def bid_document(request: HttpRequest, pk: int) -> HttpResponse:
    found = BidDocument.objects.select_related("bid__phase__challenge").filter(pk=pk).first()
    if found is None:
        raise NotFound()
    name, content_type, data = services.read_bid_document(actor=request.user, document=found)
    response = HttpResponse(data, content_type=content_type or "application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def my_bids(request: HttpRequest) -> HttpResponse:
    person = person_of(request)
    organisation = services.supplier_of(person)
    bids = Bid.objects.filter(supplier=organisation).select_related("phase__challenge")
    return render(
        request,
        "procurement/my_bids.html",
        {"organisation": organisation, "bids": bids, "now": timezone.now()},
    )


# --- Opening ------------------------------------------------------------------------------------


@login_required
@require_POST
def opening(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    person = person_of(request)
    phase = _phase_of(request, slug, number)
    try:
        if hasattr(phase, "opening"):
            services.confirm_opening(actor=person, phase=phase)
            messages.success(request, _("The bids are open."))
        else:
            services.request_opening(actor=person, phase=phase)
            messages.success(
                request, _("Opening asked for. A second authorised officer must confirm it.")
            )
    except Conflict as error:
        messages.error(request, str(error.message))
    return redirect("procurement:challenge", slug=slug)
