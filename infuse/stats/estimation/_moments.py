"""Per-arm counts, means and centred sums in streamed passes over the columns."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from infuse.stats._common import FloatArray

__all__: list[str] = []


CHUNK = 1 << 16  # 64k rows: a chunk's temporaries stay in CPU cache


def dot(a: FloatArray, b: FloatArray) -> float:
    """Inner product without BLAS: on a chunk, a threaded BLAS dot spends longer waking and
    synchronising its threads than adding (10x slower on a busy 2-core machine)."""
    return float(np.einsum("i,i->", a, b))


def chunks(n: int) -> range:
    return range(0, n, CHUNK)


@dataclass(frozen=True)
class ArmMeans:
    n1: int
    n0: int
    mean1: float
    mean0: float


def arm_means(y: FloatArray, z: NDArray[np.bool_]) -> ArmMeans:
    """Per-arm counts and means in one streamed pass."""
    n = y.shape[0]
    n1 = 0
    s1 = 0.0
    s = 0.0
    for i in chunks(n):
        zc = z[i : i + CHUNK]
        yc = y[i : i + CHUNK]
        n1 += int(np.count_nonzero(zc))
        s1 += dot(yc, zc.astype(np.float64))
        s += float(yc.sum())
    n0 = n - n1
    return ArmMeans(n1, n0, s1 / n1, (s - s1) / n0)


def arm_sums_of_squares(y: FloatArray, z: NDArray[np.bool_], m: ArmMeans) -> tuple[float, float]:
    """Per-arm centred sums of squares (second streamed pass: no cancellation)."""
    ss1 = 0.0
    ss = 0.0
    shift = m.mean1 - m.mean0
    for i in chunks(y.shape[0]):
        zf = z[i : i + CHUNK].astype(np.float64)
        yc = y[i : i + CHUNK] - m.mean0
        yc -= shift * zf
        ss += dot(yc, yc)
        ss1 += float(np.einsum("i,i,i->", yc, yc, zf))
    return ss1, max(ss - ss1, 0.0)
