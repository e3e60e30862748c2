"""Pieces every part of the engine shares: argument checks, reference distributions, results.

Kept in one place so that, for example, a t-based interval is computed the same way by the
regression, the effect estimators and the quasi-experiments, and a cluster label is validated
the same way by OLS and by randomisation inference. Nothing here is public API.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from infuse.stats.results import EstimateResult, StatWarning

__all__: list[str] = []

FloatArray = NDArray[np.float64]

#: ``progress(done, total)``, called by long computations (simulations, placebo trials) so a
#: background task can report how far it has got.
ProgressCallback = Callable[[int, int], None]

#: Fewer clusters than this and small-sample corrections (and warnings) apply: CR1 and the
#: normal approximation are known to over-reject there (Cameron & Miller 2015).
FEW_CLUSTERS = 20

# The 97.5% normal quantile, as written in the Wilson intervals of simulated power.
_Z_95 = 1.959963984540054


# ----------------------------------------------------------------------------- deferred modules


class _Deferred:
    """Stands in for a module until an attribute is first read, then forwards to the module."""

    __slots__ = ("_module", "_name")

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attribute: str) -> Any:
        if self._module is None:
            self._module = importlib.import_module(self._name)
        return getattr(self._module, attribute)

    def __repr__(self) -> str:
        state = "imported" if self._module is not None else "not imported yet"
        return f"<module {self._name!r}, {state}>"


def deferred_module(name: str) -> ModuleType:
    """A stand-in for the module ``name`` that imports it the first time it is used.

    Why: a whole process that estimates one trial effect needs numpy and two special functions,
    but pandas and scipy.stats cost about 0.8 s to import, so a module whose common path does
    without a heavy module names it through this (under ``if TYPE_CHECKING:`` it imports it
    plainly, for type checkers and import-linter). It is ``infuse.core.lazy.module`` again
    because the engine imports nothing from the rest of InFuSe; like that one, and unlike
    ``importlib.util.LazyLoader``, it imports through ``importlib.import_module``, so threads
    are serialised by the import lock and nothing enters ``sys.modules`` before it is used.
    """
    return cast(ModuleType, _Deferred(name))


if TYPE_CHECKING:
    import pandas as pd
else:
    # Only cluster and block labels (factor_codes) need pandas; estimators on plain arrays do not.
    pd = deferred_module("pandas")


# ----------------------------------------------------------------------------- argument checks


def check_conf_level(conf_level: float) -> None:
    """Refuse a confidence level outside (0, 1)."""
    if not 0.0 < conf_level < 1.0:
        raise ValueError("conf_level must be strictly between 0 and 1")


def float_vector(values: ArrayLike, name: str, *, squeeze: bool = False) -> FloatArray:
    """A finite one-dimensional float array (booleans allowed), or a clear error.

    ``squeeze`` also accepts arrays with one non-trivial dimension, e.g. an ``(n, 1)`` column.
    """
    arr = np.asarray(values)
    if arr.ndim != 1 and squeeze:
        arr = np.squeeze(arr)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {np.shape(values)}")
    if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == np.bool_):
        raise TypeError(f"{name} must be numeric, got dtype {arr.dtype}")
    out = arr.astype(np.float64, copy=False)
    if not np.all(np.isfinite(out)):
        raise ValueError(f"{name} contains NaN or infinite values; drop or impute them first")
    return out


def factor_codes(values: ArrayLike, n: int, name: str) -> tuple[NDArray[np.intp], int]:
    """Integer codes ``0..k-1`` of ``n`` labels (cluster, block...) and the number of levels."""
    arr = np.asarray(values)
    if arr.ndim != 1 or arr.shape[0] != n:
        raise ValueError(f"{name} must be one-dimensional with {n} entries, got {arr.shape}")
    codes, uniques = pd.factorize(arr)
    if np.any(codes < 0):
        raise ValueError(f"{name} contains missing values")
    return codes.astype(np.intp, copy=False), len(uniques)


def group_sums(codes: NDArray[np.intp], values: FloatArray, n_groups: int) -> FloatArray:
    """Column-wise sums of ``values`` (n x k) within groups; bincount is O(n) and lean."""
    out = np.empty((n_groups, values.shape[1]), dtype=np.float64)
    for k in range(values.shape[1]):
        out[:, k] = np.bincount(codes, weights=values[:, k], minlength=n_groups)
    return out


def require_columns(data: pd.DataFrame, columns: Iterable[str]) -> None:
    """Refuse a panel that lacks one of the named columns."""
    for column in columns:
        if column not in data.columns:
            raise ValueError(f"column {column!r} is not in the data")


# ----------------------------------------------------------------------------- inference


def usable_se(se: float) -> bool:
    """Whether a standard error can carry an interval: positive and finite."""
    return se > 0.0 and math.isfinite(se)


def wald_interval(
    estimate: float,
    se: float,
    df: float | None,
    conf_level: float,
    *,
    null_value: float = 0.0,
) -> tuple[float, float, float]:
    """Two-sided ``(low, high, p)`` from a t(``df``) reference, or the normal when ``df`` is None.

    ``estimate -/+ q se`` with ``q`` the ``(1 + conf_level) / 2`` quantile, and
    ``p = 2 P(T > |estimate - null_value| / se)``. NaN throughout when the standard error is
    not a positive finite number (no uncertainty can be stated).
    """
    if not usable_se(se):
        return math.nan, math.nan, math.nan
    q = _quantile(0.5 + conf_level / 2.0, df)
    p = 2.0 * _upper_tail(abs((estimate - null_value) / se), df)
    return estimate - q * se, estimate + q * se, p


# The t and normal functions come straight from scipy.special because importing scipy.stats
# costs ~0.5 s more, which is most of a whole-process ITT; scipy.stats' t and norm evaluate these
# same functions (t.ppf is stdtrit, t.sf is stdtr at -x, norm.ppf is ndtri, norm.sf is ndtr at
# -x), so every interval and p-value is bit for bit what it was (tests/stats/test_common.py).


def _quantile(prob: float, df: float | None) -> float:
    """The ``prob`` quantile of t(``df``), or of the standard normal when ``df`` is None."""
    return float(special.ndtri(prob) if df is None else special.stdtrit(df, prob))


def _upper_tail(x: float, df: float | None) -> float:
    """``P(T > x)`` for t(``df``), or the standard normal when ``df`` is None."""
    return float(special.ndtr(-x) if df is None else special.stdtr(df, -x))


def wald_estimate(
    estimate: float,
    std_error: float,
    *,
    df: float | None,
    conf_level: float,
    null_value: float = 0.0,
    **fields: Any,
) -> EstimateResult:
    """An EstimateResult whose interval and p-value come from :func:`wald_interval`.

    ``fields`` are the remaining EstimateResult fields (method, effect_measure, n_units...).
    """
    low, high, p = wald_interval(estimate, std_error, df, conf_level, null_value=null_value)
    return EstimateResult(
        estimate=estimate,
        std_error=std_error,
        ci_low=low,
        ci_high=high,
        p_value=p,
        conf_level=conf_level,
        df=df,
        **fields,
    )


def wilson_bounds(successes: int, n: int) -> tuple[float, float]:
    """95% Wilson score interval for a proportion of ``n`` trials (Wilson 1927); NaN if n = 0.

    Used for the Monte-Carlo uncertainty of a simulated or placebo rejection rate.
    """
    if n == 0:
        return (math.nan, math.nan)
    z = _Z_95
    p = successes / n
    denom = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


# ----------------------------------------------------------------------------- results


def with_warnings(result: EstimateResult, warnings: Sequence[StatWarning]) -> EstimateResult:
    """A copy of ``result`` with ``warnings`` appended (EstimateResult is frozen)."""
    return replace(result, warnings=(*result.warnings, *warnings))
