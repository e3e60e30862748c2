"""The analysis's JSON endpoints: attach outcome data (the analysis runs as a task), and read
the latest analysis with its result."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from infuse.adaption.analysis import services
from infuse.adaption.analysis.schemas import AnalysisOut, AttachIn
from infuse.adaption.registry.api import experiment_for
from infuse.core.api_auth import OPTIONAL_AUTH
from infuse.core.schemas import PROBLEMS, ProblemOut

router = Router()


@router.post(
    "/experiments/{slug}/analyses",
    response={202: AnalysisOut, **PROBLEMS},
    summary="Attach outcome data (a dataset and column mapping); the analysis runs as a task",
)
def attach_data(request: HttpRequest, slug: str, payload: AttachIn) -> Status[AnalysisOut]:
    actor, experiment = experiment_for(request, slug)
    run = services.attach_data(actor=actor, experiment=experiment, attach_in=payload)
    return Status(202, AnalysisOut.of(run))


@router.get(
    "/experiments/{slug}/analyses/latest",
    response={200: AnalysisOut, 404: ProblemOut},
    auth=OPTIONAL_AUTH,
    summary="The latest analysis and its result",
)
def get_analysis(request: HttpRequest, slug: str) -> AnalysisOut:
    actor, experiment = experiment_for(request, slug)
    return AnalysisOut.of(services.get_analysis(actor=actor, experiment=experiment))
