"""What works as JSON (public; the experiments the caller may read)."""

from __future__ import annotations

import math

from django.http import HttpRequest
from ninja import Query, Router

from infuse.adaption.decisions.evidence import Evidence
from infuse.core.api_auth import OPTIONAL_AUTH, caller
from infuse.region.whatworks import services
from infuse.region.whatworks.schemas import (
    ContractEvaluationOut,
    EffectOut,
    EvidenceQuery,
    EvidenceRowOut,
    PooledOut,
    WhatWorksOut,
)

router = Router(tags=["the region"])


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _row(row: Evidence) -> EvidenceRowOut:
    effect = row.primary
    experiment, decision = row.experiment, row.decision
    return EvidenceRowOut(
        experiment=experiment.slug,
        title_en=experiment.title_en,
        title_cy=experiment.title_cy or "",
        design=experiment.design,
        outcome=row.result.outcome if row.result else "",
        effect=EffectOut(
            estimate=_finite(effect.estimate),
            ci_low=_finite(effect.ci_low),
            ci_high=_finite(effect.ci_high),
            p_value=_finite(effect.p_value),
        )
        if effect
        else None,
        decision=decision.choice,
        evidence_level=decision.evidence_level,
        cost_per_unit_pence=decision.cost_per_unit_pence,
        cost_unit=decision.cost_unit,
        tried=[c.slug for c in row.tried],
        adopted=[c.slug for c in row.adopted],
    )


@router.get(
    "/what-works",
    response=WhatWorksOut,
    auth=OPTIONAL_AUTH,
    summary="What works: each decided experiment, and pooled effects where outcomes are shared",
)
def what_works(request: HttpRequest, filters: Query[EvidenceQuery]) -> WhatWorksOut:
    found = services.what_works(actor=caller(request), query=filters)
    return WhatWorksOut(
        experiments=[_row(row) for row in found.rows],
        pooled=[
            PooledOut(
                outcome=group.outcome,
                experiments=[row.experiment.slug for row in group.rows],
                estimate=group.meta.estimate,
                ci_low=group.meta.ci_low,
                ci_high=group.meta.ci_high,
                p_value=group.meta.p_value,
                tau2=group.meta.tau2,
                i2=group.meta.i2,
                method="REML, Hartung-Knapp",
            )
            for group in found.pooled
        ],
        contracts=[_contract(finding) for finding in found.contracts],
    )


def _contract(finding: services.ContractFinding) -> ContractEvaluationOut:
    evaluation = finding.evaluation
    return ContractEvaluationOut(
        challenge=evaluation.contract.award.phase.challenge.slug,
        supplier=evaluation.contract.supplier.name,
        indicator=evaluation.indicator.slug,
        method=evaluation.method,
        first_period_after=evaluation.first_period_after,
        treated=list(evaluation.treated),
        comparison=list(evaluation.comparison),
        effect=EffectOut(
            estimate=evaluation.estimate,
            ci_low=evaluation.ci_low,
            ci_high=evaluation.ci_high,
            p_value=evaluation.p_value,
        ),
        said=finding.said,
    )
