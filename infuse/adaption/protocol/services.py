"""Use cases of the protocol: registering it (frozen with its SHA-256 digest and time, which
moves the experiment to registered) and amending it (a new version with its reason; earlier
versions stay exactly as registered)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from infuse.adaption.models import Experiment, Outcome, Protocol, Status
from infuse.adaption.protocol.content import answer_problems, protocol_digest
from infuse.adaption.protocol.schemas import ANSWERS, ProtocolIn
from infuse.adaption.registry.lifecycle import check_transition
from infuse.adaption.registry.schemas import OutcomeIO
from infuse.adaption.registry.services import locked_for, record_move
from infuse.adaption.registry.steps import announce_next
from infuse.core import audit
from infuse.core.errors import Conflict, FieldProblem, InvalidInput, PermissionDenied
from infuse.core.models import Person
from infuse.core.permissions import can


def _content(experiment: Experiment, protocol_in: ProtocolIn) -> dict[str, Any]:
    """The registered content: the protocol's answers and the entry they are about."""
    return {
        "experiment": experiment.slug,
        "title": {"en": experiment.title_en, "cy": experiment.title_cy or ""},
        "design": experiment.design,
        "councils": sorted(c.gss_code for c in experiment.councils.all()),
        "outcomes": [
            OutcomeIO.of(o).model_dump()
            for o in experiment.outcomes.select_related("dataset", "indicator")
        ],
        "design_parameters": experiment.design_parameters,
        **protocol_in.answers(),
    }


def register_protocol(
    *, actor: Person, experiment: Experiment, protocol_in: ProtocolIn
) -> Protocol:
    """Freeze the protocol (version 1, SHA-256, time) and move the experiment to registered."""
    if not can(actor, "adaption.change_experiment", experiment):
        raise PermissionDenied()
    check_transition(experiment.status, "register")
    problems = answer_problems(protocol_in, randomised=experiment.is_randomised)
    if not experiment.outcomes.filter(kind=Outcome.Kind.PRIMARY).exists():
        problems.append(FieldProblem("outcomes", _("Name the primary outcome before registering")))
    if problems:
        raise InvalidInput(problems=problems)
    with transaction.atomic():
        locked, step = locked_for(experiment, "register")
        content = _content(locked, protocol_in)
        protocol = Protocol.objects.create(
            experiment=locked,
            version=1,
            content=content,
            sha256=protocol_digest(content),
            registered_by=actor,
        )
        record_move(
            actor=actor,
            experiment=locked,
            step=step,
            action="experiment.registered",
            protocol=1,
            sha256=protocol.sha256,
        )
        experiment.refresh_from_db()
        announce_next(actor, experiment)  # the analysts, to randomise
    return protocol


def amend_protocol(*, actor: Person, experiment: Experiment, protocol_in: ProtocolIn) -> Protocol:
    """A new protocol version with its reason; earlier versions stay exactly as registered."""
    if not can(actor, "adaption.change_experiment", experiment):
        raise PermissionDenied()
    latest = experiment.latest_protocol
    if latest is None:
        raise Conflict(_("Register the protocol before amending it."))
    if experiment.status == Status.CLOSED:
        raise Conflict(_("A closed experiment's protocol cannot be amended."))
    problems = answer_problems(protocol_in, randomised=experiment.is_randomised)
    if not protocol_in.reason.strip():
        problems.append(FieldProblem("reason", _("Say why the protocol is amended")))
    if problems:
        raise InvalidInput(problems=problems)
    # The Welsh answers are replaced as a whole: one left empty in the amendment is removed.
    kept = {k: v for k, v in latest.content.items() if k.removesuffix("_cy") not in ANSWERS}
    content = {**kept, **protocol_in.answers()}
    rerandomise = protocol_in.allows_rerandomisation
    if content == latest.content and not rerandomise:
        raise InvalidInput(problems=[FieldProblem("reason", _("The amendment changes nothing"))])
    with transaction.atomic():
        protocol = Protocol.objects.create(
            experiment=experiment,
            version=latest.version + 1,
            content=content,
            sha256=protocol_digest(content),
            reason=protocol_in.reason.strip(),
            allows_rerandomisation=rerandomise,
            registered_by=actor,
        )
        audit.record_event(
            actor=actor,
            action="experiment.protocol_amended",
            obj=experiment,
            before={"protocol": latest.version, "sha256": latest.sha256},
            after={
                "protocol": protocol.version,
                "sha256": protocol.sha256,
                "reason": protocol.reason,
                "allows_rerandomisation": rerandomise,
            },
        )
    return protocol


def save_protocol(*, actor: Person, experiment: Experiment, protocol_in: ProtocolIn) -> Protocol:
    """What the protocol page, the API and the CLI do: register the protocol, or amend it once
    it is registered (the amendment needs ``protocol_in.reason``)."""
    if experiment.latest_protocol is None:
        return register_protocol(actor=actor, experiment=experiment, protocol_in=protocol_in)
    return amend_protocol(actor=actor, experiment=experiment, protocol_in=protocol_in)
