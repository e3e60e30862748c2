"""Pages of suppliers: registration (signed in after), inviting colleagues, joining by an
invitation link, and the organisation's bids."""

from __future__ import annotations

from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from infuse.core import confirmation, ratelimit
from infuse.core.models import Person
from infuse.core.pages import form_page
from infuse.core.permissions import person_of
from infuse.procurement.suppliers import services
from infuse.procurement.suppliers.forms import InviteForm, JoinForm, SupplierRegistrationForm

SIGN_IN_BACKEND = "django.contrib.auth.backends.ModelBackend"


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """A supplier registers its organisation and its first person, then is signed in."""

    def save(form: SupplierRegistrationForm) -> Person:
        ratelimit.check(request, "register")
        person = services.register_supplier(
            supplier_in=form.to_schema(), confirm_url=confirmation.absolute_links(request)
        )
        login(request, person, backend=SIGN_IN_BACKEND)
        return person

    return form_page(
        request,
        SupplierRegistrationForm(request.POST or None),
        template="procurement/register.html",
        save=save,
        success=_(
            "Your organisation is registered. We have emailed you a link: open it to confirm "
            "your email address, then you can bid."
        ),
        then="procurement:index",
    )


@login_required
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest) -> HttpResponse:
    person = person_of(request)
    organisation = services.supplier_of(person)
    return form_page(
        request,
        InviteForm(request.POST or None),
        template="procurement/invite.html",
        save=lambda form: services.invite_colleague(
            actor=person,
            invitation_in=form.to_schema(),
            join_url=lambda token: request.build_absolute_uri(
                reverse("procurement:join", kwargs={"token": token})
            ),
        ),
        success=_("Invitation sent."),
        then="procurement:invite",
        context={"organisation": organisation},
    )


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, token: str) -> HttpResponse:
    def save(form: JoinForm) -> Person:
        person = services.accept_invitation(
            token=token, join_in=form.to_schema(), actor=request.user
        )
        if not request.user.is_authenticated:  # a new account, made with this password
            login(request, person, backend=SIGN_IN_BACKEND)
        return person

    return form_page(
        request,
        JoinForm(request.POST or None),
        template="procurement/join.html",
        save=save,
        success=_("You have joined your organisation on InFuSe."),
        then="procurement:index",
    )


@login_required
@require_GET
def my_bids(request: HttpRequest) -> HttpResponse:
    organisation, bids = services.supplier_bids(actor=person_of(request))
    return render(
        request,
        "procurement/my_bids.html",
        {"organisation": organisation, "bids": bids, "now": timezone.now()},
    )
