"""Pages of bids: a supplier's bid (answers, price and documents saved together in one form,
then checked and submitted on its own page; withdrawn), its sealed documents, and the
two-person opening."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from infuse.core.downloads import attachment
from infuse.core.errors import NotFound, PermissionDenied
from infuse.core.pages import action_page, confirm_page, form_page
from infuse.core.permissions import can, person_of
from infuse.procurement.bids import services
from infuse.procurement.bids.forms import BidForm
from infuse.procurement.bids.sealed import BidContent
from infuse.procurement.challenges.services import phase_at
from infuse.procurement.models import Bid, Criterion, Phase
from infuse.procurement.social_value.queries import promises
from infuse.procurement.social_value.services import offered_measures
from infuse.procurement.suppliers.services import supplier_of


def _bid_url(phase: Phase) -> str:
    return reverse("procurement:bid", kwargs={"slug": phase.challenge.slug, "number": phase.number})


def _check_url(phase: Phase) -> str:
    return reverse(
        "procurement:bid_check", kwargs={"slug": phase.challenge.slug, "number": phase.number}
    )


def _saved(bid: Bid) -> Any:
    if bid.submitted_at:
        return _("Your bid is submitted. You can change it until the deadline.")
    return _("Your bid is saved (not yet submitted).")


@login_required
@require_http_methods(["GET", "POST"])
def bid(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """The supplier's bid for a phase: answers, price and documents, saved or submitted."""
    person = person_of(request)
    phase = phase_at(actor=person, slug=slug, number=number)
    supplier_of(person)
    own = services.own_bid(actor=person, phase=phase)
    content = services.read_bid(actor=person, bid=own) if own else BidContent()
    form = BidForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        phase=phase,
        initial=BidForm.initial_of(content),
    )
    return form_page(
        request,
        form,
        template="procurement/bid.html",
        save=lambda form: services.save_bid(
            actor=person, phase=phase, bid_in=form.to_schema(), documents=form.documents()
        ),
        success=_saved,
        # "Continue" leads to the check page (submitting is done there); "Save" stays here.
        then=_check_url(phase) if request.POST.get("action") == "check" else _bid_url(phase),
        context={
            "phase": phase,
            "challenge": phase.challenge,
            "bid": own,
            "content": content,
            "promises": promises(content.commitments),
            "open": phase.state == Phase.State.OPEN,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def bid_check(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """Check your answers (GOV.UK): the stored bid as it will be submitted, each part with a
    link to change it; what is missing, linked to its field; then one button submits."""
    person = person_of(request)
    phase = phase_at(actor=person, slug=slug, number=number)
    own = services.own_bid(actor=person, phase=phase)
    if phase.state != Phase.State.OPEN:
        messages.error(request, _("This phase is not open for bids, so no bid can be submitted."))
        return redirect(_bid_url(phase))
    if own is None:
        messages.error(request, _("Write your bid first: there is nothing to check yet."))
        return redirect(_bid_url(phase))
    if request.method == "POST":
        if request.POST.get("checked") != own.updated_at.isoformat():
            messages.error(
                request,
                _("Your bid was saved again after you checked it. Check it again, then submit."),
            )
            return redirect(_check_url(phase))
        return action_page(
            request,
            run=lambda: services.submit_bid(actor=person, bid=own),
            success=_(
                "Your bid is submitted. It stays sealed until bids close; you can change or "
                "withdraw it until then. After the evaluation you will hear the outcome in your "
                "messages and by email."
            ),
            then=_bid_url(phase),
        )
    content = services.read_bid(actor=person, bid=own)
    criteria = phase.criteria.exclude(kind=Criterion.Kind.PRICE)
    return render(
        request,
        "procurement/bid_check.html",
        {
            "phase": phase,
            "challenge": phase.challenge,
            "content": content,
            "answers": [
                {"criterion": c, "answer": content.answers.get(str(c.pk), "")} for c in criteria
            ],
            "offered": offered_measures(phase),
            "promises": promises(content.commitments),
            "problems": services.missing_from(own),
            "bid_url": _bid_url(phase),
            "submitted": own.submitted_at,
            # What was checked: a submit refused if the bid was saved again meanwhile.
            "checked": own.updated_at.isoformat(),
        },
    )


@login_required
@require_POST
def bid_withdraw(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    person = person_of(request)
    phase = phase_at(actor=person, slug=slug, number=number)
    own = services.own_bid(actor=person, phase=phase)
    if own is None:
        raise NotFound()
    return action_page(
        request,
        run=lambda: services.withdraw_bid(actor=person, bid=own),
        success=_("Your bid is withdrawn. You can submit it again before the deadline."),
        then=_bid_url(phase),
    )


@login_required
@require_GET
def bid_document(request: HttpRequest, pk: int) -> HttpResponse:
    name, content_type, data = services.read_bid_document(actor=request.user, pk=pk)
    response = attachment(data, content_type or "application/octet-stream", name)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def opening(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """Ask to open the bids, or confirm another officer's asking: both say first what follows."""
    person = person_of(request)
    phase = phase_at(actor=person, slug=slug, number=number)
    if not can(person, "procurement.open_bids", phase.challenge):
        raise PermissionDenied()
    asked = getattr(phase, "opening", None)
    page = reverse("procurement:challenge", kwargs={"slug": slug})
    if asked is None:
        title, button = _("Ask to open the bids?"), _("Ask to open the bids")
        consequences = [
            _("A second, different procurement officer is asked to confirm."),
            _("Until they do, every bid stays sealed."),
        ]
    else:
        title, button = _("Open the bids?"), _("Confirm the opening")
        consequences = [
            _("Every bid is unsealed and the evaluation panel can score them."),
            _("Bids cannot be sealed again."),
        ]
    return confirm_page(
        request,
        title=title,
        consequences=consequences,
        button=button,
        back=page,
        run=lambda: services.open_bids(actor=person, phase=phase),
        success=lambda made: (
            _("The bids are open.")
            if made.confirmed_at
            else _("Opening asked for. A second authorised officer must confirm it.")
        ),
        then=f"{page}#phase-{phase.number}",
        irreversible=asked is not None,
        check=lambda: services.check_opening(actor=person, phase=phase),
    )
