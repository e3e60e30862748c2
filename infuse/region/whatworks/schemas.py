"""The what-works page's filters and its figures in the API."""

from __future__ import annotations

from ninja import Field, Schema

from infuse.region.work import CODE

PATTERN = f"^{CODE.pattern}$"


class EvidenceQuery(Schema):
    """Filters, each a code (empty: all): a goal, a theme, a council's slug, a design."""

    goal: str = Field(default="", pattern=PATTERN)
    theme: str = Field(default="", pattern=PATTERN)
    council: str = Field(default="", pattern=PATTERN)
    design: str = Field(default="", pattern=PATTERN)


class EffectOut(Schema):
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None


class EvidenceRowOut(Schema):
    experiment: str
    title_en: str
    title_cy: str
    design: str
    outcome: str
    effect: EffectOut | None
    decision: str
    evidence_level: int
    cost_per_unit_pence: int | None
    cost_unit: str
    tried: list[str]
    adopted: list[str]


class PooledOut(Schema):
    outcome: str
    experiments: list[str]
    estimate: float
    ci_low: float
    ci_high: float
    p_value: float
    tau2: float
    i2: float
    method: str


class ContractEvaluationOut(Schema):
    """A contract's outcome evaluated after delivery: the councils with it against the rest."""

    challenge: str
    supplier: str
    indicator: str
    method: str
    first_period_after: str
    treated: list[str]
    comparison: list[str]
    effect: EffectOut
    said: str  # in the request's language


class WhatWorksOut(Schema):
    experiments: list[EvidenceRowOut]
    pooled: list[PooledOut]
    contracts: list[ContractEvaluationOut]
