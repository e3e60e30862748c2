"""The registry's JSON endpoints: the learning library, an experiment's entry, its outcomes and
its moves. Thin: each receives the use case's schema and makes one service call."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from infuse.adaption.models import Experiment
from infuse.adaption.registry import services
from infuse.adaption.registry.schemas import ExperimentIn, ExperimentOut, LibraryQuery, OutcomeIO
from infuse.core.api_auth import OPTIONAL_AUTH, caller
from infuse.core.schemas import PROBLEMS, ProblemOut

router = Router()
# The problem details every changing endpoint of the lab may answer with.


def experiment_for(request: HttpRequest, slug: str) -> tuple[Any, Experiment]:
    """The caller and the experiment ``slug`` as they may see it (404 otherwise)."""
    actor = caller(request)
    return actor, services.get_experiment(actor=actor, slug=slug)


@router.get(
    "/experiments", response=list[ExperimentOut], auth=OPTIONAL_AUTH, summary="The learning library"
)
def list_experiments(request: HttpRequest, filters: Query[LibraryQuery]) -> list[ExperimentOut]:
    found = services.search_experiments(caller(request), filters)
    return [
        ExperimentOut.of(e) for e in found.prefetch_related("themes", "goals", "councils")[:500]
    ]


@router.post(
    "/experiments", response={201: ExperimentOut, **PROBLEMS}, summary="Add an experiment (a draft)"
)
def create_experiment(request: HttpRequest, payload: ExperimentIn) -> Status[ExperimentOut]:
    experiment = services.create_experiment(actor=caller(request), experiment_in=payload)
    return Status(201, ExperimentOut.of(experiment))


@router.get(
    "/experiments/{slug}",
    response={200: ExperimentOut, 404: ProblemOut},
    auth=OPTIONAL_AUTH,
    summary="One experiment",
)
def get_experiment(request: HttpRequest, slug: str) -> ExperimentOut:
    return ExperimentOut.of(experiment_for(request, slug)[1])


@router.put(
    "/experiments/{slug}",
    response={200: ExperimentOut, **PROBLEMS},
    summary="Change a draft or designed entry",
)
def update_experiment(request: HttpRequest, slug: str, payload: ExperimentIn) -> ExperimentOut:
    actor, experiment = experiment_for(request, slug)
    return ExperimentOut.of(
        services.update_experiment(actor=actor, experiment=experiment, experiment_in=payload)
    )


@router.put(
    "/experiments/{slug}/outcomes",
    response={200: ExperimentOut, **PROBLEMS},
    summary="Replace the outcomes",
)
def set_outcomes(request: HttpRequest, slug: str, payload: list[OutcomeIO]) -> ExperimentOut:
    actor, experiment = experiment_for(request, slug)
    services.set_outcomes(actor=actor, experiment=experiment, outcomes=payload)
    return ExperimentOut.of(experiment)


@router.post(
    "/experiments/{slug}/transitions/{name}",
    response={200: ExperimentOut, **PROBLEMS},
    summary="Move along the lifecycle (design, redraft, launch, analyse, decide, scale, close)",
)
def move_experiment(request: HttpRequest, slug: str, name: str) -> ExperimentOut:
    actor, experiment = experiment_for(request, slug)
    return ExperimentOut.of(services.move(actor=actor, experiment=experiment, transition=name))
