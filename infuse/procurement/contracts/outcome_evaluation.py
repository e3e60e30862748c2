"""The use cases of a contract's outcome evaluation: ask for one (it runs in the background)
and read those the reader may see. The work itself is in ``outcomes`` (the panel and the
engine) and ``outcome_tasks`` (the background task)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from infuse.core import audit
from infuse.core.errors import FieldProblem, InvalidInput
from infuse.core.models import Person, TaskProgress
from infuse.core.progress import enqueue_tracked
from infuse.datalab.catalogue import services as data
from infuse.procurement.challenges.services import require_runs, visible_challenges
from infuse.procurement.contracts.outcome_tasks import evaluate_contract_outcome
from infuse.procurement.contracts.schemas import EvaluationIn
from infuse.procurement.models import Contract, OutcomeEvaluation


def evaluate_outcome(
    *, actor: Person, contract: Contract, evaluation_in: EvaluationIn
) -> OutcomeEvaluation:
    """Queue the evaluation of one of the contract's outcome indicators (those who run the
    challenge ask for it; the answer appears on the contract, the indicator and what works)."""
    require_runs(actor, contract.award.phase.challenge)
    problems = []
    indicator = contract.outcome_indicators.filter(slug=evaluation_in.indicator).first()
    if indicator is None:
        problems.append(
            FieldProblem(
                "indicator",
                _("Choose one of the indicators the contract reports against"),
                value=evaluation_in.indicator,
            )
        )
    if evaluation_in.method not in OutcomeEvaluation.Method.values:
        problems.append(
            FieldProblem("method", _("Choose difference in differences or synthetic control"))
        )
    if problems or indicator is None:
        raise InvalidInput(problems=problems)
    with transaction.atomic():
        progress = TaskProgress.objects.create(
            kind="procurement.evaluation",
            owner=actor,
            subject_view="procurement:contract",
            subject_kwargs={"pk": contract.pk},
            subject_anchor="evaluations",
        )
        evaluation = OutcomeEvaluation.objects.create(
            contract=contract,
            indicator=indicator,
            method=evaluation_in.method,
            progress=progress,
            created_by=actor,
        )
        audit.record_event(
            actor=actor,
            action="contract.evaluation_requested",
            obj=contract,
            after={"indicator": indicator.slug, "method": evaluation_in.method},
        )
        transaction.on_commit(
            lambda: enqueue_tracked(
                progress, evaluate_contract_outcome, evaluation.pk, str(progress.pk)
            )
        )
    return evaluation


def evaluations(actor: Any, **where: Any) -> list[OutcomeEvaluation]:
    """The current finished evaluations ``actor`` may see — of contracts from challenges they
    may see, on indicators they may see — the newest of each contract, indicator and method
    (``where`` narrows them: ``indicator=…``, ``contract=…``)."""
    shown = visible_challenges(actor).values_list("pk", flat=True)
    found = (
        OutcomeEvaluation.objects.filter(
            contract__award__phase__challenge__in=shown,
            indicator__in=data.visible_indicators(actor),
            estimate__isnull=False,
            **where,
        )
        .select_related("contract__supplier", "contract__award__phase__challenge", "indicator")
        .order_by("-created_at", "-pk")
    )
    return _newest(found)


def _newest(found: Iterable[OutcomeEvaluation]) -> list[OutcomeEvaluation]:
    """The newest evaluation of each contract, indicator and method (in the order given)."""
    seen: set[tuple[int, int, str]] = set()
    kept = []
    for evaluation in found:
        key = (evaluation.contract_id, evaluation.indicator_id, evaluation.method)
        if key not in seen:
            seen.add(key)
            kept.append(evaluation)
    return kept


def latest_runs(contract: Contract) -> list[OutcomeEvaluation]:
    """The newest run of each indicator and method on the contract, finished or not."""
    return _newest(
        contract.evaluations.select_related("indicator", "progress").order_by("-created_at", "-pk")
    )
