"""The protocol's JSON endpoints: register it (or amend it), and read a registered version."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from infuse.adaption.protocol import services
from infuse.adaption.protocol.schemas import ProtocolIn, ProtocolOut
from infuse.adaption.registry.api import experiment_for
from infuse.core.api_auth import OPTIONAL_AUTH
from infuse.core.errors import NotFound
from infuse.core.schemas import PROBLEMS, ProblemOut

router = Router()


@router.post(
    "/experiments/{slug}/protocol",
    response={201: ProtocolOut, **PROBLEMS},
    summary="Register the protocol (frozen, SHA-256), or amend it with a reason",
)
def register_protocol(request: HttpRequest, slug: str, payload: ProtocolIn) -> Status[ProtocolOut]:
    actor, experiment = experiment_for(request, slug)
    protocol = services.save_protocol(actor=actor, experiment=experiment, protocol_in=payload)
    return Status(201, ProtocolOut.from_orm(protocol))


@router.get(
    "/experiments/{slug}/protocol/{version}",
    response={200: ProtocolOut, 404: ProblemOut},
    auth=OPTIONAL_AUTH,
    summary="One registered protocol version",
)
def get_protocol(request: HttpRequest, slug: str, version: int) -> ProtocolOut:
    _actor, experiment = experiment_for(request, slug)
    protocol = experiment.protocols.filter(version=version).first()
    if protocol is None:
        raise NotFound()
    return ProtocolOut.from_orm(protocol)
