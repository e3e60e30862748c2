"""Multiplicity-adjusted p-values (Holm; Benjamini-Hochberg)."""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from infuse.stats._common import FloatArray

__all__ = ["adjust_p_values"]


def adjust_p_values(p_values: ArrayLike, method: Literal["holm", "bh"] = "holm") -> FloatArray:
    """Multiplicity-adjusted p-values, in the input order.

    Parameters
    ----------
    p_values : raw p-values in [0, 1].
    method : ``"holm"`` (family-wise error; Holm, S. 1979 "A simple sequentially rejective
        multiple test procedure", Scand J Stat 6) or ``"bh"`` (false discovery rate; Benjamini,
        Y. & Hochberg, Y. 1995 "Controlling the false discovery rate", JRSS B 57).

    Returns
    -------
    Adjusted p-values: Holm ``max_{j<=i} min(1, (m - j + 1) p_(j))``; BH
    ``min_{j>=i} min(1, m p_(j) / j)`` over the sorted p-values.
    """
    p = np.asarray(p_values, dtype=np.float64)
    if p.ndim != 1:
        raise ValueError("p_values must be one-dimensional")
    if p.size == 0:
        return p.copy()
    if np.any(~np.isfinite(p)) or np.any((p < 0) | (p > 1)):
        raise ValueError("p-values must lie in [0, 1]")
    m = p.size
    order = np.argsort(p, kind="stable")
    ps = p[order]
    ranks = np.arange(1, m + 1)
    if method == "holm":
        adj = np.maximum.accumulate(np.minimum(1.0, (m - ranks + 1) * ps))
    elif method == "bh":
        adj = np.minimum.accumulate(np.minimum(1.0, m * ps / ranks)[::-1])[::-1]
    else:
        raise ValueError("method must be 'holm' or 'bh'")
    out = np.empty(m)
    out[order] = adj
    return out
