"""Tests for ``infuse.stats.estimation.multiplicity`` against statsmodels multipletests."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests

from infuse.stats.estimation.multiplicity import adjust_p_values


@pytest.mark.parametrize(("ours", "theirs"), [("holm", "holm"), ("bh", "fdr_bh")])
def test_multiplicity_matches_statsmodels(ours: str, theirs: str) -> None:
    rng = np.random.default_rng(16)
    p = np.r_[rng.uniform(size=15) ** 3, 0.01, 0.01, 1.0]
    expected = multipletests(p, method=theirs)[1]
    np.testing.assert_allclose(adjust_p_values(p, ours), expected, rtol=1e-12)  # type: ignore[arg-type]
