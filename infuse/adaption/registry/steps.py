"""An experiment's steps, from describing it to scaling it up, as its page's task list.

Each step's status is read from the records (an outcome named, a design kept, a protocol
registered, an allocation drawn, an analysis run, a decision recorded), never stored. Who may
take a step follows the permission rules: the owner's officers and analysts run the experiment;
only the owner's analysts randomise (so the people delivering cannot choose who gets what). A
reader who cannot take a step is told who can, by name, and why it cannot start yet.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from infuse.adaption.models import AnalysisRun, Experiment, Outcome, Status
from infuse.core.asking import tell_who_is_next
from infuse.core.links import english_path
from infuse.core.models import Role
from infuse.core.permissions import DATA_ROLES, can
from infuse.core.tasklist import Step, StepStatus, TaskList, status_of, who_can

ORDER = [
    Status.DRAFT,
    Status.DESIGNED,
    Status.REGISTERED,
    Status.RUNNING,
    Status.ANALYSED,
    Status.DECIDED,
    Status.SCALING,
]


def _stage(experiment: Experiment) -> Status:
    """How far the experiment got: its status, or for a closed one what its records show."""
    if experiment.status != Status.CLOSED:
        return Status(experiment.status)
    if experiment.scale_ups.exists():
        return Status.SCALING
    if experiment.decisions.exists():
        return Status.DECIDED
    if experiment.launched_at is not None:
        return Status.RUNNING
    if experiment.protocols.exists():
        return Status.REGISTERED
    return Status.DRAFT


class _Reader:
    """What the reader may do on this experiment, worked out once for all the steps."""

    def __init__(self, person: Any, experiment: Experiment) -> None:
        self.experiment = experiment
        self.stage = _stage(experiment)
        self.allocated = experiment.is_randomised and experiment.allocations.exists()
        self.team = can(person, "adaption.change_experiment", experiment)
        self.randomiser = can(person, "adaption.randomise_experiment", experiment)
        self.team_who = who_can(
            person, _("Officers and analysts"), experiment.owner, DATA_ROLES, names=self.team
        )
        self.analyst_who = who_can(
            person, _("Analysts"), experiment.owner, [Role.ANALYST], names=self.team
        )

    def reached(self, status: str) -> bool:
        """Has the experiment got as far as ``status``?"""
        return ORDER.index(self.stage) >= ORDER.index(Status(status))

    def url(self, name: str, *, allowed: bool, **kwargs: str) -> str:
        if not allowed:
            return ""
        return reverse(f"adaption:{name}", kwargs={"slug": self.experiment.slug, **kwargs})


def _entry_steps(reader: _Reader) -> list[Step]:
    experiment = reader.experiment
    editable = reader.team and experiment.status in (Status.DRAFT, Status.DESIGNED)
    described = all((experiment.problem, experiment.hypothesis, experiment.intervention))
    has_primary = experiment.outcomes.filter(kind=Outcome.Kind.PRIMARY).exists()
    kept = experiment.design_parameters.get("result") if experiment.design_parameters else None
    designed = reader.reached(Status.DESIGNED)
    return [
        Step(
            "describe",
            _("Describe the problem, the idea and what will be done"),
            status_of(done=described or designed, started=True),
            who=reader.team_who,
            url=reader.url("experiment_edit", allowed=editable),
            yours=editable,
        ),
        Step(
            "outcomes",
            _("Name the outcomes and where their data comes from"),
            status_of(done=has_primary, started=experiment.outcomes.exists()),
            who=reader.team_who,
            url=reader.url("experiment_outcomes", allowed=editable),
            yours=editable,
        ),
        Step(
            "design",
            _("Work out the power and size")
            if experiment.is_randomised
            else _("Plan it from past data"),
            status_of(done=bool(kept) or designed),
            who=reader.team_who,
            url=reader.url("experiment_design", allowed=True),
            yours=editable,
        ),
        Step(
            "designed",
            _("Mark the design as done"),
            status_of(done=designed, ready=has_primary),
            who=reader.team_who,
            hint="" if has_primary else _("Name the primary outcome first."),
            url=reader.url(
                "experiment_move",
                allowed=reader.team and has_primary and experiment.status == Status.DRAFT,
                transition="design",
            ),
            yours=reader.team,
        ),
    ]


def _registration_steps(reader: _Reader) -> list[Step]:
    experiment = reader.experiment
    registered = reader.reached(Status.REGISTERED)
    designed = reader.reached(Status.DESIGNED)
    steps = [
        Step(
            "register",
            _("Register the protocol"),
            status_of(done=registered, ready=designed),
            who=reader.team_who,
            hint="" if designed else _("The design must be marked as done first."),
            url=reader.url(
                "protocol_register",
                allowed=reader.team and experiment.status == Status.DESIGNED,
            ),
            yours=reader.team,
        )
    ]
    if experiment.is_randomised:
        allocated = reader.allocated
        steps.append(
            Step(
                "randomise",
                _("Randomise"),
                status_of(done=allocated, ready=registered),
                who=reader.analyst_who,
                hint=_(
                    "An analyst randomises, so that the people delivering the experiment cannot "
                    "choose who gets what."
                )
                if registered
                else _("The protocol must be registered first."),
                url=reader.url(
                    "experiment_randomise",
                    allowed=reader.randomiser and experiment.status == Status.REGISTERED,
                ),
                yours=reader.randomiser,
            )
        )
    return steps


def _running_steps(reader: _Reader) -> list[Step]:
    experiment = reader.experiment
    ready_to_launch = experiment.status == Status.REGISTERED and (
        not experiment.is_randomised or reader.allocated
    )
    running = reader.reached(Status.RUNNING)
    analysed = reader.reached(Status.ANALYSED)
    has_runs = experiment.analyses.exists()
    has_results = experiment.analyses.filter(state=AnalysisRun.State.DONE).exists()
    launch_hint = (
        ""
        if ready_to_launch or running
        else (
            _("It can launch once it is randomised.")
            if experiment.is_randomised
            else _("The protocol must be registered first.")
        )
    )
    return [
        Step(
            "launch",
            _("Launch the experiment"),
            status_of(done=running, ready=ready_to_launch),
            who=reader.team_who,
            hint=launch_hint,
            url=reader.url(
                "experiment_move", allowed=reader.team and ready_to_launch, transition="launch"
            ),
            yours=reader.team,
        ),
        Step(
            "analyse",
            _("Attach the outcome data and run the analysis"),
            status_of(done=analysed or has_results, started=has_runs, ready=running),
            who=reader.team_who,
            hint="" if running else _("It can be analysed once it has launched."),
            url=reader.url("results", allowed=True)
            if has_runs and (analysed or has_results or not reader.team)
            else reader.url(
                "experiment_data",
                allowed=reader.team and experiment.status in (Status.RUNNING, Status.ANALYSED),
            ),
            yours=reader.team and not analysed and not has_results,
        ),
        # Results can be run again (new data, a corrected mapping) until the team says they
        # are the ones the decision rests on: a step of its own, so it is never a dead end.
        Step(
            "final",
            _("Mark the results as final"),
            status_of(done=analysed, ready=running and has_results),
            who=reader.team_who,
            hint=""
            if has_results or analysed
            else _("There are results once an analysis has finished."),
            url=reader.url(
                "experiment_move",
                allowed=reader.team and experiment.status == Status.RUNNING and has_results,
                transition="analyse",
            ),
            yours=reader.team and not analysed,
        ),
    ]


def _decision_steps(reader: _Reader) -> list[Step]:
    experiment = reader.experiment
    decision = experiment.decisions.first()
    analysed = reader.reached(Status.ANALYSED)
    steps = [
        Step(
            "decide",
            _("Decide: scale, adapt or stop"),
            status_of(done=decision is not None, ready=experiment.status == Status.ANALYSED),
            who=reader.team_who,
            hint="" if analysed else _("The decision follows the analysis."),
            url=reader.url(
                "experiment_decision",
                allowed=reader.team and experiment.status == Status.ANALYSED,
            )
            or (reader.url("experiment_report", allowed=True) if decision else ""),
            yours=reader.team,
        )
    ]
    if decision is not None and decision.choice == "scale":
        scaled = experiment.scale_ups.exists()
        steps.append(
            Step(
                "scale",
                _("Plan the scale-up"),
                status_of(done=scaled),
                who=reader.team_who,
                url=reader.url(
                    "experiment_scale_up",
                    allowed=reader.team and experiment.status == Status.DECIDED,
                ),
                yours=reader.team,
            )
        )
    return steps


def experiment_steps(person: Any, experiment: Experiment) -> TaskList:
    """The experiment's task list as ``person`` sees it (who may act, and links where they
    may). A closed experiment's steps that were never reached cannot start."""
    reader = _Reader(person, experiment)
    steps = [
        *_entry_steps(reader),
        *_registration_steps(reader),
        *_running_steps(reader),
        *_decision_steps(reader),
    ]
    if experiment.status == Status.CLOSED:
        steps = [_closed(step) for step in steps]
    return TaskList(tuple(steps))


def _closed(step: Step) -> Step:
    if step.status == StepStatus.COMPLETED:
        return step
    return Step(
        step.key,
        step.name,
        StepStatus.CANNOT_START,
        hint=_("The experiment is closed."),
        url="",
    )


def announce_next(actor: Any, experiment: Experiment) -> None:
    """After ``actor`` moved the experiment on: tell whoever its next step now waits on."""
    url = english_path("adaption:experiment", slug=experiment.slug)
    tell_who_is_next(
        actor=actor,
        steps=lambda: experiment_steps(actor, experiment),
        what=lambda: _("the experiment “%(title)s”") % {"title": experiment.title},
        url=url,
        about=f"experiment:{experiment.pk}",
    )
