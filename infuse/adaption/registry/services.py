"""Use cases of the registry: an experiment's entry, its outcomes, its moves along the
lifecycle, and reading it (one experiment, the learning library).

Each change checks permission, makes the change and writes its audit event in one transaction,
and raises typed errors (InvalidInput with field problems named as in the schemas, Conflict for
a move the lifecycle does not allow). The other slices build on this one: they add an entry
(a scale-up), check that an entry may still change, and move an experiment along its lifecycle
through :func:`locked_for` and :func:`record_move`, so every move is checked and audited alike.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from infuse.adaption.models import (
    COUNCIL_UNITS,
    AnalysisRun,
    Design,
    Experiment,
    Outcome,
    Status,
)
from infuse.adaption.registry.lifecycle import Transition, check_transition
from infuse.adaption.registry.outcome_data import column_names
from infuse.adaption.registry.schemas import ExperimentIn, LibraryQuery, OutcomeIO
from infuse.adaption.registry.steps import announce_next
from infuse.core import audit
from infuse.core.errors import Conflict, FieldProblem, InvalidInput, NotFound, PermissionDenied
from infuse.core.models import Council, Organisation, Person, Theme, WayOfWorking, WellbeingGoal
from infuse.core.permissions import (
    VISIBLE_TO_PUBLIC,
    can,
    data_organisations,
    is_programme_admin,
    is_region_member,
)
from infuse.core.slugs import unique_slug
from infuse.datalab.catalogue import services as data

EDITABLE = frozenset({Status.DRAFT, Status.DESIGNED})
TEXTS = (
    "title_en",
    "title_cy",
    "problem_en",
    "problem_cy",
    "hypothesis_en",
    "hypothesis_cy",
    "intervention_en",
    "intervention_cy",
)


# --- The registry entry ------------------------------------------------------------------------


def _entry_problems(actor: Person, entry: ExperimentIn, owner: Organisation | None) -> list[Any]:
    problems: list[FieldProblem] = []
    if not entry.title_en.strip():
        problems.append(FieldProblem("title_en", _("Enter the title in English")))
    if not entry.title_cy.strip():
        problems.append(FieldProblem("title_cy", _("Enter the title in Welsh")))
    if entry.design not in Design.values:
        problems.append(FieldProblem("design", _("Choose one of the designs listed")))
    if owner is None or owner.pk not in data_organisations(actor):
        problems.append(FieldProblem("owner", _("Choose an organisation you work with data for")))
    known = set(
        Council.objects.filter(gss_code__in=entry.councils).values_list("gss_code", flat=True)
    )
    if set(entry.councils) - known:
        problems.append(FieldProblem("councils", _("Choose councils from the list")))
    if entry.design in COUNCIL_UNITS and len(set(entry.councils)) < 2:
        problems.append(
            FieldProblem(
                "councils", _("A cluster or stepped-wedge design needs at least two councils")
            )
        )
    ways = set(WayOfWorking.objects.values_list("code", flat=True))
    if set(entry.ways_of_working) - ways:
        problems.append(FieldProblem("ways_of_working", _("Unknown way of working")))
    return problems


def _checked_owner(actor: Person, entry: ExperimentIn) -> Organisation:
    """The owning organisation, once the whole entry is checked (InvalidInput otherwise)."""
    owner = Organisation.objects.filter(slug=entry.owner).first()
    problems = _entry_problems(actor, entry, owner)
    if problems:
        raise InvalidInput(problems=problems)
    assert owner is not None
    return owner


def _write_entry(experiment: Experiment, entry: ExperimentIn, owner: Organisation) -> None:
    for name in TEXTS:
        setattr(experiment, name, str(getattr(entry, name)).strip())
    experiment.design = entry.design
    experiment.public = entry.public
    experiment.ways_of_working = {
        k: v.strip() for k, v in entry.ways_of_working.items() if v.strip()
    }
    experiment.owner = owner
    experiment.updated_at = timezone.now()
    experiment.save()
    experiment.councils.set(Council.objects.filter(gss_code__in=entry.councils))
    experiment.themes.set(Theme.objects.filter(code__in=entry.themes))
    experiment.goals.set(WellbeingGoal.objects.filter(code__in=entry.goals))


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


def add_entry(*, actor: Person, experiment_in: ExperimentIn, **columns: Any) -> Experiment:
    """Check an entry and add it as a draft, audited, inside the caller's transaction.

    For use cases that have checked their own permission: adding an experiment, and a scale-up
    (which passes ``scaled_from`` and its ``design_parameters`` as ``columns``).
    """
    owner = _checked_owner(actor, experiment_in)
    experiment = Experiment(
        slug=unique_slug(Experiment, experiment_in.title_en, fallback="experiment"),
        created_by=actor,
        **columns,
    )
    _write_entry(experiment, experiment_in, owner)
    audit.record_event(
        actor=actor, action="experiment.created", obj=experiment, after=summary(experiment)
    )
    return experiment


def create_experiment(*, actor: Person, experiment_in: ExperimentIn) -> Experiment:
    """Add an experiment to the registry, as a draft owned by one of the actor's organisations."""
    if not can(actor, "adaption.add_experiment"):
        raise PermissionDenied()
    with transaction.atomic():
        return add_entry(actor=actor, experiment_in=experiment_in)


