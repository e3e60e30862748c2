"""`infuse trials …`: the Adaption Lab from the command line, through the same services.

Every change is made as a named person (``--as EMAIL``) and audited as them; reading without
``--as`` shows what the public sees.
"""

import io
import json
from pathlib import Path
from typing import Any

from defusedcsv import csv as defused_csv
from django.core.management.base import CommandError, CommandParser

from infuse.adaption import services
from infuse.core.commands import LabCommand, with_person
from infuse.core.models import Organisation, Person


def _json(path: Path) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise CommandError(f"Cannot read {path} as JSON: {error}") from error


class Command(LabCommand):
    help = (
        "Adaption Lab tools: list, show, create, outcomes, move, design, protocol, randomise, "
        "allocation, analyse, decide, scale-up, report (`infuse trials ACTION --help` for each)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)

        listing = with_person(sub.add_parser("list", help="The learning library."), required=False)
        for name in ("q", "design", "status", "theme", "goal", "council"):
            listing.add_argument(f"--{name}", default="")
        show = with_person(sub.add_parser("show", help="One experiment as JSON."), required=False)
        show.add_argument("slug")
        create = with_person(sub.add_parser("create", help="Add an experiment from a JSON file."))
        create.add_argument("file", type=Path, help="title_en, title_cy, owner, design, councils…")
        outcomes = with_person(
            sub.add_parser("outcomes", help="Set the outcomes from a JSON list.")
        )
        outcomes.add_argument("slug")
        outcomes.add_argument("file", type=Path)
        move = with_person(
            sub.add_parser("move", help="design, redraft, launch, analyse, decide, scale, close")
        )
        move.add_argument("slug")
        move.add_argument("transition")
        protocol = with_person(
            sub.add_parser("protocol", help="Register (or amend) the protocol from JSON.")
        )
        protocol.add_argument("slug")
        protocol.add_argument("file", type=Path)
        protocol.add_argument("--reason", default="", help="Why (needed for an amendment).")
        protocol.add_argument("--allow-rerandomisation", action="store_true")
        design = with_person(
            sub.add_parser(
                "design",
                help="Power, size or smallest effect (randomised designs); "
                "--from-history plans a quasi-experiment from its outcome's past.",
            ),
            required=False,
        )
        design.add_argument("slug")
        design.add_argument(
            "--outcome-kind", dest="outcome", default="continuous", choices=["continuous", "binary"]
        )
        design.add_argument("--solve-for", default="size", choices=["power", "size", "effect"])
        for name in (
            "alpha",
            "power",
            "effect",
            "sd",
            "p-control",
            "p-treatment",
            "size",
            "cluster-size",
            "icc",
        ):
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
        randomise = with_person(
            sub.add_parser("randomise", help="Randomise once, with a stored seed.")
        )
        randomise.add_argument("slug")
        randomise.add_argument("--seed", type=int)
        randomise.add_argument("--steps", type=int, dest="n_steps")
        randomise.add_argument("--dataset", default="")
        randomise.add_argument("--unit-column", default="")
        randomise.add_argument("--strata-column", default="")
        analyse = with_person(
            sub.add_parser("analyse", help="Attach outcome data and run the analysis.")
        )
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
        decide = with_person(
            sub.add_parser("decide", help="Record the decision: scale, adapt or stop.")
        )
        decide.add_argument("slug")
        decide.add_argument("--choice", required=True, choices=["scale", "adapt", "stop"])
        decide.add_argument("--rationale", required=True)
        decide.add_argument("--level", type=int, help="Nesta level (default: the suggestion).")
        decide.add_argument("--cost-pence", type=int, help="Cost per unit of outcome, in pence.")
        decide.add_argument("--cost-unit", default="")
        scale = with_person(
            sub.add_parser("scale-up", help="A new stepped-wedge roll-out from a decision.")
        )
        scale.add_argument("slug")
        scale.add_argument(
            "--councils", required=True, help="GSS codes in roll-out order, with commas."
        )
        report = with_person(
            sub.add_parser("report", help="The trial report as a PDF."), required=False
        )
        report.add_argument("slug")
        report.add_argument("--output", type=Path, required=True)
        allocation = with_person(
            sub.add_parser("allocation", help="The allocation as CSV."), required=False
        )
        allocation.add_argument("slug")
        allocation.add_argument("--output", type=Path)

    def _list(self, actor: Any, options: dict[str, Any]) -> None:
        query = services.LibraryQuery(
            text=options["q"],
            design=options["design"],
            status=options["status"],
            theme=options["theme"],
            goal=options["goal"],
            council=options["council"],
        )
        for experiment in services.search_experiments(actor, query):
            self.stdout.write(
                f"{experiment.slug}\t{experiment.status}\t{experiment.design}\t{experiment.title_en}"
            )

    def _show(self, actor: Any, options: dict[str, Any]) -> None:
        from infuse.adaption.api import experiment_out

        data = experiment_out(services.get_experiment(actor=actor, slug=options["slug"]))
        data["protocols"] = [
            {"version": p.version, "sha256": p.sha256, "registered_at": p.registered_at.isoformat()}
            for p in data["protocols"]
        ]
        self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))

    def _create(self, actor: Person, options: dict[str, Any]) -> None:
        data = _json(options["file"])
        if not isinstance(data, dict):
            raise CommandError("The file must hold one JSON object")
        data["owner"] = Organisation.objects.filter(slug=data.get("owner", "")).first()
        try:
            fields = services.ExperimentFields(**data)
        except TypeError as error:
            raise CommandError(f"Unexpected field in {options['file']}: {error}") from error
        experiment = services.create_experiment(actor=actor, fields=fields)
        self.stdout.write(self.style.SUCCESS(f"Experiment {experiment.slug} added as a draft."))

    def _outcomes(self, actor: Person, options: dict[str, Any]) -> None:
        experiment = services.get_experiment(actor=actor, slug=options["slug"])
        rows = _json(options["file"])
        if not isinstance(rows, list):
            raise CommandError("The file must hold a JSON list of outcomes")
        services.set_outcomes(
            actor=actor,
            experiment=experiment,
            outcomes=[services.OutcomeFields(**row) for row in rows],
        )
        self.stdout.write(self.style.SUCCESS(f"{len(rows)} outcomes set."))

    def _move(self, actor: Person, options: dict[str, Any]) -> None:
        experiment = services.get_experiment(actor=actor, slug=options["slug"])
        experiment = services.move(
            actor=actor, experiment=experiment, transition=options["transition"]
        )
        self.stdout.write(self.style.SUCCESS(f"{experiment.slug} is now {experiment.status}."))

    def _protocol(self, actor: Person, options: dict[str, Any]) -> None:
        experiment = services.get_experiment(actor=actor, slug=options["slug"])
        fields = services.ProtocolFields(**_json(options["file"]))
        if experiment.latest_protocol is None:
            protocol = services.register_protocol(actor=actor, experiment=experiment, fields=fields)
        else:
            protocol = services.amend_protocol(
                actor=actor,
                experiment=experiment,
                fields=fields,
                reason=options["reason"],
                allows_rerandomisation=options["allow_rerandomisation"],
            )
        self.stdout.write(
            self.style.SUCCESS(f"Protocol version {protocol.version}: SHA-256 {protocol.sha256}")
        )

    def _design(self, actor: Any, options: dict[str, Any]) -> None:
        from infuse.adaption.design import DesignInputs, calculate

        experiment = services.get_experiment(actor=actor, slug=options["slug"])
        if options["from_history"]:
            return self._plan_from_history(actor, experiment, options)
        if options["simulate"]:
            from infuse.adaption.tasks import simulate_power

            progress = services.queue_power_simulation(actor=actor, experiment=experiment)
            return self._follow(progress, simulate_power, "Simulating trials", experiment)
        names = (
            "outcome",
            "solve_for",
            "alpha",
            "power",
            "effect",
            "sd",
            "p_control",
            "p_treatment",
            "size",
            "cluster_size",
            "icc",
            "n_steps",
        )
        given = {name: options[name] for name in names if options.get(name) is not None}
        inputs = DesignInputs(**{"alpha": 0.05, "power": 0.8, **given})
        calculation = calculate(experiment.design, inputs, n_councils=experiment.councils.count())
        if options["save"]:
            services.save_design(
                actor=actor,
                experiment=experiment,
                parameters=inputs.to_dict(),
                result=calculation.result,
            )
        self.stdout.write(
            json.dumps(
                {
                    "result": calculation.result,
                    "curve": calculation.curve,
                    "schedule": calculation.schedule,
                    "saved": options["save"],
                },
                indent=2,
            )
        )

    def _plan_from_history(self, actor: Any, experiment: Any, options: dict[str, Any]) -> None:
        from infuse.adaption.quasi_design import QuasiInputs
        from infuse.adaption.tasks import plan_from_history

        try:
            effects = tuple(float(e) for e in options["effects"].split(",") if e.strip())
        except ValueError as error:
            raise CommandError(f"--effects must be numbers with commas: {error}") from error
        inputs = QuasiInputs(
            council_column=options["council_column"],
            period_column=options["period_column"],
            post_periods=options["post_periods"],
            effects=effects,
            alpha=options["alpha"] if options["alpha"] is not None else 0.05,
            power=options["power"] if options["power"] is not None else 0.8,
        )
        progress = services.queue_history_plan(actor=actor, experiment=experiment, inputs=inputs)
        self._follow(progress, plan_from_history, "Placebo trials on past data", experiment)

    def _follow(self, progress: Any, task: Any, label: str, experiment: Any) -> None:
        """Run the queued task here (unless a worker claimed it) with a progress bar, then
        print what it kept with the experiment."""
        from infuse.core.console import follow_progress
        from infuse.core.models import TaskProgress

        queued = task.get_result(progress.task_result_id)
        task.call(*queued.args, **queued.kwargs)
        final = follow_progress(progress.pk, f"{label}: {experiment.slug}")
        if final.state != TaskProgress.State.SUCCEEDED:
            raise CommandError(f"{label} could not run: {final.message}")
        experiment.refresh_from_db()
        kept = experiment.design_parameters
        self.stdout.write(json.dumps(kept.get("simulation") or kept.get("result"), indent=2))

    def _randomise(self, actor: Person, options: dict[str, Any]) -> None:
        experiment = services.get_experiment(actor=actor, slug=options["slug"])
        allocation = services.randomise(
            actor=actor,
            experiment=experiment,
            fields=services.RandomiseFields(
                seed=options["seed"],
                n_steps=options["n_steps"],
                dataset=options["dataset"],
                unit_column=options["unit_column"],
                strata_column=options["strata_column"],
            ),
        )
        counts = allocation.result.get("counts", {})
        self.stdout.write(
            self.style.SUCCESS(
                f"Randomised with seed {allocation.seed}: "
                + ", ".join(f"{arm} {count}" for arm, count in counts.items())
                + f"; allocation digest {allocation.allocation_digest}"
            )
        )

    def _allocation(self, actor: Any, options: dict[str, Any]) -> None:
        experiment = services.get_experiment(actor=actor, slug=options["slug"])
        allocation = services.get_allocation(actor=actor, experiment=experiment)
        result = allocation.result
        steps = result.get("steps") or [""] * len(result["unit_ids"])
        buffer = io.StringIO()
        writer = defused_csv.writer(buffer)
        writer.writerow(["unit", "arm", "step"])
        writer.writerows(zip(result["unit_ids"], result["assignment"], steps, strict=True))
        if options["output"]:
            Path(options["output"]).write_text(buffer.getvalue(), encoding="utf-8")
            self.stdout.write(
                f"Allocation written to {options['output']} (seed {allocation.seed})."
            )
        else:
            self.stdout.write(buffer.getvalue(), ending="")

    def _analyse(self, actor: Person, options: dict[str, Any]) -> None:
        from infuse.adaption.models import AnalysisRun
        from infuse.adaption.tasks import run_analysis
        from infuse.core.console import follow_progress

        experiment = services.get_experiment(actor=actor, slug=options["slug"])
        run = services.attach_data(
            actor=actor,
            experiment=experiment,
            fields=services.MappingFields(
                dataset=options["dataset"],
                outcome=options["outcome"],
                unit=options["unit"],
                arm=options["arm"],
                cluster=options["cluster"],
                period=options["period"],
                secondary=[c.strip() for c in options["secondary"].split(",") if c.strip()],
                start=options["start"],
            ),
        )
        assert run.progress_id is not None
        run_analysis.call(run.pk, str(run.progress_id))  # here, unless a worker claimed it
        follow_progress(run.progress_id, f"Analysing {experiment.slug}")
        run = AnalysisRun.objects.get(pk=run.pk)
        if run.state != AnalysisRun.State.DONE:
            raise CommandError(f"The analysis could not run: {run.error_text}")
        primary = run.result["primary"]
        self.stdout.write(
            self.style.SUCCESS(
                f"Effect {primary['estimate']:.4g} (95% CI {primary['ci_low']:.4g} to "
                f"{primary['ci_high']:.4g}), p = {primary['p_value']:.3g}"
            )
        )

    def _decide(self, actor: Person, options: dict[str, Any]) -> None:
        experiment = services.get_experiment(actor=actor, slug=options["slug"])
        decision = services.decide(
            actor=actor,
            experiment=experiment,
            fields=services.DecisionFields(
                choice=options["choice"],
                rationale=options["rationale"],
                evidence_level=options["level"],
                cost_per_unit_pence=options["cost_pence"],
                cost_unit=options["cost_unit"],
            ),
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Decision: {decision.choice} (evidence level {decision.evidence_level}, "
                f"suggested {decision.suggested_level})."
            )
        )

    def _scale_up(self, actor: Person, options: dict[str, Any]) -> None:
        experiment = services.get_experiment(actor=actor, slug=options["slug"])
        child = services.scale_up(
            actor=actor,
            experiment=experiment,
            councils=[c.strip() for c in options["councils"].split(",") if c.strip()],
        )
        self.stdout.write(self.style.SUCCESS(f"Scale-up {child.slug} added as a draft."))

    def _report(self, actor: Any, options: dict[str, Any]) -> None:
        from infuse.adaption.report import report_pdf

        experiment = services.get_experiment(actor=actor, slug=options["slug"])
        Path(options["output"]).write_bytes(report_pdf(actor, experiment, base_url="/"))
        self.stdout.write(f"Report written to {options['output']}.")
