"""The decisions' part of `infuse trials`: ``decide``, ``scale-up`` and the trial ``report``
as a PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from infuse.adaption.decisions import services
from infuse.adaption.decisions.report import report_pdf
from infuse.adaption.decisions.schemas import DecisionIn, ScaleUpIn
from infuse.adaption.registry.services import get_experiment
from infuse.core.commands import Actions, AddAction
from infuse.core.models import Person


class DecisionActions(Actions):
    @classmethod
    def add_actions(cls, action: AddAction) -> None:
        decide = action("decide", "Record the decision: scale, adapt or stop.")
        decide.add_argument("slug")
        decide.add_argument("--choice", required=True, choices=["scale", "adapt", "stop"])
        decide.add_argument("--rationale", default="", help="Why, in English.")
        decide.add_argument("--rationale-cy", default="", help="Why, in Welsh.")
        decide.add_argument("--level", type=int, help="Nesta level (default: the suggestion).")
        decide.add_argument("--cost-pence", type=int, help="Cost per unit of outcome, in pence.")
        decide.add_argument("--cost-unit", default="")
        scale = action("scale-up", "A new stepped-wedge roll-out from a decision.")
        scale.add_argument("slug")
        scale.add_argument(
            "--councils", required=True, help="GSS codes in roll-out order, with commas."
        )
        report = action("report", "The trial report as a PDF.", who="optional")
        report.add_argument("slug")
        report.add_argument("--output", type=Path, required=True)

    def _decide(self, actor: Person, options: dict[str, Any]) -> None:
        experiment = get_experiment(actor=actor, slug=options["slug"])
        decision_in = DecisionIn(
            choice=options["choice"],
            rationale=options["rationale"],
            rationale_cy=options["rationale_cy"],
            evidence_level=options["level"],
            cost_per_unit_pence=options["cost_pence"],
            cost_unit=options["cost_unit"],
        )
        decision = services.decide(actor=actor, experiment=experiment, decision_in=decision_in)
        self.stdout.write(
            self.style.SUCCESS(
                f"Decision: {decision.choice} (evidence level {decision.evidence_level}, "
                f"suggested {decision.suggested_level})."
            )
        )

    def _scale_up(self, actor: Person, options: dict[str, Any]) -> None:
        experiment = get_experiment(actor=actor, slug=options["slug"])
        councils = [c.strip() for c in options["councils"].split(",") if c.strip()]
        child = services.scale_up(
            actor=actor, experiment=experiment, scale_up_in=ScaleUpIn(councils=councils)
        )
        self.stdout.write(self.style.SUCCESS(f"Scale-up {child.slug} added as a draft."))

    def _report(self, actor: Any, options: dict[str, Any]) -> None:
        experiment = get_experiment(actor=actor, slug=options["slug"])
        Path(options["output"]).write_bytes(report_pdf(actor, experiment, base_url="/"))
        self.stdout.write(f"Report written to {options['output']}.")
