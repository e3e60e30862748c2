"""What an experiment keeps of its design, written and read back in one place, typed.

``Experiment.design_parameters`` holds the inputs and the answer — a randomised design's
calculation (the engine's ``PowerResult``) or a quasi-experiment's plan from past data (a
:class:`QuasiPlan` around the engine's ``PlaceboPowerResult``) — the simulation's check of that
answer (the engine's ``SimulatedPowerResult``), and the background work on its way (its
progress, for the design page to follow). Engine results are kept in the engine's versioned JSON
form (:func:`infuse.stats.to_json`) and read back as themselves (:func:`infuse.stats.from_json`);
pages, the API and the CLI read :class:`StoredDesign`. Keeping a new design replaces the lot,
so a simulation of an earlier design is never shown against a later one.

Each write records its audit event in the same transaction. Who may write is checked by the
callers: the design's use cases, and the background tasks they queue (which check again when
they finish, as the experiment may have been registered meanwhile). Both import this module, so
the use cases can queue the tasks without the tasks importing the use cases back.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from infuse import stats
from infuse.adaption.design.schemas import DesignIn, HistoryPlanIn
from infuse.adaption.models import Experiment
from infuse.core import audit
from infuse.core.models import Person, TaskProgress


@dataclass(frozen=True)
class PastCouncil:
    """One council in the past data: in the experiment or a comparison, and its series."""

    gss: str
    name_en: str
    name_cy: str
    treated: bool
    periods: int
    mean: float
    sd: float | None


@dataclass(frozen=True)
class QuasiPlan:
    """A quasi-experiment's plan from its outcome's past: the placebo trials' answer (``placebo``)
    and what they were run on (the source and its version, the periods, the councils, values of
    the council column that name no council) with the seed that makes them repeatable."""

    method: str  # "placebo_power:<did|its|synthetic_control>"
    power: float  # the power sought
    effect: float | None  # the smallest effect found with it (None: none of those tried)
    placebo: stats.PlaceboPowerResult
    source: dict[str, Any]
    periods: tuple[str, ...]
    councils: tuple[PastCouncil, ...]
    unmatched: tuple[str, ...]
    seed: int

    def to_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "power": self.power,
            "effect": self.effect,
            "history": stats.to_json(self.placebo),
            "source": self.source,
            "periods": list(self.periods),
            "councils": [asdict(council) for council in self.councils],
            "unmatched": list(self.unmatched),
            "seed": self.seed,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> QuasiPlan:
        return cls(
            method=data["method"],
            power=data["power"],
            effect=data["effect"],
            placebo=stats.from_json(data["history"], stats.PlaceboPowerResult),
            source=data["source"],
            periods=tuple(data["periods"]),
            councils=tuple(PastCouncil(**council) for council in data["councils"]),
            unmatched=tuple(data["unmatched"]),
            seed=data["seed"],
        )


Answer = stats.PowerResult | QuasiPlan


@dataclass(frozen=True)
class StoredDesign:
    """An experiment's design as kept (see the module docstring); empty parts are None."""

    inputs: dict[str, Any]
    answer: stats.PowerResult | None = None
    plan: QuasiPlan | None = None
    simulation: stats.SimulatedPowerResult | None = None
    simulation_progress: str | None = None
    history_progress: str | None = None

    @classmethod
    def of(cls, experiment: Experiment) -> StoredDesign:
        kept = experiment.design_parameters
        answer = kept.get("result")
        simulation = kept.get("simulation")
        is_plan = bool(answer) and "history" in answer
        return cls(
            inputs=kept.get("inputs") or {},
            answer=stats.from_json(answer, stats.PowerResult) if answer and not is_plan else None,
            plan=QuasiPlan.from_json(answer) if is_plan else None,
            simulation=stats.from_json(simulation, stats.SimulatedPowerResult)
            if simulation
            else None,
            simulation_progress=kept.get("simulation_progress"),
            history_progress=kept.get("history_progress"),
        )

    def design_inputs(self) -> DesignIn:
        """A randomised design's inputs as kept."""
        return DesignIn(**self.inputs)

    def plan_inputs(self) -> HistoryPlanIn:
        """A quasi-experiment's plan's inputs as kept."""
        return HistoryPlanIn.model_validate(self.inputs)


def keep_design(
    *, actor: Person, experiment: Experiment, inputs: dict[str, Any], answer: Answer
) -> Experiment:
    """Keep the inputs and the answer as the experiment's design."""
    result = answer.to_json() if isinstance(answer, QuasiPlan) else stats.to_json(answer)
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


def keep_simulation(
    experiment_id: int, result: stats.SimulatedPowerResult, summary: dict[str, Any]
) -> None:
    """Keep the simulation's check of the saved design beside it, and audit its ``summary``
    (the worker's write: the experiment's row is locked, as the person may be saving meanwhile)."""
    with transaction.atomic():
        locked = Experiment.objects.select_for_update().get(pk=experiment_id)
        locked.design_parameters = {
            **locked.design_parameters,
            "simulation": stats.to_json(result),
        }
        locked.save(update_fields=["design_parameters"])
        audit.record_event(
            actor=None, action="experiment.power_simulated", obj=locked, after=summary
        )
