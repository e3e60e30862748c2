"""Use cases of the Adaption Lab: the only code that changes experiments, protocols and
allocations. Each call checks permission, makes the change and writes its audit event in one
transaction, and raises typed errors (InvalidInput with field problems, Conflict for a move
the lifecycle does not allow)."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from infuse.adaption.analysis import MappingError
from infuse.adaption.lifecycle import check_transition
from infuse.adaption.models import (
    COUNCIL_UNITS,
    RANDOMISED,
    Allocation,
    AnalysisRun,
    Decision,
    Design,
    Experiment,
    Outcome,
    Protocol,
    Status,
)
from infuse.adaption.quasi_design import QuasiInputs
from infuse.analytics.quoting import select_columns
from infuse.core import audit
from infuse.core.errors import Conflict, FieldProblem, InvalidInput, NotFound, PermissionDenied
from infuse.core.models import (
    Council,
    Organisation,
    Person,
    TaskProgress,
    Theme,
    WayOfWorking,
    WellbeingGoal,
)
from infuse.core.permissions import (
    VISIBLE_TO_PUBLIC,
    can,
    data_organisations,
    is_programme_admin,
    is_region_member,
)
from infuse.core.progress import enqueue_tracked
from infuse.core.slugs import unique_slug
from infuse.datalab.catalogue import services as data
from infuse.stats import (
    balance_table,
    randomise_clusters,
    randomise_complete,
    randomise_stepped_wedge,
    randomise_stratified,
)

EDITABLE = frozenset({Status.DRAFT, Status.DESIGNED})


# --- The registry entry ------------------------------------------------------------------------


@dataclass
class ExperimentFields:
    """What a person writes about an experiment (the registry entry)."""

    title_en: str
    title_cy: str
    owner: Organisation | None
    design: str
    problem_en: str = ""
    problem_cy: str = ""
    hypothesis_en: str = ""
    hypothesis_cy: str = ""
    intervention_en: str = ""
    intervention_cy: str = ""
    councils: list[str] = field(default_factory=list)  # GSS codes
    themes: list[str] = field(default_factory=list)
    goals: list[str] = field(default_factory=list)
    ways_of_working: dict[str, str] = field(default_factory=dict)
    public: bool = False


def _check_fields(actor: Person, fields: ExperimentFields) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    if not fields.title_en.strip():
        problems.append(FieldProblem("title_en", _("Enter the title in English")))
    if not fields.title_cy.strip():
        problems.append(FieldProblem("title_cy", _("Enter the title in Welsh")))
    if fields.design not in Design.values:
        problems.append(FieldProblem("design", _("Choose one of the designs listed")))
    if fields.owner is None or fields.owner.pk not in data_organisations(actor):
        problems.append(FieldProblem("owner", _("Choose an organisation you work with data for")))
    known = set(
        Council.objects.filter(gss_code__in=fields.councils).values_list("gss_code", flat=True)
    )
    if set(fields.councils) - known:
        problems.append(FieldProblem("councils", _("Choose councils from the list")))
    if fields.design in COUNCIL_UNITS and len(set(fields.councils)) < 2:
        problems.append(
            FieldProblem(
                "councils", _("A cluster or stepped-wedge design needs at least two councils")
            )
        )
    ways = set(WayOfWorking.objects.values_list("code", flat=True))
    if set(fields.ways_of_working) - ways:
        problems.append(FieldProblem("ways_of_working", _("Unknown way of working")))
    return problems


def _apply(experiment: Experiment, fields: ExperimentFields) -> None:
    for name in (
        "title_en",
        "title_cy",
        "problem_en",
        "problem_cy",
        "hypothesis_en",
        "hypothesis_cy",
        "intervention_en",
        "intervention_cy",
    ):
        setattr(experiment, name, str(getattr(fields, name)).strip())
    experiment.design = fields.design
    experiment.public = fields.public
    experiment.ways_of_working = {
        k: v.strip() for k, v in fields.ways_of_working.items() if v.strip()
    }
    assert fields.owner is not None
    experiment.owner = fields.owner
    experiment.updated_at = timezone.now()


def _relations(experiment: Experiment, fields: ExperimentFields) -> None:
    experiment.councils.set(Council.objects.filter(gss_code__in=fields.councils))
    experiment.themes.set(Theme.objects.filter(code__in=fields.themes))
    experiment.goals.set(WellbeingGoal.objects.filter(code__in=fields.goals))


def summary(experiment: Experiment) -> dict[str, Any]:
    """What the audit log keeps of an experiment's entry."""
    return {
        "title_en": experiment.title_en,
        "design": experiment.design,
        "owner": experiment.owner.slug,
        "status": experiment.status,
        "public": experiment.public,
        "councils": sorted(c.gss_code for c in experiment.councils.all()),
    }