def check_editable(actor: Any, experiment: Experiment) -> None:
    """Refuse a change to the entry, its outcomes or its design unless ``actor`` works on the
    experiment and it is still a draft or designed (once registered, the protocol rules)."""
    if not can(actor, "adaption.change_experiment", experiment):
        raise PermissionDenied()
    if experiment.status not in EDITABLE:
        raise Conflict(
            _("A %(status)s experiment's entry is fixed; amend its protocol instead.")
            % {"status": Status(experiment.status).label}
        )


def update_experiment(
    *, actor: Person, experiment: Experiment, experiment_in: ExperimentIn
) -> Experiment:
    """Change the entry while the experiment is a draft or designed (not once registered)."""
    check_editable(actor, experiment)
    owner = _checked_owner(actor, experiment_in)
    with transaction.atomic():
        before = summary(experiment)
        _write_entry(experiment, experiment_in, owner)
        audit.record_event(
            actor=actor,
            action="experiment.updated",
            obj=experiment,
            before=before,
            after=summary(experiment),
        )
    return experiment


# --- Outcomes ----------------------------------------------------------------------------------


def _outcome(
    actor: Person, experiment: Experiment, position: int, item: OutcomeIO
) -> tuple[Outcome | None, list[FieldProblem]]:
    """One outcome row (not saved) and the problems with it."""
    where = f"outcomes[{position + 1}]"
    if item.kind not in Outcome.Kind.values:
        return None, [FieldProblem(where, _("Say whether the outcome is primary or secondary"))]
    if not item.name.strip() and not item.name_cy.strip():
        return None, [FieldProblem(where, _("Name the outcome, in English or in Welsh"))]
    outcome = Outcome(
        experiment=experiment,
        kind=item.kind,
        name_en=item.name.strip(),
        name_cy=item.name_cy.strip(),
        position=position,
    )
    problems = []
    try:
        if item.dataset:
            outcome.dataset = data.get_dataset(actor=actor, slug=item.dataset)
            version = outcome.dataset.latest_version
            if item.column and item.column not in (column_names(version) if version else set()):
                message = _("The dataset ‘%(dataset)s’ has no column ‘%(column)s’")
                values = {"dataset": outcome.dataset.slug, "column": item.column}
                problems.append(FieldProblem(where, message % values))
            outcome.column = item.column
        if item.indicator:
            outcome.indicator = data.get_indicator(actor=actor, slug=item.indicator)
    except NotFound:
        return None, [
            FieldProblem(where, _("No dataset or indicator of that name that you may see"))
        ]
    return outcome, problems


def set_outcomes(
    *, actor: Person, experiment: Experiment, outcomes: Sequence[OutcomeIO]
) -> list[Outcome]:
    """Replace the experiment's outcomes; each names a dataset column or an indicator."""
    check_editable(actor, experiment)
    problems: list[FieldProblem] = []
    rows: list[Outcome] = []
    for position, item in enumerate(outcomes):
        outcome, found = _outcome(actor, experiment, position, item)
        problems += found
        if outcome is not None:
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


# --- Moves along the lifecycle -----------------------------------------------------------------


def locked_for(experiment: Experiment, transition: str) -> tuple[Experiment, Transition]:
    """Inside a transaction: the experiment's row, locked, and ``transition`` checked again
    under the lock (a concurrent move that got there first is refused, never overwritten)."""
    row = Experiment.objects.select_for_update().get(pk=experiment.pk)
    return row, check_transition(row.status, transition)


