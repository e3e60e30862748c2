"""Re-randomisation (Morgan & Rubin 2012): draw until an allocation meets a balance criterion."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

import numpy as np
from numpy.typing import NDArray

from infuse.stats.randomisation._recipe import complete_counts
from infuse.stats.randomisation.balance import covariate_matrix, is_binary
from infuse.stats.randomisation.records import RerandomisationCriterion
from infuse.stats.results import StatWarning

__all__: list[str] = []


def check_criterion(
    rerandomisation: RerandomisationCriterion | Mapping[str, Any] | None,
) -> RerandomisationCriterion | None:
    if rerandomisation is None or isinstance(rerandomisation, RerandomisationCriterion):
        crit = rerandomisation
    elif isinstance(rerandomisation, Mapping):
        crit = RerandomisationCriterion(**dict(rerandomisation))
    else:
        raise TypeError("rerandomisation must be a RerandomisationCriterion or a mapping")
    if crit is not None:
        if crit.kind not in ("max_abs_smd", "mahalanobis"):
            raise ValueError("rerandomisation kind must be 'max_abs_smd' or 'mahalanobis'")
        if not crit.threshold > 0 or crit.max_draws < 1 or crit.batch_size < 1:
            raise ValueError("rerandomisation needs threshold > 0, max_draws >= 1, batch_size >= 1")
    return crit


def _batch_balance(
    x: NDArray[np.float64], treated: NDArray[np.bool_], kind: str, binary: NDArray[np.bool_]
) -> NDArray[np.float64]:
    """Balance statistic for each row of ``treated`` (candidate allocations x units)."""
    t = treated.astype(float)
    c = 1.0 - t
    n_t = t.sum(axis=1, keepdims=True)
    n_c = c.sum(axis=1, keepdims=True)
    mean_t = t @ x / n_t
    mean_c = c @ x / n_c
    diff = mean_t - mean_c
    if kind == "mahalanobis":
        cov = np.atleast_2d(np.cov(x, rowvar=False))
        solved = np.linalg.lstsq(cov, diff.T, rcond=None)[0].T
        n = n_t + n_c
        return np.asarray((n_t * n_c / n)[:, 0] * np.einsum("bp,bp->b", diff, solved))
    var_t = (t @ x**2 - n_t * mean_t**2) / np.maximum(n_t - 1, 1)
    var_c = (c @ x**2 - n_c * mean_c**2) / np.maximum(n_c - 1, 1)
    bin_var = (mean_t * (1 - mean_t) + mean_c * (1 - mean_c)) / 2
    pooled = np.where(binary[None, :], bin_var, (var_t + var_c) / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        smd = np.where(pooled > 0, diff / np.sqrt(pooled), 0.0)
    return np.asarray(np.abs(smd).max(axis=1))


def rerandomised_indices(
    n: int,
    ratio: tuple[int, ...],
    covariates: dict[str, list[Any]] | None,
    criterion: RerandomisationCriterion,
    rng: np.random.Generator,
) -> tuple[NDArray[np.int64], dict[str, Any], tuple[StatWarning, ...]]:
    if len(ratio) != 2:
        raise ValueError("re-randomisation is defined here for two arms")
    if not covariates:
        raise ValueError("re-randomisation needs covariates")
    _, x = covariate_matrix(covariates)
    if not np.isfinite(x).all():
        raise ValueError("re-randomisation needs covariates without missing values")
    binary = np.array([is_binary(col) for col in x.T])
    base = np.repeat(np.arange(2), complete_counts(n, ratio, rng))
    draws = 0
    best: tuple[float, NDArray[np.int64]] | None = None
    while draws < criterion.max_draws:
        size = min(criterion.batch_size, criterion.max_draws - draws)
        candidates = rng.permuted(np.tile(base, (size, 1)), axis=1)
        stat = _batch_balance(x, candidates == 1, criterion.kind, binary)
        ok = np.flatnonzero(stat <= criterion.threshold)
        if ok.size:
            first = int(ok[0])
            record = {
                **asdict(criterion),
                "n_draws": draws + first + 1,
                "statistic": float(stat[first]),
            }
            return candidates[first], record, ()
        i = int(np.argmin(stat))
        if best is None or stat[i] < best[0]:
            best = (float(stat[i]), candidates[i].copy())
        draws += size
    assert best is not None
    record = {**asdict(criterion), "n_draws": draws, "statistic": best[0], "met": False}
    return (
        best[1],
        record,
        (
            StatWarning(
                "rerandomisation_criterion_not_met",
                f"no allocation met {criterion.kind} <= {criterion.threshold} in {draws} draws; "
                "the best one found is used",
            ),
        ),
    )
