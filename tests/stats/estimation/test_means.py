"""Tests for ``infuse.stats.estimation.means`` against published numbers and independent code.

Sources:
* NSW / Dehejia-Wahba experimental sample (PyPI ``causaldata``, ``nsw_mixtape``): difference in
  mean 1978 earnings 1794.34, classical SE 632.85 (Cunningham 2021, *Causal Inference: The
  Mixtape*, ch. 5; Dehejia & Wahba 1999).
* scipy.stats.ttest_ind (Welch and Student); statsmodels OLS (HC2, and the classical variance
  of CUPED from per-arm summaries).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from infuse.stats.estimation.binary import binary_effect
from infuse.stats.estimation.covariate_adjustment import cuped_effect, cuped_from_summary
from infuse.stats.estimation.means import (
    ArmSummary,
    difference_in_means,
    difference_in_means_from_summary,
)


def test_nsw_published_difference_in_means(nsw: pd.DataFrame) -> None:
    """Published: 1794.34 (SE 632.85) for re78, treated minus control, classical SE."""
    res = difference_in_means(nsw["re78"].to_numpy(), nsw["treat"].to_numpy(), variance="classical")
    assert res.estimate == pytest.approx(1794.34, abs=0.005)
    assert res.std_error == pytest.approx(632.85, abs=0.005)
    assert res.n_units == 445 and res.df == 443


def test_welch_and_classical_match_scipy(nsw: pd.DataFrame) -> None:
    y = nsw["re78"].to_numpy(dtype=float)
    z = nsw["treat"].to_numpy()
    for variance, equal_var in (("welch", False), ("classical", True)):
        res = difference_in_means(y, z, variance=variance)
        ref = stats.ttest_ind(y[z == 1], y[z == 0], equal_var=equal_var)
        ci = ref.confidence_interval(0.95)
        assert res.estimate / res.std_error == pytest.approx(ref.statistic, rel=1e-12)
        assert res.p_value == pytest.approx(ref.pvalue, rel=1e-10)
        assert res.df == pytest.approx(ref.df, rel=1e-12)
        assert (res.ci_low, res.ci_high) == pytest.approx((ci.low, ci.high), rel=1e-10)
    # Welch's variance is the HC2 variance of OLS y ~ 1 + T (statsmodels).
    ols = sm.OLS(y, sm.add_constant(z.astype(float))).fit(cov_type="HC2")
    assert difference_in_means(y, z).std_error == pytest.approx(ols.bse[1], rel=1e-10)


def test_argument_errors_raise() -> None:
    with pytest.raises(ValueError, match="both arms"):
        difference_in_means([1.0, 2.0], [1, 1])
    with pytest.raises(ValueError, match="0 \\(control\\)"):
        difference_in_means([1.0, 2.0, 3.0], [0, 1, 2])
    with pytest.raises(ValueError, match="binary"):
        binary_effect([0.0, 0.5, 1.0], [0, 1, 1])
    res = difference_in_means([1.0, 1.0, 2.0, 2.0], [0, 0, 1, 1])
    assert [w.code for w in res.warnings] == ["zero_variance"]
    single = difference_in_means([1.0, 2.0, 3.0, 5.0], [1, 0, 0, 0])
    assert [w.code for w in single.warnings] == ["too_few_units"]
    assert single.estimate == pytest.approx(-2.3333333333333335)
    lone = cuped_effect([1.0, 2.0, 3.0, 4.0, 5.0], [1, 0, 0, 0, 0], [0.1, 0.5, 0.2, 0.9, 0.3])
    assert [w.code for w in lone.warnings] == ["too_few_units"] and np.isnan(lone.std_error)
    assert res.to_dict()["p_value"] is None


def test_summary_versions_match_statsmodels() -> None:
    """From per-arm moments only: Welch equals scipy; CUPED equals statsmodels OLS
    y ~ 1 + T + x with the classical variance."""
    rng = np.random.default_rng(21)
    n = 3_000
    z = rng.integers(0, 2, n).astype(bool)
    x = rng.normal(10, 2, n)
    y = 5 + 0.4 * z + 0.7 * x + rng.normal(size=n)

    def summary(mask: np.ndarray) -> ArmSummary:
        return ArmSummary(
            n=int(mask.sum()),
            mean=float(y[mask].mean()),
            variance=float(y[mask].var(ddof=1)),
            mean_pre=float(x[mask].mean()),
            variance_pre=float(x[mask].var(ddof=1)),
            covariance=float(np.cov(y[mask], x[mask])[0, 1]),
        )

    welch = difference_in_means_from_summary(summary(z), summary(~z))
    ref = stats.ttest_ind(y[z], y[~z], equal_var=False)
    assert welch.estimate / welch.std_error == pytest.approx(ref.statistic, rel=1e-10)
    assert welch.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    cup = cuped_from_summary(summary(z), summary(~z))
    ols = sm.OLS(y, np.column_stack([np.ones(n), z, x])).fit()
    assert cup.estimate == pytest.approx(ols.params[1], rel=1e-10)
    assert cup.std_error == pytest.approx(ols.bse[1], rel=1e-9)
    assert cup.p_value == pytest.approx(ols.pvalues[1], rel=1e-7)
    assert summary(z).to_dict()["n"] == int(z.sum())
