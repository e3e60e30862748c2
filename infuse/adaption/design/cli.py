"""The design's part of `infuse trials`: ``design`` works a randomised design out (``--save``
keeps it, ``--simulate`` checks the saved one by simulation) or, ``--from-history``, plans a
quasi-experiment from its outcome's past. The long work runs here with a progress bar."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError

from infuse import stats
from infuse.adaption.design import services, tasks
from infuse.adaption.design.schemas import DesignIn, HistoryPlanIn
from infuse.adaption.design.stored import StoredDesign
from infuse.adaption.models import Experiment
from infuse.adaption.registry.services import get_experiment
from infuse.core.commands import Actions, AddAction
from infuse.core.console import follow_progress
from infuse.core.models import TaskProgress

NUMBERS = (
    "alpha",
    "power",
    "effect",
    "sd",
    "p-control",
    "p-treatment",
    "size",
    "cluster-size",
    "icc",
)


class DesignActions(Actions):
    @classmethod
    def add_actions(cls, action: AddAction) -> None:
        design = action(
            "design",
            "Power, size or smallest effect (randomised designs); "
            "--from-history plans a quasi-experiment from its outcome's past.",
            who="optional",
        )
        design.add_argument("slug")
        design.add_argument(
            "--outcome-kind", dest="outcome", default="continuous", choices=["continuous", "binary"]
        )
        design.add_argument("--solve-for", default="size", choices=["power", "size", "effect"])
        for name in NUMBERS:
            design.add_argument(f"--{name}", type=float)
        design.add_argument("--steps", type=int, dest="n_steps")
        design.add_argument("--save", action="store_true", help="Keep it with the experiment.")
        design.add_argument(
            "--simulate", action="store_true", help="Check the saved design's power by simulation."
        )
        design.add_argument(
            "--from-history",
            action="store_true",
            help="Quasi-experiments: placebo trials on the outcome's past.",
        )
        design.add_argument("--council-column", default="")
        design.add_argument("--period-column", default="")
        design.add_argument("--post-periods", type=int, default=4)
        design.add_argument("--effects", default="", help="Effects to try, with commas.")

    def _design(self, actor: Any, options: dict[str, Any]) -> None:
        experiment = get_experiment(actor=actor, slug=options["slug"])
        if options["from_history"]:
            return self._plan_from_history(actor, experiment, options)
        if options["simulate"]:
            progress = services.queue_power_simulation(actor=actor, experiment=experiment)
            self._follow(progress, tasks.simulate_power, "Simulating trials", experiment)
            simulation = StoredDesign.of(experiment).simulation
            self.write_json(stats.to_json(simulation) if simulation else None)
            return None
        given = {
            name: options[name] for name in DesignIn.model_fields if options.get(name) is not None
        }
        design_in = DesignIn.model_validate({"alpha": 0.05, "power": 0.8, **given})
        calculation = services.calculate_design(
            actor=actor, experiment=experiment, design_in=design_in
        )
        self.write_json(calculation.out().model_dump(mode="json", exclude={"size_label"}))

    def _plan_from_history(
        self, actor: Any, experiment: Experiment, options: dict[str, Any]
    ) -> None:
        try:
            effects = [float(e) for e in options["effects"].split(",") if e.strip()]
        except ValueError as error:
            raise CommandError(f"--effects must be numbers with commas: {error}") from error
        plan_in = HistoryPlanIn(
            council_column=options["council_column"],
            period_column=options["period_column"],
            post_periods=options["post_periods"],
            effects=effects,
            alpha=options["alpha"] if options["alpha"] is not None else 0.05,
            power=options["power"] if options["power"] is not None else 0.8,
        )
        progress = services.queue_history_plan(actor=actor, experiment=experiment, plan_in=plan_in)
        self._follow(progress, tasks.plan_from_history, "Placebo trials on past data", experiment)
        plan = StoredDesign.of(experiment).plan
        self.write_json(plan.to_json() if plan else None)

    def _follow(
        self, progress: TaskProgress, task: Any, label: str, experiment: Experiment
    ) -> None:
        """Run the queued task here (unless a worker claimed it) with a progress bar; then the
        experiment holds what it kept."""
        queued = task.get_result(progress.task_result_id)
        task.call(*queued.args, **queued.kwargs)
        final = follow_progress(progress.pk, f"{label}: {experiment.slug}")
        if final.state != TaskProgress.State.SUCCEEDED:
            raise CommandError(f"{label} could not run: {final.message}")
        experiment.refresh_from_db()
