"""The randomisation's JSON endpoints: randomise once, and read the allocation."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from infuse.adaption.randomisation import services
from infuse.adaption.randomisation.schemas import AllocationOut, RandomiseIn
from infuse.adaption.registry.api import experiment_for
from infuse.core.api_auth import OPTIONAL_AUTH
from infuse.core.schemas import PROBLEMS

router = Router()


@router.post(
    "/experiments/{slug}/randomise",
    response={201: AllocationOut, **PROBLEMS},
    summary="Randomise once, with a stored seed (analysts of the owning organisation)",
)
def randomise(request: HttpRequest, slug: str, payload: RandomiseIn) -> Status[AllocationOut]:
    actor, experiment = experiment_for(request, slug)
    allocation = services.randomise(actor=actor, experiment=experiment, randomise_in=payload)
    return Status(201, AllocationOut.of(allocation))


@router.get(
    "/experiments/{slug}/allocation",
    response={200: AllocationOut, **PROBLEMS},
    auth=OPTIONAL_AUTH,
    summary="The allocation (hidden from those delivering until launch)",
)
def get_allocation(request: HttpRequest, slug: str) -> AllocationOut:
    actor, experiment = experiment_for(request, slug)
    return AllocationOut.of(services.get_allocation(actor=actor, experiment=experiment))