def record_move(
    *, actor: Person, experiment: Experiment, step: Transition, action: str, **after: Any
) -> None:
    """Move a locked experiment to the state ``step`` leads to and audit it as ``action``
    (``after`` adds what the move made: the protocol, the decision, the scale-up)."""
    before = experiment.status
    experiment.status = step.target
    experiment.updated_at = timezone.now()
    fields = ["status", "updated_at"]
    if step.target == Status.RUNNING and experiment.launched_at is None:
        experiment.launched_at = experiment.updated_at
        fields.append("launched_at")
    experiment.save(update_fields=fields)
    audit.record_event(
        actor=actor,
        action=action,
        obj=experiment,
        before={"status": before},
        after={"status": experiment.status, **after},
    )


def check_move(*, actor: Any, experiment: Experiment, transition: str) -> None:
    """Raise the reason ``actor`` may not make this move now (nothing when they may): the
    confirmation page asks it before it offers the button, and :func:`move` before it acts."""
    if not can(actor, "adaption.change_experiment", experiment):
        raise PermissionDenied()
    if transition == "register":
        raise Conflict(_("Register the experiment by registering its protocol."))
    if transition in ("decide", "scale"):
        raise Conflict(_("Record the decision (and any scale-up plan) on its own page."))
    check_transition(experiment.status, transition)
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
    if transition == "analyse" and not experiment.analyses.exists():
        raise Conflict(_("Run the analysis before marking the experiment analysed."))


def can_move(actor: Any, experiment: Experiment, transition: str) -> bool:
    """Whether ``actor`` may make this move now (the page offers only those)."""
    try:
        check_move(actor=actor, experiment=experiment, transition=transition)
    except (PermissionDenied, Conflict, InvalidInput):
        return False
    return True


def move(*, actor: Person, experiment: Experiment, transition: str) -> Experiment:
    """Move the experiment along its lifecycle (registration and decisions have their own
    use cases, which move it as part of what they record)."""
    check_move(actor=actor, experiment=experiment, transition=transition)
    with transaction.atomic():
        locked, step = locked_for(experiment, transition)
        record_move(actor=actor, experiment=locked, step=step, action=f"experiment.{transition}")
        experiment.refresh_from_db()
        announce_next(actor, experiment)
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


def result_of(experiment: Experiment) -> str:
    """What the latest finished analysis found: "effect" (its interval excludes no effect),
    "no-clear-effect", or "not-analysed" (no analysis, or no interval to judge)."""
    run = experiment.analyses.filter(state=AnalysisRun.State.DONE).first()
    effect = run.primary_effect if run else None
    if effect is None or not (math.isfinite(effect.ci_low) and math.isfinite(effect.ci_high)):
        return "not-analysed"
    return "effect" if effect.ci_low > 0 or effect.ci_high < 0 else "no-clear-effect"


def search_experiments(actor: Any, query: LibraryQuery) -> QuerySet[Experiment]:
    """The learning library: the experiments ``actor`` may read, filtered."""
    experiments = visible_experiments(actor)
    if query.q.strip():
        words = query.q.strip()
        experiments = experiments.filter(
            Q(title_en__icontains=words)
            | Q(title_cy__icontains=words)
            | Q(problem_en__icontains=words)
            | Q(problem_cy__icontains=words)
            | Q(hypothesis_en__icontains=words)
            | Q(intervention_en__icontains=words)
        )
    related = {"theme": "themes__code", "goal": "goals__code", "council": "councils__gss_code"}
    for name in ("design", "status", "theme", "goal", "council"):
        if value := getattr(query, name):
            experiments = experiments.filter(**{related.get(name, name): value})
    experiments = experiments.distinct()
    if query.result:
        # Judged from each experiment's latest finished analysis (few per region: fine in Python).
        keep = [e.pk for e in experiments if result_of(e) == query.result]
        experiments = experiments.filter(pk__in=keep)
    return experiments


def get_experiment(*, actor: Any, slug: str) -> Experiment:
    """The experiment ``slug`` if ``actor`` may read it (NotFound otherwise, saying nothing)."""
    experiment = Experiment.objects.select_related("owner").filter(slug=slug).first()
    if experiment is None or not can(actor, "adaption.view_experiment", experiment):
        raise NotFound()
    return experiment
