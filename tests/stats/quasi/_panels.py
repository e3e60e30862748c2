"""Panels and the statsmodels reference fit shared by the difference-in-differences tests."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf


def _cluster_fit(formula: str, data: pd.DataFrame, groups: str) -> Any:
    codes = pd.Categorical(data[groups]).codes
    return smf.ols(formula, data).fit(cov_type="cluster", cov_kwds={"groups": codes})


def _staggered_panel(seed: int, shift: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n_units, years = 60, np.arange(1, 9)
    g = rng.choice([0, 4, 6], size=n_units)
    unit_effect = rng.normal(size=n_units)
    rows = []
    for i in range(n_units):
        for t in years:
            effect = (1.0 + 0.5 * (t - g[i])) if g[i] and t >= g[i] else 0.0
            y = shift + unit_effect[i] + 0.3 * t + effect + rng.normal(scale=0.5)
            rows.append({"id": i, "t": t, "g": g[i], "y": y, "d": int(bool(g[i]) and t >= g[i])})
    return pd.DataFrame(rows)
