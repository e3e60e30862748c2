"""What an experiment keeps of its design, written in one place.

``Experiment.design_parameters`` holds the inputs and the engine's answer (the design page's
calculation, or the plan from past data), the simulation's check of that answer, and the
background work on its way (its progress, for the design page to follow). Keeping a new design
replaces the lot, so a simulation of an earlier design is never shown against a later one.

Each write records its audit event in the same transaction. Who may write is checked by the
callers: the design's use cases, and the background tasks they queue (which check again when
they finish, as the experiment may have been registered meanwhile). Both import this module, so
the use cases can queue the tasks without the tasks importing the use cases back.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from infuse.adaption.models import Experiment
from infuse.core import audit
from infuse.core.models import Person, TaskProgress


def keep_design(
    *, actor: Person, experiment: Experiment, inputs: dict[str, Any], result: dict[str, Any]
) -> Experiment:
    """Keep the inputs and the engine's answer as the experiment's design."""
    with transaction.atomic():
        before = experiment.design_parameters
        experiment.design_parameters = {"inputs": inputs, "result": result}
        experiment.updated_at = timezone.now()
        experiment.save(update_fields=["design_parameters", "updated_at"])
        audit.record_event(
            actor=actor,
            action="experiment.design_saved",
            obj=experiment,
            before={"design": before},
            after={"design": experiment.design_parameters},
        )
    return experiment


def keep_progress(
    *, actor: Person, experiment: Experiment, name: str, progress: TaskProgress, logged: Any
) -> None:
    """Note the queued work ``name`` (``simulation``, ``history``) for the page to follow
    (inside the transaction that queues it)."""
    experiment.design_parameters = {
        **experiment.design_parameters,
        f"{name}_progress": str(progress.pk),
    }
    experiment.save(update_fields=["design_parameters"])
    audit.record_event(
        actor=actor, action=f"experiment.{name}_queued", obj=experiment, after=logged
    )


def keep_simulation(experiment_id: int, summary: dict[str, Any]) -> None:
    """Keep the simulation's check of the saved design beside it (the worker's write: the
    experiment's row is locked, as the person may be saving meanwhile)."""
    with transaction.atomic():
        locked = Experiment.objects.select_for_update().get(pk=experiment_id)
        locked.design_parameters = {**locked.design_parameters, "simulation": summary}
        locked.save(update_fields=["design_parameters"])
        audit.record_event(
            actor=None, action="experiment.power_simulated", obj=locked, after=summary
        )
