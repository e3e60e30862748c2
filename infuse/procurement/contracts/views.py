"""Pages after the evaluation: the award (decided, then confirmed into contracts after the
standstill, or cancelled), and a contract's milestones and outcome measures."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from infuse.core.errors import NotFound, PermissionDenied
from infuse.core.lookups import find
from infuse.core.money import pounds
from infuse.core.pages import ask_page, confirm_page, form_page
from infuse.core.permissions import can, is_region_member, person_of
from infuse.fund import services as fund
from infuse.procurement import cpv
from infuse.procurement.challenges.services import phase_at, require_runs, runs
from infuse.procurement.contracts import outcome_evaluation, outcome_words, services
from infuse.procurement.contracts.forms import (
    CloseForm,
    ContractTermsForm,
    CpvForm,
    EvaluationForm,
    MilestoneForm,
    OutcomesForm,
)
from infuse.procurement.contracts.steps import contract_steps
from infuse.procurement.evaluation import services as evaluation
from infuse.procurement.evaluation.forms import AwardCancelForm, AwardForm
from infuse.procurement.models import Award, Contract, Milestone, Phase
from infuse.procurement.social_value import queries as social_value
from infuse.procurement.social_value.quantities import shown
from infuse.procurement.social_value.services import reports_at, reports_version
from infuse.procurement.suppliers.services import works_for


def _award_url(phase: Phase) -> str:
    return reverse(
        "procurement:award", kwargs={"slug": phase.challenge.slug, "number": phase.number}
    )


def _award_context(phase: Phase) -> dict[str, Any]:
    """The award page; the form a refused POST sent replaces its blank twin (form_page)."""
    decided = phase.current_award()
    winners = list(decided.winners.select_related("supplier")) if decided else []
    return {
        "phase": phase,
        "challenge": phase.challenge,
        "award": decided,
        "award_form": AwardForm(),
        "terms_form": ContractTermsForm(winners=winners),
        "cancel_form": AwardCancelForm(),
        "winners": winners,
        "standstill_over": decided is not None and timezone.now() >= decided.standstill_ends_at,
        "contracts": decided.contracts.select_related("supplier") if decided else [],
    }


def _running_phase(request: HttpRequest, slug: str, number: int) -> Phase:
    phase = phase_at(actor=request.user, slug=slug, number=number)
    require_runs(request.user, phase.challenge)
    return phase


@login_required
@require_http_methods(["GET", "POST"])
def award(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """The award page; a POST decides the award (with the reasons) and starts the standstill."""
    person = person_of(request)
    phase = _running_phase(request, slug, number)
    form = AwardForm(request.POST or None)
    return form_page(
        request,
        form,
        template="procurement/award.html",
        save=lambda form: evaluation.award_phase(
            actor=person, phase=phase, award_in=form.to_schema()
        ),
        success=_("Award decided. The standstill period has started."),
        then=_award_url(phase),
        context=lambda: _award_context(phase),
        form_name="award_form",
    )


def _decided(phase: Phase) -> Award:
    decided = phase.current_award()
    if decided is None:
        raise NotFound()
    return decided


@login_required
@require_POST
def award_confirm(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """After the standstill: the contract dates of each winner; contracts made, money committed."""
    person = person_of(request)
    phase = _running_phase(request, slug, number)
    decided = _decided(phase)
    form = ContractTermsForm(request.POST, winners=list(decided.winners.select_related("supplier")))
    return form_page(
        request,
        form,
        template="procurement/award.html",
        save=lambda form: services.confirm_award(actor=person, award=decided, terms=form.terms()),
        success=_("Award confirmed: contracts made and money committed."),
        then=lambda contracts: reverse("procurement:contract", kwargs={"pk": contracts[0].pk}),
        context=lambda: _award_context(phase),
        form_name="terms_form",
    )


@login_required
@require_POST
def award_cancel(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    person = person_of(request)
    phase = _running_phase(request, slug, number)
    decided = _decided(phase)
    form = AwardCancelForm(request.POST)
    return form_page(
        request,
        form,
        template="procurement/award.html",
        save=lambda form: evaluation.cancel_award(
            actor=person, award=decided, cancel_in=form.to_schema()
        ),
        success=_("The award is cancelled; the evaluation is open again."),
        then=reverse("procurement:evaluation", kwargs={"slug": slug, "number": number}),
        context=lambda: _award_context(phase),
        form_name="cancel_form",
    )


# --- Contracts ----------------------------------------------------------------------------------


def _contract_url(contract: Contract) -> str:
    return reverse("procurement:contract", kwargs={"pk": contract.pk})


def _contract_context(request: HttpRequest, found: Contract) -> dict[str, Any]:
    """The contract page; the form a refused POST sent replaces its blank twin (form_page)."""
    person = person_of(request)
    reported = social_value.reported_lines(found)
    return {
        "contract": found,
        "phase": found.award.phase,
        "challenge": found.award.phase.challenge,
        "milestones": found.milestones.select_related("payment"),
        "commitment": getattr(found, "commitment", None),
        "form": MilestoneForm(),
        "outcomes": OutcomesForm(
            person=person,
            initial={"indicators": list(found.outcome_indicators.values_list("slug", flat=True))},
        ),
        "indicators": found.outcome_indicators.all(),
        "runs": runs(person, found.award.phase.challenge),
        "pays": can(person, "fund.manage_fund"),
        "evaluation": EvaluationForm(indicators=found.outcome_indicators.all()),
        "evaluations": [
            (e, outcome_words.describe(e), outcome_words.problem(e))
            for e in outcome_evaluation.latest_runs(found)
        ],
        "tasks": contract_steps(person, found) if is_region_member(person) else None,
        "social_value": social_value.by_goal(social_value.contract_lines(found)),
        "reported_lines": reported,
        "reported_milestones": {line.milestone.pk for line in reported},
        "reports_social_value": works_for(person, found.supplier_id)
        and found.status == Contract.Status.ACTIVE
        and found.kpis.exists(),
        "cpv": [cpv.described(code) for code in found.cpv_codes],
        "cpv_form": CpvForm(initial={"cpv_codes": ", ".join(found.cpv_codes)}),
    }


@login_required
@require_GET
def contract(request: HttpRequest, pk: int) -> HttpResponse:
    """A contract's milestones: the buyer adds and accepts them, the fund manager pays them."""
    found = services.contract_for(actor=request.user, pk=pk)
    return render(request, "procurement/contract.html", _contract_context(request, found))


