"""An effect from plain arrays or per-arm summaries (difference in means, CUPED) loads neither
pandas nor scipy.stats nor statsmodels, nor the OLS module: a whole process that reports a
trial's ITT and CUPED effects then spends ~0.3 s importing instead of ~1 s (bench/itt.py).
Seen from fresh interpreters, through the engine's public names."""

from __future__ import annotations

from tests.imports import loaded_after

#: What the effects from arrays and summaries must not import (each costs 0.1-1.5 s).
DEFERRED = frozenset({"pandas", "scipy.stats", "statsmodels", "infuse.stats.regression.ols"})

ESTIMATES = """
import numpy as np
from infuse.stats import (
    ArmSummary,
    cuped_effect,
    cuped_from_summary,
    difference_in_means,
    difference_in_means_from_summary,
)
rng = np.random.default_rng(3)
y = rng.normal(size=200)
treated = np.repeat([False, True], 100)
pre = y + rng.normal(size=200)
print(difference_in_means(y, treated).ci_low)
print(difference_in_means(y, treated, variance="classical").p_value)
for se_type in ("HC2", "HC1", "classical"):
    print(cuped_effect(y, treated, pre, se_type=se_type).ci_high)
arm = ArmSummary(n=100, mean=1.0, variance=2.0, mean_pre=0.5, variance_pre=1.0, covariance=0.4)
print(difference_in_means_from_summary(arm, arm).p_value)
print(cuped_from_summary(arm, arm).ci_low)
"""


def test_difference_in_means_and_cuped_load_no_heavy_module():
    assert loaded_after(ESTIMATES, DEFERRED) == []


def test_lin_regression_loads_what_it_uses_when_it_runs():
    """Lin's estimator fits OLS and checks whether its covariates are a DataFrame, so the same
    probe sees those modules appear: the test above cannot pass by seeing nothing."""
    lin = ESTIMATES + (
        "from infuse.stats import lin_adjusted_effect\n"
        "print(lin_adjusted_effect(y, treated, pre).estimate)\n"
    )
    assert loaded_after(lin, DEFERRED) == ["infuse.stats.regression.ols", "pandas", "scipy.stats"]
