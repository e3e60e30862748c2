"""Properties every estimator of ``infuse.stats.estimation`` must have (hypothesis)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infuse.stats.estimation.binary import binary_effect_from_counts
from infuse.stats.estimation.covariate_adjustment import cuped_effect, lin_adjusted_effect
from infuse.stats.estimation.means import difference_in_means

_samples = st.integers(min_value=0, max_value=2**31 - 1)


@settings(max_examples=30, deadline=None)
@given(seed=_samples, shift=st.floats(-1e3, 1e3, allow_nan=False))
def test_shift_invariance(seed: int, shift: float) -> None:
    """Adding a constant to the outcome leaves every effect estimate and SE unchanged."""
    rng = np.random.default_rng(seed)
    n = 40
    z = rng.permutation(np.r_[np.ones(17), np.zeros(n - 17)])
    x = rng.normal(size=n)
    y = rng.normal(size=n) + x
    for fn in (
        lambda yy: difference_in_means(yy, z),
        lambda yy: lin_adjusted_effect(yy, z, x),
        lambda yy: cuped_effect(yy, z, x),
    ):
        a, b = fn(y), fn(y + shift)
        assert b.estimate == pytest.approx(a.estimate, rel=1e-7, abs=1e-8)
        assert b.std_error == pytest.approx(a.std_error, rel=1e-7, abs=1e-8)


@settings(max_examples=30, deadline=None)
@given(seed=_samples)
def test_relabelling_arms_flips_sign(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 40
    z = rng.permutation(np.r_[np.ones(15), np.zeros(n - 15)])
    x = rng.normal(size=n)
    y = rng.normal(size=n) + x + 0.3 * z
    for fn in (
        lambda zz: difference_in_means(y, zz),
        lambda zz: lin_adjusted_effect(y, zz, x),
        lambda zz: cuped_effect(y, zz, x),
    ):
        a, b = fn(z), fn(1 - z)
        assert b.estimate == pytest.approx(-a.estimate, rel=1e-9, abs=1e-12)
        assert b.std_error == pytest.approx(a.std_error, rel=1e-9)
    rr = binary_effect_from_counts(12, 40, 20, 41, measure="risk_ratio")
    rr_flip = binary_effect_from_counts(20, 41, 12, 40, measure="risk_ratio")
    assert rr_flip.estimate == pytest.approx(1 / rr.estimate, rel=1e-12)
