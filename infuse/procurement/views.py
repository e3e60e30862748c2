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

from infuse.core import files
from infuse.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from infuse.core.models import Role
from infuse.core.permissions import can, person_of, roles_of
from infuse.procurement import services
from infuse.procurement.forms import (
    AnswerForm,
    AwardForm,
    BidDocumentForm,
    BidForm,
    ChallengeForm,
    ContractDatesForm,
    CriteriaFormSet,
    DeclarationForm,
    DocumentForm,
    EvaluatorsForm,
    InviteForm,
    JoinForm,
    MilestoneForm,
    ModerationForm,
    OutcomesForm,
    PhaseForm,
    QuestionForm,
    ScoresForm,
    SupplierRegistrationForm,
)
from infuse.procurement.models import (
    Bid,
    BidDocument,
    Challenge,
    Clarification,
    Contract,
    Document,
    Phase,
)


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
            "award": phase.awards.exclude(status="cancelled").first(),
            "on_panel": services.on_panel(request.user, phase),
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

    found = Document.objects.select_related("challenge").filter(pk=pk).first()
    if found is None:
        raise NotFound()
    services.get_challenge(actor=request.user, slug=found.challenge.slug)
    return FileResponse(
        files.resolve(found.path).open("rb"),
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
            return redirect("procurement:invite")
    return render(
        request,
        "procurement/invite.html",
        {"form": form, "organisation": organisation},
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
                actor=request.user,
            )
        except (InvalidInput, Conflict) as error:
            _problems(form, error)
        else:
            if not request.user.is_authenticated:  # a new account, made with this password
                login(request, person, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("You have joined your organisation on InFuSe."))
            return redirect("procurement:index")
    return render(
        request, "procurement/join.html", {"form": form}, status=400 if form.errors else 200
    )


# --- Clarifications -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def ask(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    person = person_of(request)
    phase = services.phase_at(actor=request.user, slug=slug, number=number)
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
    phase = services.phase_at(actor=request.user, slug=slug, number=number)
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
    phase = services.phase_at(actor=request.user, slug=slug, number=number)
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
    phase = services.phase_at(actor=request.user, slug=slug, number=number)
    try:
        opening = services.open_bids(actor=person, phase=phase)
        if opening.confirmed_at:
            messages.success(request, _("The bids are open."))
        else:
            messages.success(
                request, _("Opening asked for. A second authorised officer must confirm it.")
            )
    except Conflict as error:
        messages.error(request, str(error.message))
    return redirect("procurement:challenge", slug=slug)


# --- Evaluation ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def evaluators(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    from infuse.core.models import Person

    person = person_of(request)
    phase = services.phase_at(actor=request.user, slug=slug, number=number)
    if not can(person, "procurement.change_challenge", phase.challenge):
        raise PermissionDenied()
    form = EvaluatorsForm(
        request.POST or None,
        initial={"evaluators": [str(pk) for pk in phase.evaluators.values_list("pk", flat=True)]},
    )
    if request.method == "POST" and form.is_valid():
        chosen = Person.objects.filter(pk__in=form.cleaned_data.get("evaluators") or [])
        try:
            services.assign_evaluators(actor=person, phase=phase, evaluators=list(chosen))
        except (InvalidInput, Conflict) as error:
            _problems(form, error)
        else:
            messages.success(request, _("The evaluation panel is saved."))
            return redirect("procurement:evaluation", slug=slug, number=number)
    return render(
        request,
        "procurement/evaluators.html",
        {"form": form, "phase": phase, "challenge": phase.challenge},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def evaluation(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """The officers' evaluation table (ranking, sensitivity, award) or an evaluator's list."""
    person = person_of(request)
    phase = services.phase_at(actor=request.user, slug=slug, number=number)
    runs = can(person, "procurement.change_challenge", phase.challenge)
    is_panel = services.on_panel(person, phase)
    if not (runs or is_panel):
        raise PermissionDenied()
    context: dict[str, Any] = {
        "phase": phase,
        "challenge": phase.challenge,
        "runs": runs,
        "state": phase.state,
        "panel": phase.evaluators.order_by("full_name"),
    }
    bids = list(services.received_bids(phase)) if phase.bids_opened else []
    if is_panel:
        mine = []
        for one in bids:
            declaration = one.declarations.filter(evaluator=person).first()
            submitted = one.scores.filter(evaluator=person, submitted_at__isnull=False).exists()
            mine.append({"bid": one, "declaration": declaration, "submitted": submitted})
        context["mine"] = mine
    if runs and phase.bids_opened:
        table = services.evaluation_table(actor=person, phase=phase)
        names = {c.pk: c.title for c in table.criteria}
        suppliers = {row["bid"].pk: row["supplier"].name for row in table.rows}
        context.update(
            table=table,
            scenarios=[
                {
                    "criterion": names[s.criterion],
                    "change": s.change,
                    "winners": [suppliers[w] for w in s.winners],
                    "changed": s.changed,
                }
                for s in table.scenarios
            ],
            award=phase.awards.exclude(status="cancelled").first(),
            award_form=AwardForm(),
        )
    return render(request, "procurement/evaluation.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def evaluate(request: HttpRequest, pk: int) -> HttpResponse:
    """An evaluator declares any conflict, then reads the bid and scores it independently."""
    person = person_of(request)
    found = services.evaluated_bid(actor=person, bid_id=pk)
    phase = found.phase
    declaration = found.declarations.filter(evaluator=person).first()
    criteria = list(phase.criteria.exclude(kind="price"))
    declare_form = DeclarationForm(
        request.POST if request.POST.get("action") == "declare" else None
    )
    mine = {s.criterion_id: s for s in found.scores.filter(evaluator=person)}
    scores_form = ScoresForm(
        request.POST if request.POST.get("action") in ("save", "submit") else None,
        criteria=criteria,
        initial={
            **{f"score_{k}": str(v.score) for k, v in mine.items()},
            **{f"comment_{k}": v.comment for k, v in mine.items()},
        },
    )
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "declare" and declare_form.is_valid():
                services.declare_interest(
                    actor=person,
                    bid=found,
                    has_conflict=bool(declare_form.cleaned_data.get("has_conflict")),
                    details=declare_form.cleaned_data.get("details") or "",
                )
                return redirect("procurement:evaluate", pk=pk)
            if action in ("save", "submit") and scores_form.is_valid():
                services.save_scores(actor=person, bid=found, scores=scores_form.scores())
                if action == "submit":
                    services.submit_scores(actor=person, bid=found)
                    messages.success(request, _("Your scores are submitted."))
                else:
                    messages.success(request, _("Your scores are saved."))
                return redirect("procurement:evaluate", pk=pk)
        except (InvalidInput, Conflict) as error:
            _problems(declare_form if action == "declare" else scores_form, error)
    content = None
    if declaration and not declaration.has_conflict:
        content = services.read_bid(actor=person, bid=found)
    submitted = any(s.submitted_at for s in mine.values())
    return render(
        request,
        "procurement/evaluate.html",
        {
            "bid": found,
            "phase": phase,
            "challenge": phase.challenge,
            "declaration": declaration,
            "declare_form": declare_form,
            "scores_form": scores_form,
            "content": content,
            "answers": [
                (c, (content.answers if content else {}).get(str(c.pk), "")) for c in criteria
            ],
            "submitted": submitted,
            "seen": services.visible_scores(actor=person, bid=found).order_by(
                "criterion__position", "evaluator__full_name"
            )
            if declaration and not declaration.has_conflict
            else [],
        },
        status=400 if declare_form.errors or scores_form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def moderate(request: HttpRequest, pk: int) -> HttpResponse:
    """The officer records the panel's consensus, criterion by criterion."""
    person = person_of(request)
    found = Bid.objects.select_related("phase__challenge", "supplier").filter(pk=pk).first()
    if found is None or not can(person, "procurement.change_challenge", found.phase.challenge):
        raise NotFound()
    criteria = list(found.phase.criteria.exclude(kind="price"))
    moderated = {m.criterion_id: m for m in found.moderated_scores.all()}
    forms_by_criterion = {}
    posted = request.POST.get("criterion")
    for criterion in criteria:
        current = moderated.get(criterion.pk)
        forms_by_criterion[criterion.pk] = ModerationForm(
            request.POST if posted == str(criterion.pk) else None,
            prefix=f"c{criterion.pk}",
            initial={"score": str(current.score), "rationale": current.rationale}
            if current
            else {},
        )
    if request.method == "POST" and posted:
        chosen = next((c for c in criteria if str(c.pk) == posted), None)
        form = forms_by_criterion.get(chosen.pk) if chosen else None
        if chosen is not None and form is not None and form.is_valid():
            try:
                services.moderate(
                    actor=person,
                    bid=found,
                    criterion=chosen,
                    score=int(form.cleaned_data.get("score") or -1),
                    rationale=form.cleaned_data.get("rationale") or "",
                )
            except (InvalidInput, Conflict) as error:
                _problems(form, error)
            else:
                messages.success(request, _("Consensus score saved."))
                return redirect("procurement:moderate", pk=pk)
    scores = services.visible_scores(actor=person, bid=found).select_related("criterion")
    rows = [
        {
            "criterion": c,
            "form": forms_by_criterion[c.pk],
            "scores": [s for s in scores if s.criterion_id == c.pk],
            "moderated": moderated.get(c.pk),
        }
        for c in criteria
    ]
    errors = any(f.errors for f in forms_by_criterion.values())
    return render(
        request,
        "procurement/moderate.html",
        {
            "bid": found,
            "phase": found.phase,
            "challenge": found.phase.challenge,
            "rows": rows,
            "content": services.read_bid(actor=person, bid=found),
        },
        status=400 if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def award(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """Decide the award (POST with reasons), then confirm it after the standstill with the
    contract dates of each winner."""
    person = person_of(request)
    phase = services.phase_at(actor=request.user, slug=slug, number=number)
    if not can(person, "procurement.change_challenge", phase.challenge):
        raise PermissionDenied()
    decided = phase.awards.exclude(status="cancelled").first()
    award_form = AwardForm(request.POST if request.POST.get("action") == "decide" else None)
    winners = list(decided.winners.select_related("supplier")) if decided else []
    date_forms = {
        w.pk: ContractDatesForm(
            request.POST if request.POST.get("action") == "confirm" else None, prefix=f"b{w.pk}"
        )
        for w in winners
    }
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "decide" and award_form.is_valid():
                services.award_phase(
                    actor=person,
                    phase=phase,
                    rationale=award_form.cleaned_data.get("rationale") or "",
                )
                messages.success(request, _("Award decided. The standstill period has started."))
                return redirect("procurement:award", slug=slug, number=number)
            if action == "confirm" and decided and all(f.is_valid() for f in date_forms.values()):
                contracts = services.confirm_award(
                    actor=person,
                    award=decided,
                    terms=[
                        services.ContractTerms(
                            bid=pk,
                            starts_on=form.cleaned_data["starts_on"],
                            ends_on=form.cleaned_data["ends_on"],
                        )
                        for pk, form in date_forms.items()
                    ],
                )
                messages.success(request, _("Award confirmed: contracts made and money committed."))
                return redirect("procurement:contract", pk=contracts[0].pk)
            if action == "cancel" and decided:
                services.cancel_award(
                    actor=person, award=decided, reason=request.POST.get("reason") or ""
                )
                messages.success(
                    request, _("The award is cancelled; the evaluation is open again.")
                )
                return redirect("procurement:evaluation", slug=slug, number=number)
        except (InvalidInput, Conflict) as error:
            target = (
                award_form if action == "decide" else next(iter(date_forms.values()), award_form)
            )
            _problems(target, error)
    errors = award_form.errors or any(f.errors for f in date_forms.values())
    return render(
        request,
        "procurement/award.html",
        {
            "phase": phase,
            "challenge": phase.challenge,
            "award": decided,
            "award_form": award_form,
            "winners": [(w, date_forms[w.pk]) for w in winners],
            "standstill_over": decided is not None and timezone.now() >= decided.standstill_ends_at,
            "contracts": decided.contracts.select_related("supplier") if decided else [],
        },
        status=400 if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def contract(request: HttpRequest, pk: int) -> HttpResponse:
    """A contract's milestones: the buyer adds and accepts them, the fund manager pays them."""
    person = person_of(request)
    found = (
        Contract.objects.select_related("award__phase__challenge", "supplier").filter(pk=pk).first()
    )
    if found is None:
        raise NotFound()
    runs = can(person, "procurement.change_challenge", found.award.phase.challenge)
    pays = can(person, "fund.manage_fund")
    is_supplier = services.works_for(person, found.supplier_id)
    if not (runs or pays or is_supplier):
        raise NotFound()
    form = MilestoneForm(request.POST if request.POST.get("action") == "add" else None)
    outcomes = OutcomesForm(
        request.POST if request.POST.get("action") == "outcomes" else None,
        person=person,
        initial={"indicators": list(found.outcome_indicators.values_list("slug", flat=True))},
    )
    if request.method == "POST":
        action = request.POST.get("action")
        chosen = request.POST.get("milestone") or ""
        milestone = found.milestones.filter(pk=int(chosen)).first() if chosen.isdigit() else None
        try:
            if action == "outcomes" and outcomes.is_valid():
                services.link_outcomes(
                    actor=person,
                    contract=found,
                    indicators=outcomes.cleaned_data.get("indicators") or [],
                )
                messages.success(request, _("Outcome measures saved."))
                return redirect("procurement:contract", pk=pk)
            if action == "add" and form.is_valid():
                services.add_milestone(
                    actor=person,
                    contract=found,
                    title_en=form.cleaned_data.get("title_en") or "",
                    title_cy=form.cleaned_data.get("title_cy") or "",
                    due_on=form.cleaned_data["due_on"],
                    amount_pence=int(form.cleaned_data.get("amount") or 0),
                )
                messages.success(request, _("Milestone added."))
                return redirect("procurement:contract", pk=pk)
            if action == "accept" and milestone:
                services.accept_milestone(actor=person, milestone=milestone)
                messages.success(request, _("Milestone accepted: it can be paid now."))
                return redirect("procurement:contract", pk=pk)
            if action == "pay" and milestone:
                services.pay_milestone(actor=person, milestone=milestone)
                messages.success(request, _("Payment recorded."))
                return redirect("procurement:contract", pk=pk)
        except (InvalidInput, Conflict) as error:
            if action == "add":
                _problems(form, error)
            else:
                messages.error(request, str(error.message))
                return redirect("procurement:contract", pk=pk)
    return render(
        request,
        "procurement/contract.html",
        {
            "contract": found,
            "phase": found.award.phase,
            "challenge": found.award.phase.challenge,
            "milestones": found.milestones.select_related("payment"),
            "commitment": getattr(found, "commitment", None),
            "form": form,
            "outcomes": outcomes,
            "indicators": found.outcome_indicators.all(),
            "runs": runs,
            "pays": pays,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def feedback(request: HttpRequest, pk: int) -> HttpResponse:
    found = Bid.objects.select_related("phase__challenge", "supplier").filter(pk=pk).first()
    if found is None:
        raise NotFound()
    told = services.feedback(actor=request.user, bid=found)
    if request.GET.get("format") == "pdf" or request.path.endswith(".pdf"):
        from django.utils.translation import get_language

        from infuse.core.pdf import render_pdf

        data = render_pdf(
            "procurement/feedback_print.html",
            {"feedback": told, "language": get_language() or "en", "generated_at": timezone.now()},
            css_template="adaption/report_print.css",
            base_url=request.build_absolute_uri("/"),
        )
        response = HttpResponse(data, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="feedback-{found.pk}.pdf"'
        return response
    return render(
        request,
        "procurement/feedback.html",
        {"feedback": told, "phase": found.phase, "challenge": found.phase.challenge},
    )