def create_experiment(*, actor: Person, fields: ExperimentFields) -> Experiment:
    """Add an experiment to the registry, as a draft owned by one of the actor's organisations."""
    if not can(actor, "adaption.add_experiment"):
        raise PermissionDenied()
    problems = _check_fields(actor, fields)
    if problems:
        raise InvalidInput(problems=problems)
    with transaction.atomic():
        experiment = Experiment(
            slug=unique_slug(Experiment, fields.title_en, fallback="experiment"), created_by=actor
        )
        _apply(experiment, fields)
        experiment.save()
        _relations(experiment, fields)
        audit.record_event(
            actor=actor, action="experiment.created", obj=experiment, after=summary(experiment)
        )
    return experiment


def _editable(actor: Person, experiment: Experiment) -> None:
    if not can(actor, "adaption.change_experiment", experiment):
        raise PermissionDenied()
    if experiment.status not in EDITABLE:
        raise Conflict(
            _("A %(status)s experiment's entry is fixed; amend its protocol instead.")
            % {"status": Status(experiment.status).label}
        )


def update_experiment(
    *, actor: Person, experiment: Experiment, fields: ExperimentFields
) -> Experiment:
    """Change the entry while the experiment is a draft or designed (not once registered)."""
    _editable(actor, experiment)
    problems = _check_fields(actor, fields)
    if problems:
        raise InvalidInput(problems=problems)
    with transaction.atomic():
        before = summary(experiment)
        _apply(experiment, fields)
        experiment.save()
        _relations(experiment, fields)
        audit.record_event(
            actor=actor,
            action="experiment.updated",
            obj=experiment,
            before=before,
            after=summary(experiment),
        )
    return experiment


@dataclass
class OutcomeFields:
    kind: str  # "primary" or "secondary"
    name: str
    dataset: str = ""  # Data Lab dataset slug
    column: str = ""
    indicator: str = ""  # Data Lab indicator slug


def set_outcomes(
    *, actor: Person, experiment: Experiment, outcomes: Sequence[OutcomeFields]
) -> list[Outcome]:
    """Replace the experiment's outcomes; each names a dataset column or an indicator."""

    _editable(actor, experiment)
    problems: list[FieldProblem] = []
    rows: list[Outcome] = []
    for position, item in enumerate(outcomes):
        where = f"outcomes[{position + 1}]"
        if item.kind not in Outcome.Kind.values:
            problems.append(
                FieldProblem(where, _("Say whether the outcome is primary or secondary"))
            )
            continue
        if not item.name.strip():
            problems.append(FieldProblem(where, _("Name the outcome")))
            continue
        outcome = Outcome(
            experiment=experiment, kind=item.kind, name=item.name.strip(), position=position
        )
        try:
            if item.dataset:
                dataset = data.get_dataset(actor=actor, slug=item.dataset)
                outcome.dataset = dataset
                version = dataset.latest_version
                columns = {f["name"] for f in version.fields} if version else set()
                if item.column and item.column not in columns:
                    problems.append(
                        FieldProblem(
                            where,
                            _("The dataset ‘%(dataset)s’ has no column ‘%(column)s’")
                            % {"dataset": dataset.slug, "column": item.column},
                        )
                    )
                outcome.column = item.column
            if item.indicator:
                outcome.indicator = data.get_indicator(actor=actor, slug=item.indicator)
        except NotFound:
            problems.append(
                FieldProblem(where, _("No dataset or indicator of that name that you may see"))
            )
            continue
        rows.append(outcome)
    if sum(1 for o in rows if o.kind == Outcome.Kind.PRIMARY) > 1:
        problems.append(FieldProblem("outcomes", _("Choose one primary outcome")))
    if problems:
        raise InvalidInput(problems=problems)
    with transaction.atomic():
        before = [o.name for o in experiment.outcomes.all()]
        experiment.outcomes.all().delete()
        Outcome.objects.bulk_create(rows)
        experiment.updated_at = timezone.now()
        experiment.save(update_fields=["updated_at"])
        audit.record_event(
            actor=actor,
            action="experiment.outcomes_set",
            obj=experiment,
            before={"outcomes": before},
            after={"outcomes": [f"{o.kind}: {o.name}" for o in rows]},
        )
    return list(experiment.outcomes.all())


def save_design(
    *, actor: Person, experiment: Experiment, parameters: dict[str, Any], result: dict[str, Any]
) -> Experiment:
    """Keep the design page's inputs and the engine's answer with the experiment."""
    _editable(actor, experiment)
    with transaction.atomic():
        before = experiment.design_parameters
        experiment.design_parameters = {"inputs": parameters, "result": result}
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


def queue_power_simulation(
    *, actor: Person, experiment: Experiment, n_simulations: int = 2_000
) -> TaskProgress:
    """Check the saved design's power by simulation, as a background task with progress."""
    from infuse.adaption.tasks import simulate_power

    _editable(actor, experiment)
    if not experiment.design_parameters.get("result"):
        raise Conflict(_("Save a design first: the simulation checks its answer."))
    seed = secrets.randbits(31)
    return _queue_design_task(
        actor,
        experiment,
        simulate_power,
        "simulation",
        [n_simulations, seed],
        {"n_simulations": n_simulations, "seed": seed},
    )


