"""Input checks and the QR least-squares core shared by the OLS fit, CR2 and the bootstrap."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from infuse.stats._common import FloatArray
from infuse.stats.results import StatWarning

if TYPE_CHECKING:
    from infuse.stats.regression.cluster_robust import CR2Parts

__all__: list[str] = []

RANK_TOL = 1e-10
LEVERAGE_TOL = 1e-10


def as_design(X: ArrayLike, n: int) -> tuple[FloatArray, tuple[str, ...] | None]:
    names: tuple[str, ...] | None = None
    if isinstance(X, pd.DataFrame):
        names = tuple(str(c) for c in X.columns)
    arr = np.asarray(X)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError(f"X must be two-dimensional, got shape {arr.shape}")
    if arr.shape[0] != n:
        raise ValueError(f"X has {arr.shape[0]} rows but y has {n}")
    if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == np.bool_):
        raise TypeError(f"X must be numeric, got dtype {arr.dtype}")
    out = np.ascontiguousarray(arr, dtype=np.float64)
    if not np.all(np.isfinite(out)):
        raise ValueError("X contains NaN or infinite values; drop or impute them first")
    return out, names


def coefficient_names(
    names: Sequence[str] | None, column_names: tuple[str, ...] | None, p: int
) -> tuple[str, ...]:
    """The names given, else the DataFrame's columns, else ``x0 ... x{p-1}``."""
    return tuple(names) if names is not None else column_names or tuple(f"x{i}" for i in range(p))


@dataclass(frozen=True)
class Covariance:
    """A variance estimate of the coefficients with its degrees of freedom and what it met.

    ``df`` is None when it is computed lazily (CR2, from ``cr2``).
    """

    cov: FloatArray
    df: FloatArray | None
    warnings: tuple[StatWarning, ...] = ()
    n_clusters: int | None = None
    cr2: CR2Parts | None = None


def group_grams(codes: NDArray[np.intp], X: FloatArray, n_groups: int) -> FloatArray:
    """``X_g'X_g`` for every group, G x p x p, one bincount per distinct entry."""
    p = X.shape[1]
    out = np.empty((n_groups, p, p), dtype=np.float64)
    for i in range(p):
        for j in range(i, p):
            s = np.bincount(codes, weights=X[:, i] * X[:, j], minlength=n_groups)
            out[:, i, j] = s
            out[:, j, i] = s
    return out


def upper_solve(r: FloatArray, b: FloatArray) -> FloatArray:
    """Solve ``r x = b`` for the small upper-triangular QR factor.

    numpy's LAPACK is used rather than scipy's: scipy links a second OpenBLAS whose thread
    pool fights numpy's on small machines, making a 3 x 3 solve cost a millisecond inside
    simulation loops. Partial pivoting leaves a triangular matrix unpermuted, so this is
    back-substitution.
    """
    return np.asarray(np.linalg.solve(r, b), dtype=np.float64)


def qr_fit(
    y: FloatArray, X: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """QR least squares: returns params, residuals, bread (X'X)^-1, R^-1, and Q."""
    q, r = np.linalg.qr(X, mode="reduced")
    col_norms = np.linalg.norm(X, axis=0)
    rel = np.abs(np.diag(r)) / np.where(col_norms > 0.0, col_norms, 1.0)
    bad = np.flatnonzero((rel <= RANK_TOL) | (col_norms == 0.0))
    if bad.size:
        raise ValueError(
            "design matrix is rank deficient (collinear or constant columns, e.g. column "
            f"{int(bad[0])}); remove redundant columns before fitting"
        )
    params = upper_solve(r, q.T @ y)
    resid = y - X @ params
    r_inv = upper_solve(r, np.eye(r.shape[0]))
    bread = r_inv @ r_inv.T
    return params, resid, bread, r_inv, q
