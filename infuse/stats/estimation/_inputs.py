"""Argument checks and the data-condition warnings shared by the estimators."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

from infuse.stats._common import FloatArray, check_conf_level, deferred_module, float_vector
from infuse.stats.results import StatWarning

if TYPE_CHECKING:
    import pandas as pd
else:
    # Only covariates given as a DataFrame or Series need pandas; the effects from plain arrays
    # (difference in means, CUPED) do without its ~0.3 s import.
    pd = deferred_module("pandas")

__all__: list[str] = []

ZERO_VARIANCE = StatWarning(
    "zero_variance", "the outcome does not vary within arms: no standard error can be estimated"
)
TOO_FEW_UNITS = StatWarning(
    "too_few_units", "an arm has fewer than two units: no standard error can be estimated"
)


def checked_trial(
    y: ArrayLike, treatment: ArrayLike, conf_level: float
) -> tuple[FloatArray, NDArray[np.bool_]]:
    """The outcome and the assignment of a two-arm trial, checked (and the interval level)."""
    check_conf_level(conf_level)
    yv = float_vector(y, "y")
    return yv, as_treatment(treatment, yv.shape[0])


def as_treatment(t: ArrayLike, n: int) -> NDArray[np.bool_]:
    """0/1 (or boolean) assignment of ``n`` units with both arms present."""
    arr = np.asarray(t)
    if arr.ndim != 1 or arr.shape[0] != n:
        raise ValueError(f"treatment must be one-dimensional with {n} entries, got {arr.shape}")
    if arr.dtype != np.bool_:
        if not np.issubdtype(arr.dtype, np.number):
            raise TypeError("treatment must be boolean or 0/1")
        if not np.all((arr == 0) | (arr == 1)):
            raise ValueError("treatment must contain only 0 (control) and 1 (treated)")
        arr = arr.astype(np.bool_)
    if arr.all() or not arr.any():
        raise ValueError("both arms need at least one unit")
    return arr


def as_covariates(X: ArrayLike, n: int) -> tuple[FloatArray, list[str]]:
    """Covariates as an ``(n, k)`` float matrix with their names (DataFrame/Series or x0...)."""
    names: list[str]
    if isinstance(X, pd.DataFrame):
        names = [str(c) for c in X.columns]
    elif isinstance(X, pd.Series):
        names = [str(X.name) if X.name is not None else "x0"]
    arr = np.asarray(X, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[0] != n:
        raise ValueError(f"covariates must have {n} rows, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError("covariates contain NaN or infinite values")
    if not isinstance(X, pd.DataFrame | pd.Series):
        names = [f"x{i}" for i in range(arr.shape[1])]
    return arr, names


def drop_constant(X: FloatArray, names: list[str]) -> tuple[FloatArray, list[str], list[str]]:
    """Covariates without the constant columns, their names, and the names dropped."""
    keep = X.std(axis=0) > 0
    dropped = [nm for nm, k in zip(names, keep, strict=True) if not k]
    return X[:, keep], [nm for nm, k in zip(names, keep, strict=True) if k], dropped