@login_required
@require_POST
def milestone_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_of(request)
    found = services.contract_for(actor=person, pk=pk)
    form = MilestoneForm(request.POST)
    return form_page(
        request,
        form,
        template="procurement/contract.html",
        save=lambda form: services.add_milestone(
            actor=person, contract=found, milestone_in=form.to_schema()
        ),
        success=_("Milestone added."),
        then=_contract_url(found),
        context=lambda: _contract_context(request, found),
    )


@login_required
@require_POST
def contract_outcomes(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_of(request)
    found = services.contract_for(actor=person, pk=pk)
    form = OutcomesForm(request.POST, person=person)
    return form_page(
        request,
        form,
        template="procurement/contract.html",
        save=lambda form: services.link_outcomes(
            actor=person, contract=found, indicators=form.slugs()
        ),
        success=_("Outcome measures saved."),
        then=_contract_url(found),
        context=lambda: _contract_context(request, found),
        form_name="outcomes",
    )


@login_required
@require_POST
def contract_cpv(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_of(request)
    found = services.contract_for(actor=person, pk=pk)
    return form_page(
        request,
        CpvForm(request.POST),
        template="procurement/contract.html",
        save=lambda form: services.set_cpv(
            actor=person, contract=found, codes=form.to_schema().codes
        ),
        success=_("CPV codes saved: the contract register and open data show them."),
        then=_contract_url(found) + "#what-it-buys",
        context=lambda: _contract_context(request, found),
        form_name="cpv_form",
    )


@login_required
@require_POST
def contract_evaluate(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue the evaluation of an outcome indicator; the contract's page shows its answer."""
    person = person_of(request)
    found = services.contract_for(actor=person, pk=pk)
    return form_page(
        request,
        EvaluationForm(request.POST, indicators=found.outcome_indicators.all()),
        template="procurement/contract.html",
        save=lambda form: outcome_evaluation.evaluate_outcome(
            actor=person, contract=found, evaluation_in=form.to_schema()
        ),
        success=_(
            "The evaluation has started. Its answer appears here, on the indicator's page and "
            "on what works when it is done."
        ),
        then=lambda started: reverse("task", kwargs={"progress_id": started.progress_id}),
        context=lambda: _contract_context(request, found),
        form_name="evaluation",
    )


def _milestone(request: HttpRequest, pk: int) -> Milestone:
    milestone = find(Milestone, pk)
    services.contract_for(actor=request.user, pk=milestone.contract_id)
    return milestone


def _social_value_consequences(milestone: Milestone) -> list[str]:
    """What accepting the work makes of the social value reported for it."""
    if not milestone.contract.kpis.exists():
        return []
    reported = [r for r in reports_at(milestone) if r.delivered > 0]
    if not reported:
        return [
            gettext(
                "Nothing has been reported against the contract's social value targets for "
                "this milestone. Once you accept the work nothing more can be reported for it: "
                "if the supplier has work to report, ask them first."
            )
        ]
    return [
        gettext("The social value reported for it counts as delivered: %(lines)s.")
        % {
            "lines": "; ".join(
                gettext("%(measure)s %(quantity)s (%(unit)s), checked by: %(evidence)s")
                % {
                    "measure": r.kpi.measure.title,
                    "quantity": shown(r.delivered, r.kpi.measure.unit),
                    "unit": r.kpi.measure.get_unit_display(),
                    "evidence": r.evidence,
                }
                for r in reported
            )
        }
    ]


@login_required
@require_http_methods(["GET", "POST"])
def milestone_accept(request: HttpRequest, pk: int) -> HttpResponse:
    """Accepting the work lets the fund pay it: the page says so before the button does it."""
    milestone = _milestone(request, pk)
    if not runs(person_of(request), milestone.contract.award.phase.challenge):
        raise PermissionDenied()
    return confirm_page(
        request,
        title=_("Accept the work of ‘%(milestone)s’?") % {"milestone": milestone.title},
        consequences=[
            _("The milestone is recorded as delivered to the standard the contract sets."),
            *_social_value_consequences(milestone),
            _("The fund managers can then pay %(amount)s to %(supplier)s.")
            % {"amount": pounds(milestone.amount_pence), "supplier": milestone.contract.supplier},
        ],
        button=_("Accept the work"),
        back=_contract_url(milestone.contract),
        run=lambda: services.accept_milestone(
            actor=person_of(request),
            milestone=milestone,
            reports_seen=request.POST.get("version"),
        ),
        success=_("Milestone accepted: it can be paid now."),
        then=_contract_url(milestone.contract) + "#milestones",
        check=lambda: services.check_acceptance(actor=person_of(request), milestone=milestone),
        # The supplier may change its report until the work is accepted: accept what was read.
        version=lambda: reports_version(milestone),
    )


@login_required
@require_http_methods(["GET", "POST"])
def milestone_pay(request: HttpRequest, pk: int) -> HttpResponse:
    """A payment leaves the fund for good: the page says what will be paid first."""
    milestone = _milestone(request, pk)
    if not can(person_of(request), "fund.manage_fund"):
        raise PermissionDenied()
    return confirm_page(
        request,
        title=_("Pay %(amount)s for ‘%(milestone)s’?")
        % {"amount": pounds(milestone.amount_pence), "milestone": milestone.title},
        consequences=[
            _(
                "The payment to %(supplier)s is drawn from the Challenge Fund money committed "
                "to this contract."
            )
            % {"supplier": milestone.contract.supplier},
            _("It is recorded as paid today and published in the contract's open data."),
        ],
        button=_("Record the payment"),
        back=_contract_url(milestone.contract),
        run=lambda: services.pay_milestone(actor=person_of(request), milestone=milestone),
        success=_("Payment recorded."),
        then=_contract_url(milestone.contract) + "#milestones",
        check=lambda: fund.check_payment(actor=person_of(request), milestone=milestone),
    )


@login_required
@require_http_methods(["GET", "POST"])
def contract_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Close a contract, completed or ended early: the page says what will happen first."""
    person = person_of(request)
    found = services.contract_for(actor=person, pk=pk)
    require_runs(person, found.award.phase.challenge)
    if found.status != Contract.Status.ACTIVE:
        messages.error(request, gettext("This contract has been closed already."))
        return redirect(_contract_url(found))
    return form_page(
        request,
        CloseForm(request.POST or None),
        template="procurement/contract_close.html",
        save=lambda form: services.close_contract(
            actor=person, contract=found, close_in=form.to_schema()
        ),
        success=lambda closed: (
            _("The contract is closed as completed.")
            if closed.status == Contract.Status.COMPLETE
            else _("The contract is closed as ended early.")
        ),
        then=_contract_url(found),
        context=lambda: {
            "contract": found,
            "challenge": found.award.phase.challenge,
            "phase": found.award.phase,
            "owed": services.owed(found),
            "unpaid": services.unpaid(found),
        },
    )


@login_required
@require_POST
def contract_ask(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask whoever the contract's next step waits on (the region's staff only)."""
    person = person_of(request)
    found = services.contract_for(actor=person, pk=pk)
    if not is_region_member(person):
        raise PermissionDenied()
    return ask_page(
        request,
        steps=lambda: contract_steps(person, found),
        what=lambda: (
            gettext("the contract for “%(challenge)s”")
            % {"challenge": found.award.phase.challenge.title}
        ),
        back=reverse("procurement:contract", kwargs={"pk": found.pk}),
        about=f"contract:{found.pk}",
    )
