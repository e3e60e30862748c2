"""Difference in mean outcome between arms, from unit data or per-arm summaries."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, Literal

from numpy.typing import ArrayLike

from infuse.stats._common import check_conf_level, wald_estimate
from infuse.stats.estimation._inputs import TOO_FEW_UNITS, ZERO_VARIANCE, checked_trial
from infuse.stats.estimation._moments import arm_means, arm_sums_of_squares
from infuse.stats.results import EstimateResult, json_ready

__all__ = ["ArmSummary", "difference_in_means", "difference_in_means_from_summary"]


def difference_in_means(
    y: ArrayLike,
    treatment: ArrayLike,
    *,
    variance: Literal["welch", "classical"] = "welch",
    conf_level: float = 0.95,
) -> EstimateResult:
    """Difference in mean outcome, treated minus control.

    Parameters
    ----------
    y : outcome per unit.
    treatment : 1 (treated) / 0 (control) per unit.
    variance : ``"welch"`` (unequal variances; the Neyman variance, equal to OLS HC2) or
        ``"classical"`` (pooled variance, Student t with ``n - 2`` df).
    conf_level : interval level.

    Returns
    -------
    EstimateResult with ``effect_measure="mean_difference"``.

    Notes
    -----
    Welch: ``SE^2 = s1^2/n1 + s0^2/n0`` with Welch–Satterthwaite df
    ``(s1^2/n1 + s0^2/n0)^2 / [(s1^2/n1)^2/(n1-1) + (s0^2/n0)^2/(n0-1)]`` (Welch, B. L. 1947
    "The generalization of Student's problem when several different population variances are
    involved", Biometrika 34). Under complete randomisation the Welch variance is Neyman's
    conservative variance (Imbens & Rubin 2015, ch. 6). Classical: pooled ``s_p^2 (1/n1+1/n0)``.
    """
    yv, z = checked_trial(y, treatment, conf_level)
    # Two streamed passes over per-arm sums (no copies of the arms): scales to 10^7 rows.
    mom = arm_means(yv, z)
    ss1, ss0 = arm_sums_of_squares(yv, z, mom)
    v1 = ss1 / (mom.n1 - 1) if mom.n1 > 1 else float("nan")
    v0 = ss0 / (mom.n0 - 1) if mom.n0 > 1 else float("nan")
    return _mean_difference_from_stats(
        mom.mean1, v1, mom.n1, mom.mean0, v0, mom.n0, variance=variance, conf_level=conf_level
    )


def _mean_difference_from_stats(
    m1: float,
    v1: float,
    n1: int,
    m0: float,
    v0: float,
    n0: int,
    *,
    variance: str,
    conf_level: float,
) -> EstimateResult:
    """Treated minus control mean, from per-arm means, sample variances and sizes."""
    if variance not in _VARIANCES:
        raise ValueError("variance must be 'welch' or 'classical'")
    standard_error, method, assumption = _VARIANCES[variance]
    se, df = standard_error(v1, n1, v0, n0)
    warns = [TOO_FEW_UNITS] if min(n1, n0) < 2 else [] if se > 0.0 else [ZERO_VARIANCE]
    return wald_estimate(
        m1 - m0,
        se,
        df=df if math.isfinite(df) else None,
        conf_level=conf_level,
        method=method,
        effect_measure="mean_difference",
        n_units=n1 + n0,
        assumptions=(assumption,),
        warnings=tuple(warns),
        extra={"mean_treated": m1, "mean_control": m0, "n_treated": n1, "n_control": n0},
    )


def _welch_se(v1: float, n1: int, v0: float, n0: int) -> tuple[float, float]:
    """``sqrt(s1^2/n1 + s0^2/n0)`` and the Welch-Satterthwaite df (NaN when undefined)."""
    a, b = v1 / n1, v0 / n0
    se = math.sqrt(a + b) if math.isfinite(a + b) else float("nan")
    denom = (a**2 / (n1 - 1) if n1 > 1 else math.inf) + (b**2 / (n0 - 1) if n0 > 1 else 0)
    df = (a + b) ** 2 / denom if denom > 0 and math.isfinite(denom) else float("nan")
    return se, df


def _pooled_se(v1: float, n1: int, v0: float, n0: int) -> tuple[float, float]:
    """The pooled-variance standard error and its ``n1 + n0 - 2`` df."""
    pooled = ((n1 - 1) * v1 + (n0 - 1) * v0) / (n1 + n0 - 2) if n1 + n0 > 2 else math.nan
    se = math.sqrt(pooled * (1 / n1 + 1 / n0)) if math.isfinite(pooled) else float("nan")
    return se, float(n1 + n0 - 2)


_VARIANCES: dict[str, tuple[Callable[[float, int, float, int], tuple[float, float]], str, str]] = {
    "welch": (
        _welch_se,
        "welch_difference_in_means",
        "units independently assigned; variances may differ between arms",
    ),
    "classical": (
        _pooled_se,
        "classical_difference_in_means",
        "units independently assigned; equal outcome variance in both arms",
    ),
}


@dataclass(frozen=True)
class ArmSummary:
    """Sufficient statistics of one arm, e.g. aggregated in SQL by the analytics layer.

    Attributes
    ----------
    n : units in the arm.
    mean : mean outcome.
    variance : sample variance of the outcome (ddof = 1).
    mean_pre, variance_pre : mean and sample variance of the pre-period covariate (for CUPED).
    covariance : sample covariance of outcome and covariate within the arm (ddof = 1).
    """

    n: int
    mean: float
    variance: float
    mean_pre: float | None = None
    variance_pre: float | None = None
    covariance: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return dict(json_ready(asdict(self)))


def difference_in_means_from_summary(
    treated: ArmSummary,
    control: ArmSummary,
    *,
    variance: Literal["welch", "classical"] = "welch",
    conf_level: float = 0.95,
) -> EstimateResult:
    """Difference in means from per-arm summaries (same formulas as :func:`difference_in_means`).

    Parameters
    ----------
    treated, control : per-arm ``n``, ``mean`` and sample ``variance``.
    variance : ``"welch"`` or ``"classical"``.
    conf_level : interval level.

    Returns
    -------
    EstimateResult (Welch 1947 or Student t), so a trial of any size costs O(1) here once its
    arms are aggregated (as experimentation engines such as GrowthBook's gbstats do).
    """
    check_conf_level(conf_level)
    for arm in (treated, control):
        if arm.n < 1 or not math.isfinite(arm.mean) or not arm.variance >= 0:
            raise ValueError("each arm needs n >= 1, a finite mean and a variance >= 0")
    return _mean_difference_from_stats(
        treated.mean,
        treated.variance if treated.n > 1 else float("nan"),
        int(treated.n),
        control.mean,
        control.variance if control.n > 1 else float("nan"),
        int(control.n),
        variance=variance,
        conf_level=conf_level,
    )
