"""Tests for ``infuse.stats.estimation.heterogeneity``: the interaction F test vs statsmodels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from infuse.stats.estimation.heterogeneity import subgroup_heterogeneity


def test_subgroup_interaction_test_matches_statsmodels_wald() -> None:
    rng = np.random.default_rng(15)
    n = 900
    council = rng.choice(["W06000018", "W06000019", "W06000020", "W06000021"], n)
    z = rng.integers(0, 2, n)
    effect = (
        pd.Series(council)
        .map({"W06000018": 0.0, "W06000019": 0.2, "W06000020": 0.5, "W06000021": 0.1})
        .to_numpy()
    )
    y = 1 + effect * z + rng.normal(size=n) * (1 + z)
    res = subgroup_heterogeneity(y, z, council)
    labels = sorted(set(council))
    onehot = (council[:, None] == np.array(labels)[None, :]).astype(float)
    design = np.column_stack([onehot, onehot * z[:, None]])
    ref = sm.OLS(y, design).fit(cov_type="HC2", use_t=True)
    R = np.zeros((3, 8))
    for i in range(3):
        R[i, 4 + i], R[i, 5 + i] = 1.0, -1.0
    wald = ref.f_test(R)
    assert res.statistic == pytest.approx(float(np.squeeze(wald.fvalue)), rel=1e-10)
    assert res.p_value == pytest.approx(float(wald.pvalue), rel=1e-8)
    assert (res.df_num, res.df_denom) == (3, n - 8)
    for j, lab in enumerate(labels):
        assert res.subgroup_effects[lab].estimate == pytest.approx(ref.params[4 + j], rel=1e-10)
        assert res.subgroup_effects[lab].std_error == pytest.approx(ref.bse[4 + j], rel=1e-10)
    assert set(res.to_dict()["subgroup_effects"]) == set(labels)
