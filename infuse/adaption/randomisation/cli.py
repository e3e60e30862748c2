"""The randomisation's part of `infuse trials`: ``randomise`` once, and the ``allocation`` as
CSV (hidden from those delivering the experiment until it is launched)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from defusedcsv import csv as defused_csv

from infuse.adaption.randomisation import services
from infuse.adaption.randomisation.schemas import RandomiseIn
from infuse.adaption.registry.services import get_experiment
from infuse.core.commands import Actions, AddAction
from infuse.core.models import Person


class RandomisationActions(Actions):
    @classmethod
    def add_actions(cls, action: AddAction) -> None:
        randomise = action("randomise", "Randomise once, with a stored seed.")
        randomise.add_argument("slug")
        randomise.add_argument("--seed", type=int)
        randomise.add_argument("--steps", type=int, dest="n_steps")
        randomise.add_argument("--dataset", default="")
        randomise.add_argument("--unit-column", default="")
        randomise.add_argument("--strata-column", default="")
        allocation = action("allocation", "The allocation as CSV.", who="optional")
        allocation.add_argument("slug")
        allocation.add_argument("--output", type=Path)

    def _randomise(self, actor: Person, options: dict[str, Any]) -> None:
        experiment = get_experiment(actor=actor, slug=options["slug"])
        randomise_in = RandomiseIn(**{name: options[name] for name in RandomiseIn.model_fields})
        allocation = services.randomise(
            actor=actor, experiment=experiment, randomise_in=randomise_in
        )
        counts = allocation.drawn.counts
        self.stdout.write(
            self.style.SUCCESS(
                f"Randomised with seed {allocation.seed}: "
                + ", ".join(f"{arm} {count}" for arm, count in counts.items())
                + f"; allocation digest {allocation.allocation_digest}"
            )
        )

    def _allocation(self, actor: Any, options: dict[str, Any]) -> None:
        experiment = get_experiment(actor=actor, slug=options["slug"])
        allocation = services.get_allocation(actor=actor, experiment=experiment)
        drawn = allocation.drawn
        steps = drawn.steps or [""] * len(drawn.unit_ids)
        buffer = io.StringIO()
        writer = defused_csv.writer(buffer)
        writer.writerow(["unit", "arm", "step"])
        writer.writerows(zip(drawn.unit_ids, drawn.assignment, steps, strict=True))
        if options["output"]:
            Path(options["output"]).write_text(buffer.getvalue(), encoding="utf-8")
            self.stdout.write(
                f"Allocation written to {options['output']} (seed {allocation.seed})."
            )
        else:
            self.stdout.write(buffer.getvalue(), ending="")
