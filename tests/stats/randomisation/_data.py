"""Units, covariates and the uniformity check shared by the randomisation tests."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
from scipy import stats

IDS = [f"u{i:02d}" for i in range(24)]


def _covariates(n: int = 24, seed: int = 7) -> dict[str, list[Any]]:
    rng = np.random.default_rng(seed)
    return {
        "age": [float(v) for v in rng.normal(45, 12, n).round(1)],
        "female": [int(v) for v in rng.integers(0, 2, n)],
        "council": [["Cardiff", "Newport", "Torfaen"][i % 3] for i in range(n)],
    }


def _chi_square_uniform(counts: Counter[tuple[str, ...]], categories: int) -> float:
    observed = np.array(list(counts.values()), dtype=float)
    assert len(observed) == categories
    return float(stats.chisquare(observed).pvalue)
