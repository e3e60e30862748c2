"""The answer of a power calculation, with everything needed to reproduce it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from infuse.stats.results import StatWarning, json_ready

__all__ = ["PowerResult"]


@dataclass(frozen=True, slots=True)
class PowerResult:
    """The answer of a power calculation and everything needed to reproduce it.

    Attributes
    ----------
    method : stable identifier of the calculation, e.g. ``"cluster_means_t"``.
    solved_for : which quantity was solved for (``"power"``, ``"effect"``, a size name).
    power : power at the (possibly solved) design.
    effect : effect on the outcome scale (difference in means or in proportions).
    alpha : two-sided type I error rate.
    sample_size : design sizes used; a solved size is the exact (fractional) root.
    sample_size_rounded_up : solved sizes rounded up to whole units (empty otherwise).
    std_error : standard error of the effect estimate under the design.
    df : degrees of freedom of the reference t distribution (``None`` for normal).
    design_effect : variance inflation relative to individual randomisation, if defined.
    parameters : all other inputs (variances, ICC, CV, proportions...).
    assumptions : plain statements of what the calculation assumes.
    warnings : design conditions that weaken the answer.
    """

    method: str
    solved_for: str
    power: float
    effect: float
    alpha: float
    sample_size: dict[str, float]
    std_error: float
    df: float | None = None
    design_effect: float | None = None
    sample_size_rounded_up: dict[str, int] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)
    assumptions: tuple[str, ...] = ()
    warnings: tuple[StatWarning, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (NaN and infinities become ``None``)."""
        result: dict[str, Any] = json_ready(asdict(self))
        return result
