"""Background work of a contract's outcome evaluation (queued by ``outcome_evaluation``)."""

from __future__ import annotations

import logging
import math
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.tasks import task
from django.urls import reverse
from django.utils.translation import gettext_noop

from infuse import stats
from infuse.core import audit
from infuse.core.progress import ProgressReporter
from infuse.datalab.indicators.publishing import shown_periods
from infuse.procurement.contracts.outcomes import EvaluationProblem, build_panel, evaluate
from infuse.procurement.models import OutcomeEvaluation

logger = logging.getLogger(__name__)
FAILED = gettext_noop("The evaluation could not be done: the contract's page says why.")


def _number(value: float) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


@task()
def evaluate_contract_outcome(evaluation_id: int, progress_id: str) -> dict[str, Any]:
    reporter = ProgressReporter(progress_id)
    if not reporter.claim():
        return {"status": "already-claimed"}
    reporter.start(
        total=1, message=gettext_noop("Comparing the councils with the contract and the others")
    )
    evaluation = OutcomeEvaluation.objects.select_related(
        "contract__award__phase__challenge", "indicator", "created_by"
    ).get(pk=evaluation_id)
    indicator, contract = evaluation.indicator, evaluation.contract
    # The task page links back to the contract, where the answer (or why there is none) is.
    back = {"url": reverse("procurement:contract", kwargs={"pk": contract.pk}) + "#evaluations"}
    # The values the public may see, never those as computed: the effect is published, and an
    # effect fitted on a hidden count would give the count away (solve the model for it).
    values = [
        (v.council.gss_code, period.period, v.value)
        for period in shown_periods(indicator, AnonymousUser())
        for v in period.councils
        if v.council is not None and v.value is not None and not v.suppressed
    ]
    treated = set(contract.award.phase.challenge.councils.values_list("gss_code", flat=True))
    grain = str(indicator.specification.get("period", {}).get("grain", "as_recorded"))
    try:
        panel = build_panel(values, treated=treated, began=contract.starts_on, grain=grain)
        effect, whole = evaluate(panel, evaluation.method, seed=evaluation.pk)
    except EvaluationProblem as problem:
        _failed(evaluation, problem.message, problem.params)
        reporter.fail(FAILED, back)
        return {"status": "failed", "problem": problem.message}
    except ValueError as error:  # the engine refusing these values (too few periods, say)
        logger.info("Evaluation %s refused by the engine: %s", evaluation.pk, error)
        _failed(
            evaluation,
            gettext_noop("The method could not be fitted to these values: %(detail)s"),
            {"detail": str(error)},
        )
        reporter.fail(FAILED, back)
        return {"status": "failed"}
    with transaction.atomic():
        OutcomeEvaluation.objects.filter(pk=evaluation.pk).update(
            treated=panel.treated,
            comparison=panel.comparison,
            first_period_after=panel.labels[panel.start],
            result=stats.to_json(whole),
            estimate=_number(effect.estimate),
            ci_low=_number(effect.ci_low),
            ci_high=_number(effect.ci_high),
            p_value=_number(effect.p_value),
        )
        audit.record_event(
            actor=None,
            action="contract.evaluated",
            obj=contract,
            after={"indicator": indicator.slug, "estimate": _number(effect.estimate)},
        )
    reporter.succeed({**back, "estimate": _number(effect.estimate)})
    return {"status": "done"}


def _failed(evaluation: OutcomeEvaluation, message: str, params: dict[str, Any]) -> None:
    OutcomeEvaluation.objects.filter(pk=evaluation.pk).update(
        result={"problem": message, "params": params}
    )
