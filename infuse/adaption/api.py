"""Adaption Lab JSON endpoints: thin wrappers over the services."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from infuse.adaption import services
from infuse.adaption.models import AnalysisRun, Experiment, Protocol
from infuse.adaption.schemas import (
    AllocationOut,
    AnalysisOut,
    AttachIn,
    DecisionIn,
    DecisionOut,
    DesignIn,
    DesignOut,
    ExperimentIn,
    ExperimentOut,
    HistoryPlanIn,
    OutcomeIO,
    ProtocolIn,
    ProtocolOut,
    QueuedOut,
    RandomiseIn,
    ScaleUpIn,
)
from infuse.core.api_auth import OPTIONAL_AUTH, caller
from infuse.core.errors import NotFound, PermissionDenied
from infuse.core.models import Organisation
from infuse.core.schemas import ProblemOut

router = Router(tags=["Adaption Lab"])
ERRORS: dict[int, Any] = {
    400: ProblemOut,
    401: ProblemOut,
    403: ProblemOut,
    404: ProblemOut,
    409: ProblemOut,
}


def experiment_out(experiment: Experiment) -> dict[str, Any]:
    return {
        "slug": experiment.slug,
        "title_en": experiment.title_en,
        "title_cy": experiment.title_cy or "",
        "owner": experiment.owner.slug,
        "design": experiment.design,
        "status": experiment.status,
        "public": experiment.public,
        "problem_en": experiment.problem_en or "",
        "hypothesis_en": experiment.hypothesis_en or "",
        "intervention_en": experiment.intervention_en or "",
        "councils": [c.gss_code for c in experiment.councils.all()],
        "themes": [t.code for t in experiment.themes.all()],
        "goals": [g.code for g in experiment.goals.all()],
        "ways_of_working": experiment.ways_of_working,
        "outcomes": [
            {
                "kind": o.kind,
                "name": o.name,
                "dataset": o.dataset.slug if o.dataset else "",
                "column": o.column,
                "indicator": o.indicator.slug if o.indicator else "",
            }
            for o in experiment.outcomes.select_related("dataset", "indicator")
        ],
        "design_parameters": experiment.design_parameters,
        "protocols": list(experiment.protocols.order_by("version")),
        "randomised": experiment.allocations.exists(),
    }


def _fields(payload: ExperimentIn) -> services.ExperimentFields:
    data = payload.dict()
    data["owner"] = Organisation.objects.filter(slug=payload.owner).first()
    return services.ExperimentFields(**data)


@router.get(
    "/experiments", response=list[ExperimentOut], auth=OPTIONAL_AUTH, summary="The learning library"
)
def list_experiments(
    request: HttpRequest,
    q: str = "",
    design: str = "",
    status: str = "",
    theme: str = "",
    goal: str = "",
    council: str = "",
    result: str = "",
) -> list[dict[str, Any]]:
    query = services.LibraryQuery(
        text=q,
        design=design,
        status=status,
        theme=theme,
        goal=goal,
        council=council,
        result=result,
    )
    found = services.search_experiments(caller(request), query)
    return [experiment_out(e) for e in found.prefetch_related("themes", "goals", "councils")[:500]]


@router.post(
    "/experiments", response={201: ExperimentOut, **ERRORS}, summary="Add an experiment (a draft)"
)
def create_experiment(request: HttpRequest, payload: ExperimentIn) -> Status[dict[str, Any]]:
    experiment = services.create_experiment(actor=caller(request), fields=_fields(payload))
    return Status(201, experiment_out(experiment))


@router.get(
    "/experiments/{slug}",
    response={200: ExperimentOut, 404: ProblemOut},
    auth=OPTIONAL_AUTH,
    summary="One experiment",
)
def get_experiment(request: HttpRequest, slug: str) -> dict[str, Any]:
    return experiment_out(services.get_experiment(actor=caller(request), slug=slug))


@router.put(
    "/experiments/{slug}",
    response={200: ExperimentOut, **ERRORS},
    summary="Change a draft or designed entry",
)
def update_experiment(request: HttpRequest, slug: str, payload: ExperimentIn) -> dict[str, Any]:
    actor = caller(request)
    experiment = services.get_experiment(actor=actor, slug=slug)
    return experiment_out(
        services.update_experiment(actor=actor, experiment=experiment, fields=_fields(payload))
    )


@router.put(
    "/experiments/{slug}/outcomes",
    response={200: ExperimentOut, **ERRORS},
    summary="Replace the outcomes",
)
def set_outcomes(request: HttpRequest, slug: str, payload: list[OutcomeIO]) -> dict[str, Any]:
    actor = caller(request)
    experiment = services.get_experiment(actor=actor, slug=slug)
    services.set_outcomes(
        actor=actor,
        experiment=experiment,
        outcomes=[services.OutcomeFields(**o.dict()) for o in payload],
    )
    return experiment_out(experiment)


@router.post(
    "/experiments/{slug}/transitions/{name}",
    response={200: ExperimentOut, **ERRORS},
    summary="Move along the lifecycle (design, redraft, launch, analyse, decide, scale, close)",
)
def move_experiment(request: HttpRequest, slug: str, name: str) -> dict[str, Any]:
    actor = caller(request)
    experiment = services.get_experiment(actor=actor, slug=slug)
    return experiment_out(services.move(actor=actor, experiment=experiment, transition=name))


@router.post(
    "/experiments/{slug}/design",
    response={200: DesignOut, **ERRORS},
    auth=OPTIONAL_AUTH,
    summary="Power, size or minimum detectable effect of a randomised design (save: its team)",
)
def calculate_design(request: HttpRequest, slug: str, payload: DesignIn) -> dict[str, Any]:
    from infuse.adaption.design import DesignInputs, calculate

    actor = caller(request)
    experiment = services.get_experiment(actor=actor, slug=slug)
    fields = payload.dict()
    save = fields.pop("save")
    inputs = DesignInputs(**fields)
    calculation = calculate(experiment.design, inputs, n_councils=experiment.councils.count())
    if save:
        if not getattr(actor, "is_authenticated", False):
            raise PermissionDenied()
        services.save_design(
            actor=actor,
            experiment=experiment,
            parameters=inputs.to_dict(),
            result=calculation.result,
        )
    return {
        "result": calculation.result,
        "size_label": calculation.size_label,
        "curve": [list(point) for point in calculation.curve],
        "schedule": calculation.schedule,
        "saved": save,
    }


@router.post(
    "/experiments/{slug}/design/simulation",
    response={202: QueuedOut, **ERRORS},
    summary="Check the saved design's power by simulation (a task; follow /tasks/{id})",
)
def simulate_design(request: HttpRequest, slug: str) -> Status[dict[str, Any]]:
    actor = caller(request)
    experiment = services.get_experiment(actor=actor, slug=slug)
    progress = services.queue_power_simulation(actor=actor, experiment=experiment)
    return Status(202, {"progress_id": str(progress.pk)})


@router.post(
    "/experiments/{slug}/design/history",
    response={202: QueuedOut, **ERRORS},
    summary="Plan a quasi-experiment from its outcome's past by placebo trials (a task)",
)
def plan_from_history(
    request: HttpRequest, slug: str, payload: HistoryPlanIn
) -> Status[dict[str, Any]]:
    from infuse.adaption.quasi_design import QuasiInputs

    actor = caller(request)
    experiment = services.get_experiment(actor=actor, slug=slug)
    fields = payload.dict()
    fields["effects"] = tuple(fields["effects"])
    progress = services.queue_history_plan(
        actor=actor, experiment=experiment, inputs=QuasiInputs(**fields)
    )
    return Status(202, {"progress_id": str(progress.pk)})


def protocol_out(protocol: Protocol) -> dict[str, Any]:
    return {
        "version": protocol.version,
        "sha256": protocol.sha256,
        "registered_at": protocol.registered_at,
        "reason": protocol.reason,
        "allows_rerandomisation": protocol.allows_rerandomisation,
        "content": protocol.content,
    }


@router.post(
    "/experiments/{slug}/protocol",
    response={201: ProtocolOut, **ERRORS},
    summary="Register the protocol (frozen, SHA-256), or amend it with a reason",
)
def register_protocol(
    request: HttpRequest, slug: str, payload: ProtocolIn
) -> Status[dict[str, Any]]:
    actor = caller(request)
    experiment = services.get_experiment(actor=actor, slug=slug)
    data = payload.dict()
    reason, rerandomise = data.pop("reason"), data.pop("allows_rerandomisation")
    fields = services.ProtocolFields(**data)
    if experiment.latest_protocol is None:
        protocol = services.register_protocol(actor=actor, experiment=experiment, fields=fields)
    else:
        protocol = services.amend_protocol(
            actor=actor,
            experiment=experiment,
            fields=fields,
            reason=reason,
            allows_rerandomisation=rerandomise,
        )
    return Status(201, protocol_out(protocol))


@router.get(
    "/experiments/{slug}/protocol/{version}",
    response={200: ProtocolOut, 404: ProblemOut},
    auth=OPTIONAL_AUTH,
    summary="One registered protocol version",
)
def get_protocol(request: HttpRequest, slug: str, version: int) -> dict[str, Any]:
    experiment = services.get_experiment(actor=caller(request), slug=slug)
    protocol = experiment.protocols.filter(version=version).first()
    if protocol is None:
        raise NotFound()
    return protocol_out(protocol)


def allocation_out(experiment: Experiment, actor: Any) -> dict[str, Any]:
    allocation = services.get_allocation(actor=actor, experiment=experiment)
    result = allocation.result
    return {
        "method": allocation.method,
        "seed": allocation.seed,
        "allocation_digest": allocation.allocation_digest,
        "inputs_digest": allocation.inputs_digest,
        "protocol_version": allocation.protocol.version,
        "created_at": allocation.created_at,
        "counts": result.get("counts", {}),
        "units": [str(u) for u in result["unit_ids"]],
        "arms": result["assignment"],
        "steps": result.get("steps"),
        "balance": allocation.balance,
    }


@router.post(
    "/experiments/{slug}/randomise",
    response={201: AllocationOut, **ERRORS},
    summary="Randomise once, with a stored seed (analysts of the owning organisation)",
)
def randomise(request: HttpRequest, slug: str, payload: RandomiseIn) -> Status[dict[str, Any]]:
    actor = caller(request)
    experiment = services.get_experiment(actor=actor, slug=slug)
    services.randomise(
        actor=actor, experiment=experiment, fields=services.RandomiseFields(**payload.dict())
    )
    return Status(201, allocation_out(experiment, actor))


@router.get(
    "/experiments/{slug}/allocation",
    response={200: AllocationOut, **ERRORS},
    auth=OPTIONAL_AUTH,
    summary="The allocation (hidden from those delivering until launch)",
)
def get_allocation(request: HttpRequest, slug: str) -> dict[str, Any]:
    actor = caller(request)
    experiment = services.get_experiment(actor=actor, slug=slug)
    return allocation_out(experiment, actor)


def analysis_out(run: AnalysisRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "state": run.state,
        "protocol_version": run.protocol.version,
        "dataset_version": run.dataset_version.number,
        "mapping": run.mapping,
        "result": run.result,
        "deviations": run.deviations,
        "error": run.error_text,
        "progress_id": str(run.progress_id) if run.progress_id else None,
    }


@router.post(
    "/experiments/{slug}/analyses",
    response={202: AnalysisOut, **ERRORS},
    summary="Attach outcome data (a dataset and column mapping); the analysis runs as a task",
)
def attach_data(request: HttpRequest, slug: str, payload: AttachIn) -> Status[dict[str, Any]]:
    actor = caller(request)
    experiment = services.get_experiment(actor=actor, slug=slug)
    run = services.attach_data(
        actor=actor, experiment=experiment, fields=services.MappingFields(**payload.dict())
    )
    return Status(202, analysis_out(run))


@router.get(
    "/experiments/{slug}/analyses/latest",
    response={200: AnalysisOut, 404: ProblemOut},
    auth=OPTIONAL_AUTH,
    summary="The latest analysis and its result",
)
def get_analysis(request: HttpRequest, slug: str) -> dict[str, Any]:
    actor = caller(request)
    experiment = services.get_experiment(actor=actor, slug=slug)
    return analysis_out(services.get_analysis(actor=actor, experiment=experiment))


@router.post(
    "/experiments/{slug}/decision",
    response={201: DecisionOut, **ERRORS},
    summary="Record the decision: scale, adapt or stop",
)
def decide(request: HttpRequest, slug: str, payload: DecisionIn) -> Status[Any]:
    actor = caller(request)
    experiment = services.get_experiment(actor=actor, slug=slug)
    decision = services.decide(
        actor=actor, experiment=experiment, fields=services.DecisionFields(**payload.dict())
    )
    return Status(201, decision)


@router.post(
    "/experiments/{slug}/scale-up",
    response={201: ExperimentOut, **ERRORS},
    summary="Turn a decision to scale into a new stepped-wedge experiment (councils in order)",
)
def scale_up(request: HttpRequest, slug: str, payload: ScaleUpIn) -> Status[dict[str, Any]]:
    actor = caller(request)
    experiment = services.get_experiment(actor=actor, slug=slug)
    child = services.scale_up(
        actor=actor,
        experiment=experiment,
        councils=payload.councils,
        title_en=payload.title_en,
        title_cy=payload.title_cy,
    )
    return Status(201, experiment_out(child))
