"""The sample-ratio-mismatch check of arm sizes against the planned allocation."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from infuse.stats.results import StatWarning, json_ready

__all__ = ["SampleRatioResult", "sample_ratio_mismatch"]


@dataclass(frozen=True)
class SampleRatioResult:
    """Sample-ratio-mismatch check: chi-square goodness of fit of arm sizes to the plan.

    Attributes
    ----------
    observed, expected : counts per arm.
    statistic, df, p_value : Pearson chi-square test.
    mismatch : ``p_value < threshold``.
    threshold : the alarm level used.
    warnings : ``sample_ratio_mismatch`` when flagged.
    """

    observed: tuple[int, ...]
    expected: tuple[float, ...]
    statistic: float
    df: int
    p_value: float
    mismatch: bool
    threshold: float
    warnings: tuple[StatWarning, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return dict(json_ready(asdict(self)))


def sample_ratio_mismatch(
    counts: ArrayLike, planned_ratio: ArrayLike, *, threshold: float = 0.001
) -> SampleRatioResult:
    """Check whether the arm sizes are consistent with the planned allocation ratio.

    Parameters
    ----------
    counts : units per arm.
    planned_ratio : planned allocation weights per arm (e.g. ``[1, 1]`` or ``[2, 1]``).
    threshold : p-value below which a mismatch is flagged (0.001 is usual, because the check
        runs routinely and a true mismatch usually gives a tiny p-value).

    Returns
    -------
    SampleRatioResult

    Notes
    -----
    Pearson ``X^2 = sum (O - E)^2 / E`` with ``E = N w / sum w`` on ``k - 1`` df (Fabijan, A.
    et al. 2019 "Diagnosing sample ratio mismatch in online controlled experiments", KDD).
    """
    obs = np.asarray(counts)
    w = np.asarray(planned_ratio, dtype=np.float64)
    if obs.ndim != 1 or w.shape != obs.shape or obs.size < 2:
        raise ValueError("counts and planned_ratio must be vectors of the same length (>= 2)")
    if not np.issubdtype(obs.dtype, np.integer) or np.any(obs < 0):
        raise ValueError("counts must be non-negative integers")
    if np.any(w <= 0) or not np.all(np.isfinite(w)):
        raise ValueError("planned_ratio must be positive")
    total = float(obs.sum())
    if total <= 0:
        raise ValueError("no units counted")
    expected = total * w / w.sum()
    chi2 = float(np.sum((obs - expected) ** 2 / expected))
    df = obs.size - 1
    p = float(stats.chi2.sf(chi2, df))
    flagged = p < threshold
    warns = (
        (
            StatWarning(
                "sample_ratio_mismatch",
                f"arm sizes {obs.tolist()} are unlikely under the planned ratio "
                f"{w.tolist()} (p = {p:.2g}): check assignment and data loss before analysis",
            ),
        )
        if flagged
        else ()
    )
    return SampleRatioResult(
        observed=tuple(int(o) for o in obs),
        expected=tuple(float(e) for e in expected),
        statistic=chi2,
        df=df,
        p_value=p,
        mismatch=flagged,
        threshold=threshold,
        warnings=warns,
    )
