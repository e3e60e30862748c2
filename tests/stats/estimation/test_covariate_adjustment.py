"""Tests for ``infuse.stats.estimation.covariate_adjustment`` (Lin 2013, CUPED).

Sources:
* Recorded output of R estimatr 1.0.0 (``lm_lin``, ``difference_in_means``) on the NSW sample
  (Debian package r-cran-estimatr).
* statsmodels OLS with HC1/HC2/nonrobust on explicitly built designs (Lin 2013, CUPED).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from infuse.stats.estimation.covariate_adjustment import cuped_effect, lin_adjusted_effect
from infuse.stats.estimation.means import difference_in_means


def test_lin_and_welch_match_r_estimatr_on_nsw(nsw: pd.DataFrame) -> None:
    """R: lm_lin(re78 ~ treat, covariates = ~ age + educ + re74 + re75, se_type = "HC2") and
    difference_in_means(re78 ~ treat) (estimatr 1.0.0), on the same doubles."""
    d = nsw.drop(columns=["data_id"]).astype("float64")
    lin = lin_adjusted_effect(
        d["re78"].to_numpy(), d["treat"].to_numpy(), d[["age", "educ", "re74", "re75"]]
    )
    assert lin.estimate == pytest.approx(1613.35491961842, rel=1e-12)
    assert lin.std_error == pytest.approx(654.038704512791, rel=1e-12)
    assert lin.p_value == pytest.approx(0.0140186482743, rel=1e-9)
    assert (lin.ci_low, lin.ci_high) == pytest.approx(
        (327.886040069536, 2898.8237991673), rel=1e-11
    )
    assert lin.df == 435
    welch = difference_in_means(d["re78"].to_numpy(), d["treat"].to_numpy())
    assert welch.std_error == pytest.approx(670.996544467332, rel=1e-12)
    assert welch.df == pytest.approx(307.132494496707, rel=1e-11)
    assert welch.p_value == pytest.approx(0.00789297830550186, rel=1e-9)
    assert (welch.ci_low, welch.ci_high) == pytest.approx(
        (474.010451187834, 3114.67431251237), rel=1e-11
    )


def _lin_reference(y, z, X, cov_type="HC2", **kw):
    Xc = X - X.mean(axis=0)
    design = np.column_stack([np.ones(len(y)), z, Xc, z[:, None] * Xc])
    return sm.OLS(y, design).fit(cov_type=cov_type, use_t=True, **kw)


def test_lin_matches_statsmodels_interacted_hc2() -> None:
    rng = np.random.default_rng(10)
    n = 300
    X = rng.normal(size=(n, 2)) * [1.0, 3.0]
    z = rng.permutation(np.r_[np.ones(120), np.zeros(180)])
    y = 1 + 0.5 * z + X @ [0.8, -0.2] + 0.4 * z * X[:, 0] + rng.normal(size=n) * (1 + X[:, 0] ** 2)
    res = lin_adjusted_effect(y, z, X)
    ref = _lin_reference(y, z, X)
    assert res.estimate == pytest.approx(ref.params[1], rel=1e-10)
    assert res.std_error == pytest.approx(ref.bse[1], rel=1e-10)
    assert res.p_value == pytest.approx(ref.pvalues[1], rel=1e-8)
    assert (res.ci_low, res.ci_high) == pytest.approx(tuple(ref.conf_int()[1]), rel=1e-9)
    # A constant covariate is dropped with a warning rather than breaking the fit.
    res2 = lin_adjusted_effect(y, z, np.column_stack([X, np.ones(n)]))
    assert res2.estimate == pytest.approx(res.estimate, rel=1e-12)
    assert [w.code for w in res2.warnings] == ["constant_covariate"]


@pytest.mark.parametrize(
    ("se_type", "cov_type"), [("HC2", "HC2"), ("HC1", "HC1"), ("classical", "nonrobust")]
)
def test_cuped_equals_ols_with_pre_period_covariate(se_type: str, cov_type: str) -> None:
    """CUPED with the pooled within-arm theta is OLS y ~ 1 + T + x (statsmodels)."""
    rng = np.random.default_rng(11)
    n = 5_000
    pre = rng.gamma(2.0, 3.0, n)
    z = rng.integers(0, 2, n)
    y = 2 + 0.3 * z + 0.9 * pre + rng.normal(size=n) * (1 + 0.2 * pre)
    res = cuped_effect(y, z, pre, se_type=se_type)  # type: ignore[arg-type]
    ref = sm.OLS(y, np.column_stack([np.ones(n), z, pre])).fit(cov_type=cov_type, use_t=True)
    assert res.estimate == pytest.approx(ref.params[1], rel=1e-10)
    assert res.std_error == pytest.approx(ref.bse[1], rel=1e-10)
    assert res.p_value == pytest.approx(ref.pvalues[1], rel=1e-8)
    assert res.extra["theta"] == pytest.approx(ref.params[2], rel=1e-10)
    assert res.extra["variance_reduction"] > 0.5
