"""Use cases of the decisions: the evidence level the results suggest, recording the decision
(scale, adapt or stop, which moves the experiment to decided), and turning a decision to scale
into a new stepped-wedge experiment (which moves the original to scaling)."""

from __future__ import annotations

import math

from django.db import transaction
from django.utils.translation import gettext as _

from infuse.adaption.analysis.results import excludes_no_effect, has_interval
from infuse.adaption.decisions.schemas import DecisionIn, ScaleUpIn
from infuse.adaption.models import AnalysisRun, Decision, Design, Experiment, Outcome
from infuse.adaption.registry.lifecycle import check_transition
from infuse.adaption.registry.schemas import ExperimentIn
from infuse.adaption.registry.services import add_entry, locked_for, record_move
from infuse.core.errors import Conflict, FieldProblem, InvalidInput, PermissionDenied
from infuse.core.models import Person
from infuse.core.permissions import can


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
    effect = run.primary_effect
    if effect is None or not math.isfinite(effect.estimate) or not has_interval(effect):
        return 1, "no-estimate"
    if not excludes_no_effect(effect):
        return 2, "no-clear-effect"
    parent = experiment.scaled_from
    parent_decision = parent.decisions.first() if parent else None
    parent_level = parent_decision.evidence_level if parent_decision else 0
    if parent_level >= 3:
        return 4, "replicated"
    return 3, "causal"


def _decision_problems(decision_in: DecisionIn, level: int) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    if decision_in.choice not in Decision.Choice.values:
        problems.append(FieldProblem("choice", _("Choose scale, adapt or stop")))
    if not decision_in.rationale.strip() and not decision_in.rationale_cy.strip():
        message = _("Say why, in English or in Welsh: the rationale is kept with the decision")
        problems.append(FieldProblem("rationale", message))
    if level not in Decision.EvidenceLevel.values:
        problems.append(FieldProblem("evidence_level", _("Choose a level from 1 to 5")))
    cost = decision_in.cost_per_unit_pence
    if cost is not None and cost < 0:
        problems.append(FieldProblem("cost_per_unit_pence", _("The cost cannot be negative")))
    if cost is not None and not decision_in.cost_unit.strip():
        message = _("Say what the cost is per, for example per GP visit avoided")
        problems.append(FieldProblem("cost_unit", message))
    return problems


def decide(*, actor: Person, experiment: Experiment, decision_in: DecisionIn) -> Decision:
    """Record the decision (scale, adapt or stop) and move the experiment to decided."""
    if not can(actor, "adaption.change_experiment", experiment):
        raise PermissionDenied()
    check_transition(experiment.status, "decide")
    suggested, _reason = suggest_evidence_level(experiment)
    level = decision_in.evidence_level or suggested
    problems = _decision_problems(decision_in, level)
    if problems:
        raise InvalidInput(problems=problems)
    with transaction.atomic():
        locked, step = locked_for(experiment, "decide")
        decision = Decision.objects.create(
            experiment=locked,
            analysis=locked.analyses.filter(state=AnalysisRun.State.DONE).first(),
            choice=decision_in.choice,
            rationale_en=decision_in.rationale.strip(),
            rationale_cy=decision_in.rationale_cy.strip(),
            cost_per_unit_pence=decision_in.cost_per_unit_pence,
            cost_unit=decision_in.cost_unit.strip(),
            evidence_level=level,
            suggested_level=suggested,
            decided_by=actor,
        )
        record_move(
            actor=actor,
            experiment=locked,
            step=step,
            action="experiment.decided",
            choice=decision.choice,
            evidence_level=level,
            suggested_level=suggested,
            cost_per_unit_pence=decision.cost_per_unit_pence,
        )
    experiment.refresh_from_db()
    return decision


def scale_up(*, actor: Person, experiment: Experiment, scale_up_in: ScaleUpIn) -> Experiment:
    """Turn a decision to scale into a new stepped-wedge experiment over the councils, in their
    roll-out order (with the same entry and outcomes), and move the original to scaling. One
    call, all or nothing."""
    if not can(actor, "adaption.change_experiment", experiment):
        raise PermissionDenied()
    decision = experiment.decisions.first()
    if decision is None or decision.choice != Decision.Choice.SCALE:
        raise Conflict(_("Only a decision to scale can become a scale-up."))
    check_transition(experiment.status, "scale")
    order = list(dict.fromkeys(scale_up_in.councils))
    if len(order) < 2:
        message = _("A roll-out needs at least two councils, in order")
        raise InvalidInput(problems=[FieldProblem("councils", message)])
    entry = ExperimentIn.of(
        experiment,
        title_en=scale_up_in.title_en.strip() or f"Scale-up: {experiment.title_en}",
        title_cy=scale_up_in.title_cy.strip()
        or f"Ehangu: {experiment.title_cy or experiment.title_en}",
        design=Design.STEPPED_WEDGE.value,
        councils=order,
    )
    with transaction.atomic():
        locked, step = locked_for(experiment, "scale")
        # The roll-out order the decision named is kept for the new design's schedule.
        child = add_entry(
            actor=actor,
            experiment_in=entry,
            scaled_from=locked,
            design_parameters={"roll_out_order": order},
        )
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
        record_move(
            actor=actor,
            experiment=locked,
            step=step,
            action="experiment.scaled_up",
            scale_up=child.slug,
            order=order,
        )
    experiment.refresh_from_db()
    return child
