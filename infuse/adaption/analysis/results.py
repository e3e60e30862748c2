"""The analysis result, as the lab keeps it and reads it back: typed, end to end.

One JSON document on ``AnalysisRun.result``: the design, the outcome analysed, the primary
effect, secondary effects with Holm-adjusted p-values, effects by council, a CONSORT-style flow,
the sample-ratio check, the randomisation-inference p-value and, for a quasi-experiment, its
start and comparison. Every effect is an engine ``EstimateResult`` in the engine's versioned
JSON form (:func:`infuse.stats.to_json`), so the engine reads it back as itself
(:func:`infuse.stats.from_json`) whatever estimator made it; a secondary outcome's or a
council's effect carries its name (and council, adjusted p-value) beside the estimate's fields.
Pages, the API, the CLI and the report read :class:`AnalysisResult`, never the raw JSON.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from typing import Any

from infuse import stats
from infuse.stats import EstimateResult

# The lab's own keys beside a named effect's estimate fields.
EFFECT_LABELS = ("name", "council", "p_adjusted")


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def has_interval(effect: EstimateResult) -> bool:
    """Whether the effect has a confidence interval (a synthetic control's has none)."""
    return _finite(effect.ci_low) is not None and _finite(effect.ci_high) is not None


def excludes_no_effect(effect: EstimateResult) -> bool:
    """Whether the effect's interval lies wholly above or below zero."""
    return has_interval(effect) and (effect.ci_low > 0 or effect.ci_high < 0)


@dataclass(frozen=True)
class NamedEffect:
    """A secondary outcome's effect (Holm-adjusted ``p_adjusted``), or one council's."""

    name: str
    effect: EstimateResult
    council: str = ""
    p_adjusted: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            **stats.to_json(self.effect),
            "name": self.name,
            "council": self.council,
            "p_adjusted": self.p_adjusted,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> NamedEffect:
        fields = {k: v for k, v in data.items() if k not in EFFECT_LABELS}
        return cls(
            name=data["name"],
            effect=stats.from_json(fields, EstimateResult),
            council=data["council"],
            p_adjusted=data["p_adjusted"],
        )


@dataclass(frozen=True)
class ArmFlow:
    """One arm through the experiment: allocated (None in a stepped wedge, where every
    council is in both arms in turn), with outcome data, lost, analysed."""

    arm: str
    allocated: int | None
    received: int
    lost: int
    analysed: int


@dataclass(frozen=True)
class Flow:
    unit: str  # "council" or "unit"
    arms: tuple[ArmFlow, ...]

    @property
    def allocated_known(self) -> bool:
        """Whether units were allocated to arms (a stepped wedge's councils are in both)."""
        return any(arm.allocated is not None for arm in self.arms)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Flow:
        return cls(unit=data["unit"], arms=tuple(ArmFlow(**arm) for arm in data["arms"]))


@dataclass(frozen=True)
class SampleRatio:
    """Whether the arms are the sizes the randomisation planned (1:1)."""

    p_value: float
    mismatch: bool
    counts: tuple[int, ...]


@dataclass(frozen=True)
class QuasiDetails:
    """A quasi-experiment's start, its comparison councils, and what its method adds: the
    slope change (interrupted time series) or the donors' weights and fit (synthetic control)."""

    start: float
    comparison: tuple[str, ...]
    slope_change: EstimateResult | None = None
    weights: dict[str, float] | None = None
    pre_rmspe: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "comparison": list(self.comparison),
            "slope_change": stats.to_json(self.slope_change) if self.slope_change else None,
            "weights": self.weights,
            "pre_rmspe": self.pre_rmspe,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> QuasiDetails:
        slope = data["slope_change"]
        return cls(
            start=data["start"],
            comparison=tuple(data["comparison"]),
            slope_change=stats.from_json(slope, EstimateResult) if slope else None,
            weights=data["weights"],
            pre_rmspe=data["pre_rmspe"],
        )


@dataclass(frozen=True)
class AnalysisResult:
    """What the registered analysis found (see the module docstring)."""

    design: str
    outcome: str
    primary: EstimateResult
    flow: Flow
    rows: int
    randomisation_p: float | None = None
    secondary: tuple[NamedEffect, ...] = ()
    by_council: tuple[NamedEffect, ...] = ()
    sample_ratio: SampleRatio | None = None
    quasi: QuasiDetails | None = None

    @property
    def primary_has_interval(self) -> bool:
        return has_interval(self.primary)

    def with_adjusted_p_values(self) -> AnalysisResult:
        """The secondary outcomes' p-values adjusted for testing several (Holm)."""
        if not self.secondary:
            return self
        adjusted = stats.adjust_p_values([s.effect.p_value for s in self.secondary], method="holm")
        return replace(
            self,
            secondary=tuple(
                replace(row, p_adjusted=float(p))
                for row, p in zip(self.secondary, adjusted, strict=True)
            ),
        )

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = stats.json_ready(
            {
                "design": self.design,
                "outcome": self.outcome,
                "primary": stats.to_json(self.primary),
                "randomisation_p": self.randomisation_p,
                "secondary": [row.to_json() for row in self.secondary],
                "by_council": [row.to_json() for row in self.by_council],
                "flow": asdict(self.flow),
                "sample_ratio": asdict(self.sample_ratio) if self.sample_ratio else None,
                "rows": self.rows,
                "quasi": self.quasi.to_json() if self.quasi else None,
            }
        )
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AnalysisResult:
        ratio, quasi = data["sample_ratio"], data["quasi"]
        return cls(
            design=data["design"],
            outcome=data["outcome"],
            primary=stats.from_json(data["primary"], EstimateResult),
            flow=Flow.from_json(data["flow"]),
            rows=data["rows"],
            randomisation_p=data["randomisation_p"],
            secondary=tuple(NamedEffect.from_json(row) for row in data["secondary"]),
            by_council=tuple(NamedEffect.from_json(row) for row in data["by_council"]),
            sample_ratio=SampleRatio(
                p_value=ratio["p_value"], mismatch=ratio["mismatch"], counts=tuple(ratio["counts"])
            )
            if ratio
            else None,
            quasi=QuasiDetails.from_json(quasi) if quasi else None,
        )


def result_of(run: Any) -> AnalysisResult | None:
    """An analysis run's result, typed (None until the analysis is done)."""
    return AnalysisResult.from_json(run.result) if run.result else None
