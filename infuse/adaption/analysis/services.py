"""Use cases of the analysis: attach outcome data (a Data Lab dataset's latest version and
which column holds what) and queue the registered analysis, and read the latest analysis."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from infuse.adaption.analysis.deviations import protocol_deviations
from infuse.adaption.analysis.schemas import AttachIn
from infuse.adaption.analysis.tasks import run_analysis
from infuse.adaption.models import RANDOMISED, AnalysisRun, Experiment, Protocol, Status
from infuse.adaption.registry.outcome_data import latest_version, unknown_columns
from infuse.core import audit
from infuse.core.errors import Conflict, FieldProblem, InvalidInput, NotFound, PermissionDenied
from infuse.core.models import Person, TaskProgress
from infuse.core.permissions import can
from infuse.core.progress import enqueue_tracked


def _protocol_to_follow(actor: Person, experiment: Experiment, attach_in: AttachIn) -> Protocol:
    """The protocol the analysis follows, once outcome data may be attached."""
    if not can(actor, "adaption.change_experiment", experiment):
        raise PermissionDenied()
    if experiment.status not in (Status.RUNNING, Status.ANALYSED):
        raise Conflict(_("Attach outcome data once the experiment is running."))
    if experiment.design in RANDOMISED and experiment.latest_allocation is None:
        raise Conflict(_("The analysis needs a randomised design and its allocation."))
    if experiment.design not in RANDOMISED and not attach_in.start.strip():
        message = _("Give the first period of the intervention as a number")
        raise InvalidInput(problems=[FieldProblem("start", message)])
    protocol = experiment.latest_protocol
    assert protocol is not None
    return protocol


def _column_problems(version: Any, attach_in: AttachIn) -> list[FieldProblem]:
    problems = unknown_columns(
        version,
        [
            *(
                (name, getattr(attach_in, name))
                for name in ("outcome", "unit", "arm", "cluster", "period")
            ),
            *(("secondary", c) for c in [*attach_in.secondary, *attach_in.covariates]),
        ],
    )
    if not attach_in.outcome:
        message = _("Choose the column with the primary outcome")
        problems.append(FieldProblem("outcome", message))
    return problems


def attach_data(*, actor: Person, experiment: Experiment, attach_in: AttachIn) -> AnalysisRun:
    """Attach outcome data (a Data Lab dataset's latest version) and queue the analysis."""
    protocol = _protocol_to_follow(actor, experiment, attach_in)
    dataset, version = latest_version(actor, attach_in.dataset)
    problems = _column_problems(version, attach_in)
    if problems:
        raise InvalidInput(problems=problems)
    mapping = attach_in.mapping()
    with transaction.atomic():
        progress = TaskProgress.objects.create(
            kind="adaption.analysis",
            owner=actor,
            subject_view="adaption:results",
            subject_kwargs={"slug": experiment.slug},
        )
        run = AnalysisRun.objects.create(
            experiment=experiment,
            protocol=protocol,
            dataset_version=version,
            mapping=mapping,
            deviations=protocol_deviations(protocol.content, mapping, dataset.slug),
            progress=progress,
            created_by=actor,
        )
        enqueue_tracked(progress, run_analysis, run.pk, str(progress.pk))
        audit.record_event(
            actor=actor,
            action="experiment.data_attached",
            obj=experiment,
            after={
                "analysis": run.pk,
                "dataset": dataset.slug,
                "version": version.number,
                "sha256": version.sha256,
                "mapping": mapping,
                "protocol": protocol.version,
            },
        )
    return run


def get_analysis(*, actor: Any, experiment: Experiment) -> AnalysisRun:
    """The latest analysis (results follow the experiment's visibility)."""
    run = experiment.analyses.select_related("protocol", "dataset_version").first()
    if run is None:
        raise NotFound()
    return run
