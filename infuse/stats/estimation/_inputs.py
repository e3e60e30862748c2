"""Argument checks and small helpers shared by the estimators."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from infuse.stats.results import EstimateResult, StatWarning

__all__: list[str] = []


FloatArray = NDArray[np.float64]


def as_outcome(y: ArrayLike, name: str = "y") -> FloatArray:
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == np.bool_):
        raise TypeError(f"{name} must be numeric, got dtype {arr.dtype}")
    out = arr.astype(np.float64, copy=False)
    if not np.all(np.isfinite(out)):
        raise ValueError(f"{name} contains NaN or infinite values; drop or impute them first")
    return out


def as_treatment(t: ArrayLike, n: int) -> NDArray[np.bool_]:
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


def t_interval(
    estimate: float, se: float, df: float | None, conf_level: float
) -> tuple[float, float, float]:
    """CI and two-sided p-value from a t (or normal when ``df`` is None) reference."""
    if not (se > 0.0 and math.isfinite(se)):
        return float("nan"), float("nan"), float("nan")
    dist = stats.norm if df is None else stats.t(df)
    q = float(dist.ppf(0.5 + conf_level / 2.0))
    p = float(2.0 * dist.sf(abs(estimate) / se))
    return estimate - q * se, estimate + q * se, p


def check_level(conf_level: float) -> None:
    if not 0.0 < conf_level < 1.0:
        raise ValueError("conf_level must be strictly between 0 and 1")


ZERO_VARIANCE = StatWarning(
    "zero_variance", "the outcome does not vary within arms: no standard error can be estimated"
)


def drop_constant(X: FloatArray, names: list[str]) -> tuple[FloatArray, list[str], list[str]]:
    keep = X.std(axis=0) > 0
    dropped = [nm for nm, k in zip(names, keep, strict=True) if not k]
    return X[:, keep], [nm for nm, k in zip(names, keep, strict=True) if k], dropped


def with_warnings(result: EstimateResult, warns: Sequence[StatWarning]) -> EstimateResult:
    """A copy of ``result`` with extra warnings (EstimateResult is frozen)."""
    data = {f: getattr(result, f) for f in result.__dataclass_fields__}
    data["warnings"] = (*result.warnings, *warns)
    return EstimateResult(**data)
