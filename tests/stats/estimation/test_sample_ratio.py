"""Tests for ``infuse.stats.estimation.sample_ratio`` against scipy.stats.chisquare."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from infuse.stats.estimation.sample_ratio import sample_ratio_mismatch


def test_sample_ratio_mismatch_matches_scipy_chisquare() -> None:
    res = sample_ratio_mismatch([50_210, 49_012, 25_301], [2, 2, 1])
    ref = stats.chisquare([50_210, 49_012, 25_301], f_exp=np.array([2, 2, 1]) / 5 * 124_523)
    assert res.statistic == pytest.approx(ref.statistic, rel=1e-12)
    assert res.p_value == pytest.approx(ref.pvalue, rel=1e-10)
    assert res.mismatch and [w.code for w in res.warnings] == ["sample_ratio_mismatch"]
    ok = sample_ratio_mismatch([5000, 5050], [1, 1])
    assert not ok.mismatch and ok.to_dict()["df"] == 1
