"""Pieces shared by the panel regressions: column checks, cohorts, the two-way design.

Standard errors of the regressions come from :mod:`infuse.stats.regression` (cluster-robust, CR2
with Bell-McCaffrey degrees of freedom by default, CR1 on request), clustered by unit unless
told otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from infuse.stats._common import FloatArray
from infuse.stats.regression.ols import OLSFit, SEType, fit_ols
from infuse.stats.regression.wild_bootstrap import wild_cluster_bootstrap

__all__: list[str] = []

# From this many clusters, designs with unit dummies default to CR1 (see fe_se_type).
MANY_CLUSTERS = 50

PARALLEL_TRENDS = (
    "Parallel trends: without treatment, treated and comparison units' outcomes would have "
    "changed by the same amount on average.",
    "No anticipation: outcomes did not respond before treatment started.",
)


def fe_se_type(se_type: SEType | None, clusters: pd.Series) -> SEType | None:
    """Default variance for designs with unit dummies: CR2 below 50 clusters, CR1 from 50.

    CR2's small-sample correction matters when clusters are few (councils) and is negligible
    with many, while its cost on a design carrying one dummy per unit grows quickly; from 50
    clusters CR1 with G - 1 degrees of freedom is the standard, equally honest choice.
    """
    if se_type is not None:
        return se_type
    return "CR1" if clusters.nunique() >= MANY_CLUSTERS else None


def as_binary(values: ArrayLike, name: str, n: int) -> FloatArray:
    arr = np.asarray(values, dtype=np.float64)
    if arr.shape != (n,):
        raise ValueError(f"{name} must have one value per observation ({n})")
    if not np.all(np.isin(arr, (0.0, 1.0))):
        raise ValueError(f"{name} must be 0/1")
    return arr


def check_columns(data: pd.DataFrame, *columns: str) -> None:
    if not isinstance(data, pd.DataFrame):
        raise TypeError("data must be a pandas DataFrame")
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise ValueError(f"columns not in the data: {missing}")


def cohorts_of(values: Sequence[float] | pd.Series) -> FloatArray:
    """First-treated period per row with never-treated coded 0 (missing/0/inf all mean never)."""
    g = np.asarray(pd.to_numeric(pd.Series(values), errors="coerce"), dtype=np.float64)
    return np.where(np.isfinite(g) & (g > 0), g, 0.0)


def twfe_design(
    frame: pd.DataFrame, unit: str, time: str, regressors: dict[str, FloatArray]
) -> tuple[FloatArray, list[str]]:
    """Regressors, intercept, and unit and time dummies (first level of each dropped)."""
    unit_codes = pd.Categorical(frame[unit]).codes
    time_codes = pd.Categorical(frame[time]).codes
    n = len(frame)
    n_units, n_times = int(unit_codes.max()) + 1, int(time_codes.max()) + 1
    unit_d = np.zeros((n, n_units))
    unit_d[np.arange(n), unit_codes] = 1.0
    time_d = np.zeros((n, n_times))
    time_d[np.arange(n), time_codes] = 1.0
    x = np.column_stack([*regressors.values(), np.ones(n), unit_d[:, 1:], time_d[:, 1:]])
    names = [
        *regressors,
        "intercept",
        *(f"unit_{i}" for i in range(1, n_units)),
        *(f"time_{i}" for i in range(1, n_times)),
    ]
    return x, names


def cohort_panel(
    data: pd.DataFrame,
    unit: str,
    time: str,
    outcome: str,
    first_treated: str,
    cluster: str | None,
) -> tuple[pd.DataFrame, FloatArray, FloatArray]:
    """The rows with an outcome, each row's cohort (first treated period, 0 = never) and time."""
    columns = [unit, time, outcome, first_treated] + ([cluster] if cluster else [])
    frame = data[columns]
    frame = frame[frame[outcome].notna()].copy()
    return frame, cohorts_of(frame[first_treated]), frame[time].to_numpy(dtype=np.float64)


@dataclass(frozen=True)
class TwfeFit:
    """A two-way fixed effects regression with the arrays a wild bootstrap needs again."""

    fit: OLSFit
    y: FloatArray
    x: FloatArray
    names: list[str]
    clusters: NDArray[Any]


def fit_twfe(
    frame: pd.DataFrame,
    *,
    unit: str,
    time: str,
    outcome: str,
    regressors: dict[str, FloatArray],
    cluster: str | None,
    se_type: SEType | None,
    conf_level: float,
) -> TwfeFit:
    """OLS of ``outcome`` on ``regressors`` with unit and time dummies, clustered by ``cluster``
    (default: unit), with the default variance of :func:`fe_se_type`."""
    x, names = twfe_design(frame, unit, time, regressors)
    y = frame[outcome].to_numpy(dtype=np.float64)
    clusters = frame[cluster or unit].to_numpy()
    fit = fit_ols(
        y,
        x,
        cluster=clusters,
        se_type=fe_se_type(se_type, frame[cluster or unit]),
        conf_level=conf_level,
        names=names,
    )
    return TwfeFit(fit, y, x, names, clusters)


def wild_bootstrap_record(
    y: FloatArray,
    x: FloatArray,
    clusters: ArrayLike,
    coefficient: str,
    names: list[str],
    n_clusters: int | None,
    seed: int,
) -> dict[str, Any]:
    """The wild cluster restricted bootstrap test of ``coefficient = 0`` as a JSON-ready dict
    (Cameron, Gelbach & Miller 2008), with Webb weights below 10 clusters."""
    boot = wild_cluster_bootstrap(
        y,
        x,
        clusters,
        coefficient,
        weights="webb" if (n_clusters or 0) < 10 else "rademacher",
        seed=seed,
        names=names,
    )
    return boot.to_dict()
