"""The design's JSON endpoints: work a randomised design out (and keep it), check it by
simulation, plan a quasi-experiment from its outcome's past."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from infuse.adaption.design import services
from infuse.adaption.design.schemas import DesignIn, DesignOut, HistoryPlanIn, QueuedOut
from infuse.adaption.registry.api import experiment_for
from infuse.core.api_auth import OPTIONAL_AUTH
from infuse.core.schemas import PROBLEMS

router = Router()


@router.post(
    "/experiments/{slug}/design",
    response={200: DesignOut, **PROBLEMS},
    auth=OPTIONAL_AUTH,
    summary="Power, size or minimum detectable effect of a randomised design (save: its team)",
)
def calculate_design(request: HttpRequest, slug: str, payload: DesignIn) -> DesignOut:
    actor, experiment = experiment_for(request, slug)
    return services.calculate_design(actor=actor, experiment=experiment, design_in=payload).out()


@router.post(
    "/experiments/{slug}/design/simulation",
    response={202: QueuedOut, **PROBLEMS},
    summary="Check the saved design's power by simulation (a task; follow /tasks/{id})",
)
def simulate_design(request: HttpRequest, slug: str) -> Status[QueuedOut]:
    actor, experiment = experiment_for(request, slug)
    progress = services.queue_power_simulation(actor=actor, experiment=experiment)
    return Status(202, QueuedOut(progress_id=str(progress.pk)))


@router.post(
    "/experiments/{slug}/design/history",
    response={202: QueuedOut, **PROBLEMS},
    summary="Plan a quasi-experiment from its outcome's past by placebo trials (a task)",
)
def plan_from_history(request: HttpRequest, slug: str, payload: HistoryPlanIn) -> Status[QueuedOut]:
    actor, experiment = experiment_for(request, slug)
    progress = services.queue_history_plan(actor=actor, experiment=experiment, plan_in=payload)
    return Status(202, QueuedOut(progress_id=str(progress.pk)))
