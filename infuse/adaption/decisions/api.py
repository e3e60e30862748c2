"""The decisions' JSON endpoints: record the decision, and scale up a decision to scale."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from infuse.adaption.decisions import services
from infuse.adaption.decisions.schemas import DecisionIn, DecisionOut, ScaleUpIn
from infuse.adaption.registry.api import experiment_for
from infuse.adaption.registry.schemas import ExperimentOut
from infuse.core.schemas import PROBLEMS

router = Router()


@router.post(
    "/experiments/{slug}/decision",
    response={201: DecisionOut, **PROBLEMS},
    summary="Record the decision: scale, adapt or stop",
)
def decide(request: HttpRequest, slug: str, payload: DecisionIn) -> Status[DecisionOut]:
    actor, experiment = experiment_for(request, slug)
    decision = services.decide(actor=actor, experiment=experiment, decision_in=payload)
    return Status(201, DecisionOut.from_orm(decision))


@router.post(
    "/experiments/{slug}/scale-up",
    response={201: ExperimentOut, **PROBLEMS},
    summary="Turn a decision to scale into a new stepped-wedge experiment (councils in order)",
)
def scale_up(request: HttpRequest, slug: str, payload: ScaleUpIn) -> Status[ExperimentOut]:
    actor, experiment = experiment_for(request, slug)
    child = services.scale_up(actor=actor, experiment=experiment, scale_up_in=payload)
    return Status(201, ExperimentOut.of(child))
