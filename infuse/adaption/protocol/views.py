"""Pages of the protocol: registering it (or amending it, once registered) and each registered
version, frozen, with what changed from the one before."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from infuse.adaption.models import Protocol
from infuse.adaption.protocol import services
from infuse.adaption.protocol.content import answers_shown, protocol_changes
from infuse.adaption.protocol.forms import ProtocolForm
from infuse.adaption.protocol.schemas import ProtocolIn
from infuse.adaption.registry.services import get_experiment
from infuse.adaption.registry.views import posted, team_page
from infuse.core.errors import NotFound
from infuse.core.pages import form_page


def _protocol_url(protocol: Protocol) -> str:
    return reverse(
        "adaption:protocol",
        kwargs={"slug": protocol.experiment.slug, "version": protocol.version},
    )


@login_required
@require_http_methods(["GET", "POST"])
def protocol_register(request: HttpRequest, slug: str) -> HttpResponse:
    """Register the protocol (a designed experiment) or amend it (a registered one)."""
    person, experiment = team_page(request, slug)
    latest = experiment.latest_protocol
    form = ProtocolForm(
        posted(request),
        randomised=experiment.is_randomised,
        amending=latest is not None,
        initial=ProtocolForm.initial_from(ProtocolIn.of(latest)) if latest else {},
    )
    return form_page(
        request,
        form,
        template="adaption/protocol_form.html",
        save=lambda form: services.save_protocol(
            actor=person, experiment=experiment, protocol_in=form.to_schema()
        ),
        success=lambda protocol: (
            _("Protocol version %(version)s registered: SHA-256 %(digest)s")
            % {"version": protocol.version, "digest": protocol.sha256}
        ),
        then=_protocol_url,
        context={"experiment": experiment, "amending": latest is not None, "latest": latest},
    )


@require_GET
def protocol_detail(request: HttpRequest, slug: str, version: int) -> HttpResponse:
    """One registered version, frozen, with what changed from the one before."""
    experiment = get_experiment(actor=request.user, slug=slug)
    protocol = experiment.protocols.filter(version=version).first()
    if protocol is None:
        raise NotFound()
    previous = experiment.protocols.filter(version=version - 1).first()
    return render(
        request,
        "adaption/protocol.html",
        {
            "experiment": experiment,
            "protocol": protocol,
            "answers": answers_shown(protocol.content),
            "previous": previous,
            "changes": protocol_changes(previous, protocol) if previous else [],
            "versions": experiment.protocols.order_by("version"),
        },
    )
