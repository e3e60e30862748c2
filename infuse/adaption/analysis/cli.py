"""The analysis's part of `infuse trials`: ``analyse`` attaches the outcome data and runs the
registered analysis here, with a progress bar, then prints the primary effect."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError

from infuse.adaption.analysis import services
from infuse.adaption.analysis.schemas import AttachIn
from infuse.adaption.analysis.tasks import run_analysis
from infuse.adaption.models import AnalysisRun
from infuse.adaption.registry.services import get_experiment
from infuse.core.commands import Actions, AddAction
from infuse.core.console import follow_progress
from infuse.core.models import Person


class AnalysisActions(Actions):
    @classmethod
    def add_actions(cls, action: AddAction) -> None:
        analyse = action("analyse", "Attach outcome data and run the analysis.")
        analyse.add_argument("slug")
        analyse.add_argument("--dataset", required=True)
        analyse.add_argument("--outcome", required=True)
        for name in ("unit", "arm", "cluster", "period"):
            analyse.add_argument(f"--{name}", default="")
        analyse.add_argument("--secondary", default="", help="Columns, separated by commas.")
        analyse.add_argument(
            "--start",
            default="",
            help="Quasi-experiments: the first period under the intervention.",
        )

    def _analyse(self, actor: Person, options: dict[str, Any]) -> None:
        experiment = get_experiment(actor=actor, slug=options["slug"])
        columns = ("dataset", "outcome", "unit", "arm", "cluster", "period", "start")
        attach_in = AttachIn(
            **{name: options[name] for name in columns},
            secondary=[c.strip() for c in options["secondary"].split(",") if c.strip()],
        )
        run = services.attach_data(actor=actor, experiment=experiment, attach_in=attach_in)
        assert run.progress_id is not None
        run_analysis.call(run.pk, str(run.progress_id))  # here, unless a worker claimed it
        follow_progress(run.progress_id, f"Analysing {experiment.slug}")
        run = AnalysisRun.objects.get(pk=run.pk)
        if run.state != AnalysisRun.State.DONE:
            raise CommandError(f"The analysis could not run: {run.error_text}")
        primary = run.primary_effect
        assert primary is not None  # the analysis is done
        self.stdout.write(
            self.style.SUCCESS(
                f"Effect {primary.estimate:.4g} (95% CI {primary.ci_low:.4g} to "
                f"{primary.ci_high:.4g}), p = {primary.p_value:.3g}"
            )
        )
