"""The region's evidence of what works: each decided experiment with what it found, how strong
the evidence is (Nesta's standards), what it cost, the councils that tried it and the councils
that took it up after the decision (its scale-up roll-outs); and, where two or more
experiments measured the same outcome, their effects pooled by a random-effects meta-analysis.

A query of the Adaption Lab's own records, read by the region's what-works page and its API.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from infuse import stats
from infuse.adaption.analysis.result_words import shown_result
from infuse.adaption.analysis.results import AnalysisResult, has_interval
from infuse.adaption.models import AnalysisRun, Decision, Experiment, Outcome
from infuse.adaption.registry.services import visible_experiments
from infuse.core.models import Council

OutcomeKey = tuple[str, int, str]  # ("indicator", id, "") or ("column", dataset id, column)


@dataclass(frozen=True)
class Evidence:
    """One decided experiment, as the what-works page shows it."""

    experiment: Experiment
    decision: Decision
    result: AnalysisResult | None
    tried: list[Council]
    adopted: list[Council]
    outcome_key: OutcomeKey | None

    @property
    def primary(self) -> stats.EstimateResult | None:
        return self.result.primary if self.result else None

    @property
    def poolable(self) -> bool:
        effect = self.primary
        return (
            self.outcome_key is not None
            and effect is not None
            and has_interval(effect)
            and math.isfinite(effect.std_error)
            and effect.std_error > 0
        )


@dataclass(frozen=True)
class Pooled:
    """Experiments that measured the same outcome, and their effects pooled."""

    outcome: str
    rows: list[Evidence]
    meta: stats.MetaAnalysisResult

    @property
    def shares(self) -> list[tuple[Evidence, int]]:
        """Each experiment with its weight in the pooled effect, in whole per cent."""
        return [(row, round(100 * w)) for row, w in zip(self.rows, self.meta.weights, strict=True)]

    @property
    def i2_percent(self) -> int:
        return round(100 * self.meta.i2)

    @property
    def overall(self) -> stats.EstimateResult:
        """The pooled effect as an estimate (for the forest plot and its table)."""
        meta = self.meta
        return stats.EstimateResult(
            estimate=meta.estimate,
            std_error=meta.se,
            ci_low=meta.ci_low,
            ci_high=meta.ci_high,
            p_value=meta.p_value,
            method="random_effects_meta_analysis",
            effect_measure=self.rows[0].primary.effect_measure if self.rows[0].primary else "",
            n_units=sum(row.primary.n_units for row in self.rows if row.primary),
        )


def _outcome_key(experiment: Experiment) -> OutcomeKey | None:
    primary = next((o for o in experiment.outcomes.all() if o.kind == Outcome.Kind.PRIMARY), None)
    if primary is None:
        return None
    if primary.indicator_id:
        return ("indicator", primary.indicator_id, "")
    if primary.dataset_id and primary.column:
        return ("column", primary.dataset_id, primary.column)
    return None


def _result(experiment: Experiment, decision: Decision) -> AnalysisResult | None:
    run = decision.analysis or experiment.analyses.filter(state=AnalysisRun.State.DONE).first()
    return shown_result(run)


def decided(
    actor: Any, *, goal: str = "", theme: str = "", council: str = "", design: str = ""
) -> list[Evidence]:
    """Every decided experiment ``actor`` may read, newest decision first, filtered by the
    goal, theme or council codes and the design given (empty: all)."""
    condition = Q(decisions__isnull=False)
    if goal:
        condition &= Q(goals__code=goal)
    if theme:
        condition &= Q(themes__code=theme)
    if council:
        condition &= Q(councils__slug=council)
    if design:
        condition &= Q(design=design)
    experiments = (
        visible_experiments(actor)
        .filter(condition)
        .distinct()
        .prefetch_related("councils", "outcomes", "decisions")
    )
    rows = []
    for experiment in experiments:
        decision = experiment.decisions.all()[0]
        # Roll-outs the reader may see and that have left the drafting table.
        scale_ups = (
            visible_experiments(actor).filter(scaled_from=experiment).exclude(status="draft")
        )
        adopted = Council.objects.filter(experiments__in=scale_ups).distinct()
        rows.append(
            Evidence(
                experiment=experiment,
                decision=decision,
                result=_result(experiment, decision),
                tried=list(experiment.councils.all()),
                adopted=list(adopted),
                outcome_key=_outcome_key(experiment),
            )
        )
    return sorted(rows, key=lambda row: row.decision.decided_at, reverse=True)


def pooled(rows: Sequence[Evidence]) -> list[Pooled]:
    """For each outcome measured by two or more of ``rows`` with an interval, the
    random-effects pooled effect (REML, Hartung–Knapp: few experiments, so the wider
    interval)."""
    groups: dict[OutcomeKey, list[Evidence]] = {}
    for row in rows:
        if row.poolable and row.outcome_key is not None:
            groups.setdefault(row.outcome_key, []).append(row)
    found = []
    for group in groups.values():
        if len(group) < 2:
            continue
        effects = [row.primary for row in group if row.primary is not None]
        meta = stats.random_effects_meta_analysis(
            [e.estimate for e in effects], [e.std_error for e in effects], hartung_knapp=True
        )
        outcome = group[0].result.outcome if group[0].result else ""
        found.append(Pooled(outcome=outcome, rows=group, meta=meta))
    return found


def latest_findings(actor: Any, *, limit: int = 3) -> list[tuple[Experiment, AnalysisResult]]:
    """The newest finished analyses of experiments ``actor`` may read (one per experiment)."""
    runs = (
        AnalysisRun.objects.filter(
            state=AnalysisRun.State.DONE, experiment__in=visible_experiments(actor)
        )
        .select_related("experiment")
        .order_by("-created_at")
    )
    found: dict[int, tuple[Experiment, AnalysisResult]] = {}
    for run in runs:
        result = shown_result(run)
        if result is not None and run.experiment_id not in found:
            found[run.experiment_id] = (run.experiment, result)
        if len(found) == limit:
            break
    return list(found.values())