def _queue_design_task(
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
        progress = TaskProgress.objects.create(kind=f"adaption.{name}", owner=actor)
        enqueue_tracked(progress, task, experiment.pk, str(progress.pk), *arguments)
        experiment.design_parameters = {
            **experiment.design_parameters,
            f"{name}_progress": str(progress.pk),
        }
        experiment.save(update_fields=["design_parameters"])
        audit.record_event(
            actor=actor, action=f"experiment.{name}_queued", obj=experiment, after=logged
        )
    return progress


def queue_history_plan(
    *, actor: Person, experiment: Experiment, inputs: QuasiInputs
) -> TaskProgress:
    """Plan a quasi-experiment from its outcome's past: placebo trials as a background task.

    The history is read and checked here, so a plan it cannot support is refused at once
    with the field to change; the task reads it again (as the same person) and saves the plan.
    """
    from infuse.adaption.history import load_history
    from infuse.adaption.quasi_design import METHODS, check
    from infuse.adaption.tasks import plan_from_history

    _editable(actor, experiment)
    if experiment.design not in METHODS:
        raise Conflict(_("Only quasi-experiments are planned from past data."))
    try:
        history = load_history(
            experiment,
            actor=actor,
            council_column=inputs.council_column,
            period_column=inputs.period_column,
        )
    except MappingError as error:
        raise InvalidInput(problems=[FieldProblem(error.field, error.text())]) from None
    treated = set(experiment.councils.values_list("gss_code", flat=True))
    check(experiment.design, inputs, history, treated)
    seed = secrets.randbits(31)
    return _queue_design_task(
        actor,
        experiment,
        plan_from_history,
        "history",
        [inputs.to_dict(), seed, actor.pk],
        {"inputs": inputs.to_dict(), "seed": seed, "source": history.source},
    )


def move(*, actor: Person, experiment: Experiment, transition: str) -> Experiment:
    """Move the experiment along its lifecycle (registration has its own service)."""
    if not can(actor, "adaption.change_experiment", experiment):
        raise PermissionDenied()
    if transition == "register":
        raise Conflict(_("Register the experiment by registering its protocol."))
    if transition in ("decide", "scale"):
        raise Conflict(_("Record the decision (and any scale-up plan) on its own page."))
    step = check_transition(experiment.status, transition)
    if (
        transition == "design"
        and not experiment.outcomes.filter(kind=Outcome.Kind.PRIMARY).exists()
    ):
        raise InvalidInput(
            problems=[
                FieldProblem("outcomes", _("Name the primary outcome before the design is done"))
            ]
        )
    if transition == "launch" and experiment.is_randomised and experiment.latest_allocation is None:
        raise Conflict(_("Randomise before launching: a randomised design needs its allocation."))
    with transaction.atomic():
        locked = Experiment.objects.select_for_update().get(pk=experiment.pk)
        step = check_transition(locked.status, transition)  # again, under the lock
        before = locked.status
        locked.status = step.target
        locked.updated_at = timezone.now()
        locked.save(update_fields=["status", "updated_at"])
        audit.record_event(
            actor=actor,
            action=f"experiment.{transition}",
            obj=locked,
            before={"status": before},
            after={"status": locked.status},
        )
    experiment.refresh_from_db()
    return experiment


# --- Reading ---------------------------------------------------------------------------------


def visible_experiments(actor: Any) -> QuerySet[Experiment]:
    """Every experiment ``actor`` may read (the public: registered ones marked public)."""
    experiments = Experiment.objects.select_related("owner")
    if is_programme_admin(actor) or is_region_member(actor):
        return experiments
    condition = Q(public=True, status__in=VISIBLE_TO_PUBLIC)
    organisations = data_organisations(actor)
    if organisations:
        condition |= Q(owner_id__in=organisations)
    return experiments.filter(condition)


@dataclass(frozen=True)
class LibraryQuery:
    text: str = ""
    design: str = ""
    status: str = ""
    theme: str = ""
    goal: str = ""
    council: str = ""
    result: str = ""  # "effect" (interval excludes no effect), "no-clear-effect", "not-analysed"


def _result_of(experiment: Experiment) -> str:
    run = experiment.analyses.filter(state=AnalysisRun.State.DONE).first()
    primary = (run.result or {}).get("primary") if run else None
    if not primary or primary.get("ci_low") is None:
        return "not-analysed"
    return "effect" if primary["ci_low"] > 0 or primary["ci_high"] < 0 else "no-clear-effect"


def search_experiments(actor: Any, query: LibraryQuery) -> QuerySet[Experiment]:
    """The learning library: the experiments ``actor`` may read, filtered."""
    experiments = visible_experiments(actor)
    if query.text.strip():
        words = query.text.strip()
        experiments = experiments.filter(
            Q(title_en__icontains=words)
            | Q(title_cy__icontains=words)
            | Q(problem_en__icontains=words)
            | Q(problem_cy__icontains=words)
            | Q(hypothesis_en__icontains=words)
            | Q(intervention_en__icontains=words)
        )
    if query.design:
        experiments = experiments.filter(design=query.design)
    if query.status:
        experiments = experiments.filter(status=query.status)
    if query.theme:
        experiments = experiments.filter(themes__code=query.theme)
    if query.goal:
        experiments = experiments.filter(goals__code=query.goal)
    if query.council:
        experiments = experiments.filter(councils__gss_code=query.council)
    experiments = experiments.distinct()
    if query.result:
        # Judged from each experiment's latest finished analysis (few per region: fine in Python).
        keep = [e.pk for e in experiments if _result_of(e) == query.result]
        experiments = experiments.filter(pk__in=keep)
    return experiments


def get_experiment(*, actor: Any, slug: str) -> Experiment:
    experiment = Experiment.objects.select_related("owner").filter(slug=slug).first()
    if experiment is None or not can(actor, "adaption.view_experiment", experiment):
        raise NotFound()
    return experiment


# --- Pre-registration ------------------------------------------------------------------------


@dataclass
class ProtocolFields:
    """The protocol's questions, modelled on the AEA RCT Registry and OSF preregistration."""

    hypotheses: str = ""
    sample: str = ""  # who or what is studied, how many, and why that many
    stopping_rule: str = ""
    randomisation_method: str = ""
    randomisation_unit: str = ""
    analysis_plan: str = ""
    exclusions: str = ""
    missing_data: str = ""

    REQUIRED = ("hypotheses", "sample", "stopping_rule", "analysis_plan", "missing_data")


PROTOCOL_LABELS = {
    "hypotheses": _("Hypotheses"),
    "sample": _("Sample and its size"),
    "stopping_rule": _("Stopping rule"),
    "randomisation_method": _("Randomisation method"),
    "randomisation_unit": _("Unit of randomisation"),
    "analysis_plan": _("Analysis plan"),
    "exclusions": _("Exclusions"),
    "missing_data": _("Missing data"),
}


def canonical_json(content: dict[str, Any]) -> bytes:
    """The bytes that are hashed: sorted keys, no spaces, UTF-8 (so the digest is stable)."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def protocol_digest(content: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(content)).hexdigest()


def _protocol_content(experiment: Experiment, fields: ProtocolFields) -> dict[str, Any]:
    """The registered content: the protocol's answers and the entry they are about."""
    return {
        "experiment": experiment.slug,
        "title": {"en": experiment.title_en, "cy": experiment.title_cy or ""},
        "design": experiment.design,
        "councils": sorted(c.gss_code for c in experiment.councils.all()),
        "outcomes": [
            {
                "kind": o.kind,
                "name": o.name,
                "dataset": o.dataset.slug if o.dataset else "",
                "column": o.column,
                "indicator": o.indicator.slug if o.indicator else "",
            }
            for o in experiment.outcomes.select_related("dataset", "indicator")
        ],
        "design_parameters": experiment.design_parameters,
        **{k: v.strip() for k, v in asdict(fields).items()},
    }


def _protocol_problems(experiment: Experiment, fields: ProtocolFields) -> list[FieldProblem]:
    problems = [
        FieldProblem(
            name,
            _("Answer this before registering: %(question)s") % {"question": PROTOCOL_LABELS[name]},
        )
        for name in ProtocolFields.REQUIRED
        if not getattr(fields, name).strip()
    ]
    if experiment.is_randomised:
        for name in ("randomisation_method", "randomisation_unit"):
            if not getattr(fields, name).strip():
                problems.append(
                    FieldProblem(
                        name,
                        _("A randomised design needs this: %(question)s")
                        % {"question": PROTOCOL_LABELS[name]},
                    )
                )
    return problems


def register_protocol(*, actor: Person, experiment: Experiment, fields: ProtocolFields) -> Protocol:
    """Freeze the protocol (version 1, SHA-256, time) and move the experiment to registered."""
    if not can(actor, "adaption.change_experiment", experiment):
        raise PermissionDenied()
    check_transition(experiment.status, "register")
    problems = _protocol_problems(experiment, fields)
    if not experiment.outcomes.filter(kind=Outcome.Kind.PRIMARY).exists():
        problems.append(FieldProblem("outcomes", _("Name the primary outcome before registering")))
    if problems:
        raise InvalidInput(problems=problems)
    with transaction.atomic():
        locked = Experiment.objects.select_for_update().get(pk=experiment.pk)
        check_transition(locked.status, "register")
        content = _protocol_content(locked, fields)
        protocol = Protocol.objects.create(
            experiment=locked,
            version=1,
            content=content,
            sha256=protocol_digest(content),
            registered_by=actor,
        )
        locked.status = Status.REGISTERED
        locked.updated_at = timezone.now()
        locked.save(update_fields=["status", "updated_at"])
        audit.record_event(
            actor=actor,
            action="experiment.registered",
            obj=locked,
            before={"status": Status.DESIGNED},
            after={"status": Status.REGISTERED, "protocol": 1, "sha256": protocol.sha256},
        )
    experiment.refresh_from_db()
    return protocol


def amend_protocol(
    *,
    actor: Person,
    experiment: Experiment,
    fields: ProtocolFields,
    reason: str,
    allows_rerandomisation: bool = False,
) -> Protocol:
    """A new protocol version with its reason; earlier versions stay exactly as registered."""
    if not can(actor, "adaption.change_experiment", experiment):
        raise PermissionDenied()
    latest = experiment.latest_protocol
    if latest is None:
        raise Conflict(_("Register the protocol before amending it."))
    if experiment.status == Status.CLOSED:
        raise Conflict(_("A closed experiment's protocol cannot be amended."))
    problems = _protocol_problems(experiment, fields)
    if not reason.strip():
        problems.append(FieldProblem("reason", _("Say why the protocol is amended")))
    if problems:
        raise InvalidInput(problems=problems)
    content = {**latest.content, **{k: v.strip() for k, v in asdict(fields).items()}}
    if content == latest.content and not allows_rerandomisation:
        raise InvalidInput(problems=[FieldProblem("reason", _("The amendment changes nothing"))])
    with transaction.atomic():
        protocol = Protocol.objects.create(
            experiment=experiment,
            version=latest.version + 1,
            content=content,
            sha256=protocol_digest(content),
            reason=reason.strip(),
            allows_rerandomisation=allows_rerandomisation,
            registered_by=actor,
        )
        audit.record_event(
            actor=actor,
            action="experiment.protocol_amended",
            obj=experiment,
            before={"protocol": latest.version, "sha256": latest.sha256},
            after={
                "protocol": protocol.version,
                "sha256": protocol.sha256,
                "reason": protocol.reason,
                "allows_rerandomisation": allows_rerandomisation,
            },
        )
    return protocol


def protocol_changes(before: Protocol, after: Protocol) -> list[dict[str, Any]]:
    """Each answer that differs between two versions, with its old and new text."""
    changes = []
    for key in sorted(set(before.content) | set(after.content)):
        old, new = before.content.get(key), after.content.get(key)
        if old != new:
            changes.append(
                {
                    "field": key,
                    "label": PROTOCOL_LABELS.get(key, key),
                    "before": old if isinstance(old, str) else json.dumps(old, ensure_ascii=False),
                    "after": new if isinstance(new, str) else json.dumps(new, ensure_ascii=False),
                }
            )
    return changes


# --- Randomisation ---------------------------------------------------------------------------


@dataclass
class RandomiseFields:
    """How to randomise; units are the councils for cluster and stepped-wedge designs, else
    the values of a column of a Data Lab dataset (one row per unit), optionally stratified."""

    seed: int | None = None
    dataset: str = ""
    unit_column: str = ""
    strata_column: str = ""
    n_steps: int | None = None  # stepped wedge: how many steps (default: one per council)


def _council_units(experiment: Experiment) -> tuple[list[str], dict[str, list[Any]]]:
    councils = list(experiment.councils.order_by("gss_code"))
    return [c.gss_code for c in councils], {"population": [c.population for c in councils]}


def _dataset_units(
    actor: Person, fields: RandomiseFields
) -> tuple[list[Any], dict[str, list[Any]] | None, dict[str, Any]]:

    problems: list[FieldProblem] = []
    if not fields.dataset or not fields.unit_column:
        problems.append(FieldProblem("dataset", _("Choose the dataset and the column of units")))
        raise InvalidInput(problems=problems)
    dataset = data.get_dataset(actor=actor, slug=fields.dataset)
    version = dataset.latest_version
    if version is None:
        raise InvalidInput(problems=[FieldProblem("dataset", _("The dataset has no data yet"))])
    columns = {f["name"] for f in version.fields}
    for name in (fields.unit_column, fields.strata_column):
        if name and name not in columns:
            problems.append(
                FieldProblem(
                    "unit_column" if name == fields.unit_column else "strata_column",
                    _("The dataset has no column ‘%(column)s’") % {"column": name},
                )
            )
    if problems:
        raise InvalidInput(problems=problems)
    wanted = select_columns(c for c in (fields.unit_column, fields.strata_column) if c)
    with data.reading_version(version) as connection:
        rows = connection.sql(f"SELECT {wanted} FROM data").fetchall()  # noqa: S608 - quoted
    units = [row[0] for row in rows]
    if any(u is None for u in units) or len(set(units)) != len(units):
        raise InvalidInput(
            problems=[
                FieldProblem(
                    "unit_column",
                    _("Each unit must appear once, with no empty values, in ‘%(column)s’")
                    % {"column": fields.unit_column},
                )
            ]
        )
    if len(units) < 2:
        raise InvalidInput(
            problems=[FieldProblem("unit_column", _("Randomising needs at least two units"))]
        )
    covariates = {fields.strata_column: [row[1] for row in rows]} if fields.strata_column else None
    source = {
        "dataset": dataset.slug,
        "version": version.number,
        "sha256": version.sha256,
        "unit_column": fields.unit_column,
        "strata_column": fields.strata_column,
    }
    return [str(u) for u in units], covariates, source


def randomise(*, actor: Person, experiment: Experiment, fields: RandomiseFields) -> Allocation:
    """Run the randomisation once, with a stored seed; again only if an amendment allows it."""
    if not can(actor, "adaption.randomise_experiment", experiment):
        raise PermissionDenied()
    if not experiment.is_randomised:
        raise Conflict(_("This design is not randomised."))
    if experiment.status != Status.REGISTERED:
        raise Conflict(_("Randomise after registering the protocol and before launching."))
    protocol = experiment.latest_protocol
    assert protocol is not None
    last = experiment.latest_allocation
    if last is not None and not (
        protocol.version > last.protocol.version and protocol.allows_rerandomisation
    ):
        raise Conflict(
            _(
                "The experiment was randomised on %(date)s. Running it again needs a protocol "
                "amendment that allows re-randomisation."
            )
            % {"date": last.created_at.date().isoformat()}
        )
    seed = fields.seed if fields.seed is not None else secrets.randbits(62)
    covariates: dict[str, list[Any]] | None
    if experiment.design in COUNCIL_UNITS:
        units, covariates = _council_units(experiment)
        source: dict[str, Any] = {"councils": units}
        if experiment.design == Design.STEPPED_WEDGE:
            result = randomise_stepped_wedge(
                units, n_steps=fields.n_steps or len(units), seed=seed, covariates=covariates
            )
        else:
            result = randomise_clusters(units, seed=seed, covariates=covariates)
    else:
        units, covariates, source = _dataset_units(actor, fields)
        if fields.strata_column and covariates:
            result = randomise_stratified(
                units, covariates=covariates, strata_by=[fields.strata_column], seed=seed
            )
        else:
            result = randomise_complete(units, seed=seed)
    balance: dict[str, Any] = {}
    if covariates and set(result.arms) >= {"treatment", "control"}:
        numeric = {
            k: v for k, v in covariates.items() if all(isinstance(x, int | float) for x in v)
        }
        if numeric:
            balance = balance_table(numeric, result.assignment).to_dict()
    with transaction.atomic():
        allocation = Allocation.objects.create(
            experiment=experiment,
            protocol=protocol,
            method=result.method,
            seed=seed,
            result=result.to_dict(),
            allocation_digest=result.allocation_digest,
            inputs_digest=result.inputs_digest,
            source=source,
            balance=balance,
            created_by=actor,
        )
        audit.record_event(
            actor=actor,
            action="experiment.randomised",
            obj=experiment,
            after={
                "allocation": allocation.pk,
                "method": result.method,
                "seed": seed,
                "allocation_digest": result.allocation_digest,
                "protocol": protocol.version,
                "counts": result.counts,
            },
        )
    return allocation


# --- Data and analysis -----------------------------------------------------------------------


@dataclass
class MappingFields:
    """Which columns of the outcome data hold what (names of the dataset's columns)."""

    dataset: str
    outcome: str
    unit: str = ""
    arm: str = ""
    cluster: str = ""
    period: str = ""
    secondary: list[str] = field(default_factory=list)
    covariates: list[str] = field(default_factory=list)
    start: str = ""  # quasi-experiments: the first period (a number) under the intervention


def protocol_deviations(
    protocol: Protocol, mapping: dict[str, Any], dataset_slug: str
) -> list[dict[str, str]]:
    """Each way the analysis asked for departs from the registered protocol."""
    deviations: list[dict[str, str]] = []
    registered = protocol.content.get("outcomes", [])
    primary = next((o for o in registered if o.get("kind") == "primary"), None)
    if primary and primary.get("column") and primary["column"] != mapping.get("outcome"):
        deviations.append(
            {
                "key": "primary-outcome",
                "detail": f"registered {primary.get('dataset')}.{primary['column']}, "
                f"analysed {dataset_slug}.{mapping.get('outcome')}",
            }
        )
    if primary and primary.get("dataset") and primary["dataset"] != dataset_slug:
        deviations.append(
            {
                "key": "dataset",
                "detail": f"registered {primary['dataset']}, analysed {dataset_slug}",
            }
        )
    names = {o.get("column") for o in registered if o.get("kind") == "secondary"}
    unregistered = [c for c in mapping.get("secondary", []) if names and c not in names]
    if unregistered:
        deviations.append({"key": "secondary-outcomes", "detail": ", ".join(unregistered)})
    if mapping.get("covariates"):
        deviations.append({"key": "covariates", "detail": ", ".join(mapping["covariates"])})
    return deviations


def attach_data(*, actor: Person, experiment: Experiment, fields: MappingFields) -> AnalysisRun:
    """Attach outcome data (a Data Lab dataset's latest version) and queue the analysis."""
    from infuse.adaption.tasks import run_analysis

    if not can(actor, "adaption.change_experiment", experiment):
        raise PermissionDenied()
    if experiment.status not in (Status.RUNNING, Status.ANALYSED):
        raise Conflict(_("Attach outcome data once the experiment is running."))
    if experiment.design in RANDOMISED and experiment.latest_allocation is None:
        raise Conflict(_("The analysis needs a randomised design and its allocation."))
    if experiment.design not in RANDOMISED and not fields.start.strip():
        raise InvalidInput(
            problems=[
                FieldProblem("start", _("Give the first period of the intervention as a number"))
            ]
        )
    protocol = experiment.latest_protocol
    assert protocol is not None
    dataset = data.get_dataset(actor=actor, slug=fields.dataset)
    version = dataset.latest_version
    if version is None:
        raise InvalidInput(problems=[FieldProblem("dataset", _("The dataset has no data yet"))])
    columns = {f["name"] for f in version.fields}
    problems = [
        FieldProblem(name, _("The dataset has no column ‘%(column)s’") % {"column": value})
        for name in ("outcome", "unit", "arm", "cluster", "period")
        if (value := getattr(fields, name)) and value not in columns
    ]
    problems += [
        FieldProblem("secondary", _("The dataset has no column ‘%(column)s’") % {"column": c})
        for c in [*fields.secondary, *fields.covariates]
        if c not in columns
    ]
    if not fields.outcome:
        problems.append(FieldProblem("outcome", _("Choose the column with the primary outcome")))
    if problems:
        raise InvalidInput(problems=problems)
    mapping = {k: v for k, v in asdict(fields).items() if k != "dataset" and v}
    with transaction.atomic():
        progress = TaskProgress.objects.create(kind="adaption.analysis", owner=actor)
        run = AnalysisRun.objects.create(
            experiment=experiment,
            protocol=protocol,
            dataset_version=version,
            mapping=mapping,
            deviations=protocol_deviations(protocol, mapping, dataset.slug),
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
    """The latest analysis (results follow the allocation's visibility: after launch)."""
    run = experiment.analyses.select_related("protocol", "dataset_version").first()
    if run is None:
        raise NotFound()
    return run


# --- Decision and scale-up -------------------------------------------------------------------


def suggest_evidence_level(experiment: Experiment) -> tuple[int, str]:
    """The Nesta level the design and the result support, with the reason (untranslated key).

    3 needs a randomised (or comparison-group) design whose primary interval excludes no
    effect; 4 needs that again in a scale-up of an experiment that reached 3 (a replication);
    2 is positive change without that confidence; 1 is a described intervention. Level 5
    (manuals and systems for replication) is for people to claim, never suggested.
    """
    run = experiment.analyses.filter(state=AnalysisRun.State.DONE).first()
    if run is None:
        return 1, "no-analysis"
    primary = run.result.get("primary") or {}
    low, high, estimate = primary.get("ci_low"), primary.get("ci_high"), primary.get("estimate")
    if low is None or high is None or estimate is None:
        return 1, "no-estimate"
    clear = low > 0 or high < 0
    if not clear:
        return 2, "no-clear-effect"
    parent = experiment.scaled_from
    parent_decision = parent.decisions.first() if parent else None
    parent_level = parent_decision.evidence_level if parent_decision else 0
    if parent_level >= 3:
        return 4, "replicated"
    return 3, "causal"


@dataclass
class DecisionFields:
    choice: str
    rationale: str
    evidence_level: int | None = None  # None: take the suggestion
    cost_per_unit_pence: int | None = None
    cost_unit: str = ""


def decide(*, actor: Person, experiment: Experiment, fields: DecisionFields) -> Decision:
    """Record the decision (scale, adapt or stop) and move the experiment to decided."""
    if not can(actor, "adaption.change_experiment", experiment):
        raise PermissionDenied()
    check_transition(experiment.status, "decide")
    suggested, _reason = suggest_evidence_level(experiment)
    problems: list[FieldProblem] = []
    if fields.choice not in Decision.Choice.values:
        problems.append(FieldProblem("choice", _("Choose scale, adapt or stop")))
    if not fields.rationale.strip():
        problems.append(
            FieldProblem("rationale", _("Say why: the rationale is kept with the decision"))
        )
    level = fields.evidence_level or suggested
    if level not in Decision.EvidenceLevel.values:
        problems.append(FieldProblem("evidence_level", _("Choose a level from 1 to 5")))
    if fields.cost_per_unit_pence is not None and fields.cost_per_unit_pence < 0:
        problems.append(FieldProblem("cost_per_unit", _("The cost cannot be negative")))
    if fields.cost_per_unit_pence is not None and not fields.cost_unit.strip():
        problems.append(
            FieldProblem(
                "cost_unit", _("Say what the cost is per, for example per GP visit avoided")
            )
        )
    if problems:
        raise InvalidInput(problems=problems)
    with transaction.atomic():
        locked = Experiment.objects.select_for_update().get(pk=experiment.pk)
        check_transition(locked.status, "decide")
        decision = Decision.objects.create(
            experiment=locked,
            analysis=locked.analyses.filter(state=AnalysisRun.State.DONE).first(),
            choice=fields.choice,
            rationale=fields.rationale.strip(),
            cost_per_unit_pence=fields.cost_per_unit_pence,
            cost_unit=fields.cost_unit.strip(),
            evidence_level=level,
            suggested_level=suggested,
            decided_by=actor,
        )
        locked.status = Status.DECIDED
        locked.updated_at = timezone.now()
        locked.save(update_fields=["status", "updated_at"])
        audit.record_event(
            actor=actor,
            action="experiment.decided",
            obj=locked,
            before={"status": Status.ANALYSED},
            after={
                "status": Status.DECIDED,
                "choice": decision.choice,
                "evidence_level": level,
                "suggested_level": suggested,
                "cost_per_unit_pence": decision.cost_per_unit_pence,
            },
        )
    experiment.refresh_from_db()
    return decision


def scale_up(
    *,
    actor: Person,
    experiment: Experiment,
    councils: Sequence[str],
    title_en: str = "",
    title_cy: str = "",
) -> Experiment:
    """Turn a decision to scale into a new stepped-wedge experiment over ``councils``, in
    their roll-out order, and move the original to scaling. One call, all or nothing."""
    if not can(actor, "adaption.change_experiment", experiment):
        raise PermissionDenied()
    decision = experiment.decisions.first()
    if decision is None or decision.choice != Decision.Choice.SCALE:
        raise Conflict(_("Only a decision to scale can become a scale-up."))
    check_transition(experiment.status, "scale")
    order = list(dict.fromkeys(councils))
    if len(order) < 2:
        raise InvalidInput(
            problems=[
                FieldProblem("councils", _("A roll-out needs at least two councils, in order"))
            ]
        )
    fields = ExperimentFields(
        title_en=title_en.strip() or f"Scale-up: {experiment.title_en}",
        title_cy=title_cy.strip() or f"Ehangu: {experiment.title_cy or experiment.title_en}",
        owner=experiment.owner,
        design=Design.STEPPED_WEDGE,
        problem_en=experiment.problem_en or "",
        problem_cy=experiment.problem_cy or "",
        hypothesis_en=experiment.hypothesis_en or "",
        hypothesis_cy=experiment.hypothesis_cy or "",
        intervention_en=experiment.intervention_en or "",
        intervention_cy=experiment.intervention_cy or "",
        councils=order,
        themes=[t.code for t in experiment.themes.all()],
        goals=[g.code for g in experiment.goals.all()],
        ways_of_working=dict(experiment.ways_of_working),
        public=experiment.public,
    )
    problems = _check_fields(actor, fields)
    if problems:
        raise InvalidInput(problems=problems)
    with transaction.atomic():
        locked = Experiment.objects.select_for_update().get(pk=experiment.pk)
        check_transition(locked.status, "scale")
        child = Experiment(
            slug=unique_slug(Experiment, fields.title_en, fallback="experiment"),
            created_by=actor,
            scaled_from=locked,
        )
        _apply(child, fields)
        # The roll-out order the decision named, kept for the new design's schedule.
        child.design_parameters = {"roll_out_order": order}
        child.save()
        _relations(child, fields)
        Outcome.objects.bulk_create(
            [
                Outcome(
                    experiment=child,
                    kind=o.kind,
                    name=o.name,
                    dataset=o.dataset,
                    column=o.column,
                    indicator=o.indicator,
                    position=o.position,
                )
                for o in locked.outcomes.all()
            ]
        )
        locked.status = Status.SCALING
        locked.updated_at = timezone.now()
        locked.save(update_fields=["status", "updated_at"])
        audit.record_event(
            actor=actor,
            action="experiment.scaled_up",
            obj=locked,
            before={"status": Status.DECIDED},
            after={"status": Status.SCALING, "scale_up": child.slug, "order": order},
        )
        audit.record_event(
            actor=actor, action="experiment.created", obj=child, after=summary(child)
        )
    experiment.refresh_from_db()
    return child


def get_allocation(*, actor: Any, experiment: Experiment) -> Allocation:
    """The latest allocation with its units: only for those who may see it before launch."""
    allocation = experiment.latest_allocation
    if allocation is None:
        raise NotFound()
    if not can(actor, "adaption.view_allocation", experiment):
        raise PermissionDenied()
    return allocation
