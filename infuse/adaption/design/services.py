"""Use cases of the design: a randomised design's power, size or smallest detectable effect
(worked out for anyone who may read the experiment, kept by its team), its check by simulation,
and a quasi-experiment's plan from its outcome's past. The long work runs as background tasks
that report progress; the design page follows them."""

from __future__ import annotations

import secrets
from dataclasses import replace
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from infuse.adaption.design.history import load_history
from infuse.adaption.design.power import Calculation, calculate, simulation_within_limits
from infuse.adaption.design.quasi import METHODS, check
from infuse.adaption.design.schemas import DesignIn, HistoryPlanIn
from infuse.adaption.design.stored import StoredDesign, keep_design, keep_progress
from infuse.adaption.design.tasks import plan_from_history, simulate_power
from infuse.adaption.models import Experiment
from infuse.adaption.registry.outcome_data import MappingError
from infuse.adaption.registry.services import check_editable
from infuse.core.errors import Conflict
from infuse.core.models import Person, TaskProgress
from infuse.core.progress import enqueue_tracked


def calculate_design(*, actor: Any, experiment: Experiment, design_in: DesignIn) -> Calculation:
    """The engine's answer for the experiment's design; with ``design_in.save``, kept with the
    experiment as its design (by its team, while the entry may change): the answer kept is the
    one returned, worked out in the same call."""
    calculation = calculate(experiment.design, design_in, n_councils=experiment.councils.count())
    if design_in.save:
        check_editable(actor, experiment)
        keep_design(
            actor=actor,
            experiment=experiment,
            inputs=design_in.inputs(),
            answer=calculation.answer,
        )
        return replace(calculation, saved=True)
    return calculation


def _queue(
    actor: Person,
    experiment: Experiment,
    task: Any,
    name: str,
    arguments: list[Any],
    logged: dict[str, Any],
) -> TaskProgress:
    """Queue design work ``task(experiment, progress, *arguments)``; the design page follows
    it through ``design_parameters["<name>_progress"]``."""
    with transaction.atomic():
        progress = TaskProgress.objects.create(
            kind=TaskProgress.Kind(f"adaption.{name}"),
            owner=actor,
            subject_view="adaption:experiment_design",
            subject_kwargs={"slug": experiment.slug},
        )
        enqueue_tracked(progress, task, experiment.pk, str(progress.pk), *arguments)
        keep_progress(
            actor=actor, experiment=experiment, name=name, progress=progress, logged=logged
        )
    return progress


def queue_power_simulation(
    *, actor: Any, experiment: Experiment, n_simulations: int = 2_000
) -> TaskProgress:
    """Check the saved design's power by simulation, as a background task with progress."""
    check_editable(actor, experiment)
    kept = StoredDesign.of(experiment)
    if kept.answer is None:
        raise Conflict(_("Save a design first: the simulation checks its answer."))
    simulation_within_limits(experiment.design, kept, n_councils=experiment.councils.count())
    seed = secrets.randbits(31)
    return _queue(
        actor,
        experiment,
        simulate_power,
        "simulation",
        [n_simulations, seed],
        {"n_simulations": n_simulations, "seed": seed},
    )


def queue_history_plan(
    *, actor: Any, experiment: Experiment, plan_in: HistoryPlanIn
) -> TaskProgress:
    """Plan a quasi-experiment from its outcome's past: placebo trials as a background task.

    The history is read and checked here, so a plan it cannot support is refused at once
    with the field to change; the task reads it again (as the same person) and keeps the plan.
    """
    check_editable(actor, experiment)
    if experiment.design not in METHODS:
        raise Conflict(_("Only quasi-experiments are planned from past data."))
    try:
        history = load_history(experiment, actor=actor, plan_in=plan_in)
    except MappingError as error:
        raise error.problem() from None
    treated = set(experiment.councils.values_list("gss_code", flat=True))
    check(experiment.design, plan_in, history, treated)
    seed = secrets.randbits(31)
    return _queue(
        actor,
        experiment,
        plan_from_history,
        "history",
        [plan_in.model_dump(), seed, actor.pk],
        {"inputs": plan_in.model_dump(), "seed": seed, "source": history.source},
    )
