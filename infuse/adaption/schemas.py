"""API schemas of the Adaption Lab."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Schema


class ExperimentIn(Schema):
    title_en: str
    title_cy: str
    owner: str  # organisation slug
    design: str
    problem_en: str = ""
    problem_cy: str = ""
    hypothesis_en: str = ""
    hypothesis_cy: str = ""
    intervention_en: str = ""
    intervention_cy: str = ""
    councils: list[str] = []
    themes: list[str] = []
    goals: list[str] = []
    ways_of_working: dict[str, str] = {}
    public: bool = False


class OutcomeIO(Schema):
    kind: str
    name: str
    dataset: str = ""
    column: str = ""
    indicator: str = ""


class ProtocolVersionOut(Schema):
    version: int
    sha256: str
    registered_at: datetime
    reason: str
    allows_rerandomisation: bool


class ExperimentOut(Schema):
    slug: str
    title_en: str
    title_cy: str
    owner: str
    design: str
    status: str
    public: bool
    problem_en: str
    hypothesis_en: str
    intervention_en: str
    councils: list[str]
    themes: list[str]
    goals: list[str]
    ways_of_working: dict[str, str]
    outcomes: list[OutcomeIO]
    design_parameters: dict
    protocols: list[ProtocolVersionOut]
    randomised: bool


class ProtocolIn(Schema):
    hypotheses: str = ""
    sample: str = ""
    stopping_rule: str = ""
    randomisation_method: str = ""
    randomisation_unit: str = ""
    analysis_plan: str = ""
    exclusions: str = ""
    missing_data: str = ""
    reason: str = ""  # needed for an amendment
    allows_rerandomisation: bool = False


class ProtocolOut(ProtocolVersionOut):
    content: dict


class RandomiseIn(Schema):
    seed: int | None = None
    dataset: str = ""
    unit_column: str = ""
    strata_column: str = ""
    n_steps: int | None = None


class AllocationOut(Schema):
    method: str
    seed: int
    allocation_digest: str
    inputs_digest: str
    protocol_version: int
    created_at: datetime
    counts: dict[str, int]
    units: list[str]
    arms: list[str]
    steps: list[int] | None
    balance: dict


class AttachIn(Schema):
    dataset: str
    outcome: str
    unit: str = ""
    arm: str = ""
    cluster: str = ""
    period: str = ""
    secondary: list[str] = []
    covariates: list[str] = []
    start: str = ""  # quasi-experiments: the first period under the intervention


class AnalysisOut(Schema):
    id: int
    state: str
    protocol_version: int
    dataset_version: int
    mapping: dict
    result: dict
    deviations: list[dict]
    error: str
    progress_id: str | None


class DecisionIn(Schema):
    choice: str
    rationale: str
    evidence_level: int | None = None
    cost_per_unit_pence: int | None = None
    cost_unit: str = ""


class DecisionOut(Schema):
    choice: str
    rationale: str
    evidence_level: int
    suggested_level: int
    cost_per_unit_pence: int | None
    cost_unit: str
    decided_at: datetime


class ScaleUpIn(Schema):
    councils: list[str]  # GSS codes in roll-out order
    title_en: str = ""
    title_cy: str = ""


class DesignIn(Schema):
    """The design page's inputs (randomised designs); ``save`` keeps the answer."""

    outcome: Literal["continuous", "binary"] = "continuous"
    solve_for: Literal["power", "size", "effect"] = "size"
    alpha: float = 0.05
    power: float | None = 0.8
    effect: float | None = None
    sd: float | None = None
    p_control: float | None = None
    p_treatment: float | None = None
    size: float | None = None
    cluster_size: float | None = None
    icc: float | None = None
    n_steps: int | None = None
    save: bool = False


class DesignOut(Schema):
    result: dict
    size_label: str
    curve: list[list[float]]
    schedule: list[list[int]]
    saved: bool


class HistoryPlanIn(Schema):
    """Planning a quasi-experiment from its outcome's past (placebo trials)."""

    council_column: str = ""
    period_column: str = ""
    post_periods: int = 4
    effects: list[float] = []
    alpha: float = 0.05
    power: float = 0.8


class QueuedOut(Schema):
    progress_id: str
