"""Typed, JSON-serialisable results shared by every estimator in the engine.

Why one shape: the Adaption Lab renders, stores and compares results from many
methods (t-tests, cluster-robust regression, synthetic control...). If every
estimator returns the same record, the lab needs one template, one database
column and one API schema, and a new method plugs in without touching them.

Data conditions a user can meet (too few clusters, zero variance, a
non-converging optimiser) are reported as :class:`StatWarning` codes on the
result rather than raised, so one weak outcome never breaks a results page.
Programming errors (wrong argument types, mismatched array lengths) still raise.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["EstimateResult", "StatWarning", "json_ready"]


@dataclass(frozen=True, slots=True)
class StatWarning:
    """A machine-readable warning.

    ``code`` is stable (the Adaption Lab translates it); ``detail`` is English, for logs and tests.
    """

    code: str
    detail: str


@dataclass(frozen=True, slots=True)
class EstimateResult:
    """One estimated effect with its uncertainty and the assumptions behind it.

    Attributes
    ----------
    estimate : point estimate of the effect (scale given by ``effect_measure``).
    std_error : standard error of ``estimate`` (NaN when not defined, e.g. permutation-only).
    ci_low, ci_high : confidence interval bounds at ``conf_level``.
    p_value : two-sided p-value for the null of no effect.
    method : short stable identifier of the estimator, e.g. ``"welch_difference_in_means"``.
    effect_measure : what ``estimate`` measures, e.g. ``"mean_difference"``, ``"risk_ratio"``.
    n_units : number of observations used.
    n_clusters : number of clusters (None when units were independently assigned).
    df : degrees of freedom used for the reference distribution (None for normal).
    assumptions : plain statements of what the method assumed.
    warnings : data conditions that weaken the result.
    extra : method-specific details (JSON-serialisable values only).
    """

    estimate: float
    std_error: float
    ci_low: float
    ci_high: float
    p_value: float
    method: str
    effect_measure: str
    n_units: int
    conf_level: float = 0.95
    n_clusters: int | None = None
    df: float | None = None
    assumptions: tuple[str, ...] = ()
    warnings: tuple[StatWarning, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: NaN and infinities become ``None`` (JSON has neither)."""
        return _json_ready(asdict(self))


def _json_ready(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_ready(v) for v in value]
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return _json_ready(value.tolist())
    return value


def json_ready(value: Any) -> Any:
    """Convert nested results (dataclasses already ``asdict``-ed, numpy values) for JSON."""
    return _json_ready(value)
