"""Tests for ``infuse.stats.regression.ols`` against independent implementations.

Sources:
* classical / HC1 / HC2 / CR1: statsmodels ``OLS.fit(cov_type=...)`` (independent code).
"""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm

from infuse.stats.regression.ols import OLSFit, coefficient_result, fit_ols
from tests.stats.regression._data import _clustered_data


@pytest.mark.parametrize(
    ("se_type", "sm_kwargs"),
    [
        ("classical", {}),
        ("HC1", {"cov_type": "HC1", "use_t": True}),
        ("HC2", {"cov_type": "HC2", "use_t": True}),
        ("CR1", {"cov_type": "cluster", "use_t": True}),
    ],
)
def test_matches_statsmodels(se_type: str, sm_kwargs: dict) -> None:
    """Covariance, SEs, df and p-values equal statsmodels OLS to 1e-10 (relative)."""
    y, X, cluster = _clustered_data(1)
    kwargs = dict(sm_kwargs)
    if se_type == "CR1":
        kwargs["cov_kwds"] = {"groups": cluster}
    ref = sm.OLS(y, X).fit(**kwargs)
    fit = fit_ols(y, X, cluster=cluster if se_type == "CR1" else None, se_type=se_type)  # type: ignore[arg-type]
    np.testing.assert_allclose(fit.params, ref.params, rtol=1e-10)
    np.testing.assert_allclose(fit.cov, ref.cov_params(), rtol=1e-10)
    np.testing.assert_allclose(fit.std_errors, ref.bse, rtol=1e-10)
    np.testing.assert_allclose(fit.p_values, ref.pvalues, rtol=1e-8)
    low, high = fit.conf_int()
    np.testing.assert_allclose(np.column_stack([low, high]), ref.conf_int(), rtol=1e-9)
    expected_df = (len(np.unique(cluster)) - 1) if se_type == "CR1" else ref.df_resid
    np.testing.assert_allclose(fit.df, expected_df)


def test_few_clusters_warning_and_argument_errors() -> None:
    y, X, cluster = _clustered_data(7)
    fit = fit_ols(y, X, cluster=cluster)
    assert isinstance(fit, OLSFit) and fit.se_type == "CR2"
    assert [w.code for w in fit.warnings] == ["few_clusters"]
    with pytest.raises(ValueError, match="rank deficient"):
        fit_ols(y, np.column_stack([X, X[:, 1] * 2]))
    with pytest.raises(ValueError, match="needs cluster"):
        fit_ols(y, X, se_type="CR1")
    with pytest.raises(ValueError, match="rows"):
        fit_ols(y[:-1], X)
    with pytest.raises(ValueError, match="se_type"):
        fit_ols(y, X, se_type="HC3")  # type: ignore[arg-type]
    result = coefficient_result(fit, "x2", effect_measure="mean_difference")
    assert result.to_dict()["n_clusters"] == 12
    assert fit.to_dict()["se_type"] == "CR2"
