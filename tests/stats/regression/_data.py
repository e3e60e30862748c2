"""Simulated clustered data shared by the regression tests."""

from __future__ import annotations

import numpy as np


def _clustered_data(seed: int, n: int = 240, n_clusters: int = 12) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    cluster = rng.integers(0, n_clusters, n)
    x = rng.normal(size=n) + 0.5 * rng.normal(size=n_clusters)[cluster]
    d = (cluster % 2).astype(float)  # cluster-level "treatment"
    X = np.column_stack([np.ones(n), x, d])
    y = X @ np.array([1.0, 0.7, 0.3]) + rng.normal(size=n_clusters)[cluster]
    y = y + rng.normal(size=n) * (1 + np.abs(x))
    return y, X, cluster
