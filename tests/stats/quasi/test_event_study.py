"""Tests for infuse.stats.quasi.event_study against statsmodels OLS with ``cov_type="cluster"``
on hand-built dummy designs (CR1), on Kessler & Roth's (2014) organ donations and Cheng &
Hoekstra's (2013) castle-doctrine panel (``causaldata``).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from infuse.stats.quasi.event_study import event_study
from tests.stats.quasi._panels import _cluster_fit, _staggered_panel

causaldata = pytest.importorskip("causaldata")


def test_event_study_matches_statsmodels(organ: pd.DataFrame) -> None:
    """Event-time dummies (ref -1) with state and quarter FE vs statsmodels CR1."""
    result = event_study(
        organ,
        unit="State",
        time="Quarter_Num",
        outcome="Rate",
        first_treated="first_treated",
        leads=3,
        lags=2,
        se_type="CR1",
    )
    assert result.event_times == (-3, -2, 0, 1, 2)
    frame = organ.copy()
    for k in result.event_times:
        name = f"e{k + 10}"
        frame[name] = ((frame.State == "California") & (frame.Quarter_Num - 4 == k)).astype(int)
    terms = " + ".join(f"e{k + 10}" for k in result.event_times)
    ref = _cluster_fit(f"Rate ~ {terms} + C(State) + C(Quarter_Num)", frame, "State")
    for k, coef in zip(result.event_times, result.coefficients, strict=True):
        assert coef.estimate == pytest.approx(ref.params[f"e{k + 10}"], rel=1e-8, abs=1e-12)
        assert coef.std_error == pytest.approx(ref.bse[f"e{k + 10}"], rel=1e-6)
    # Joint pre-trend test, written out with the statsmodels covariance.
    leads = ["e7", "e8"]
    b = ref.params[leads].to_numpy()
    v = ref.cov_params().loc[leads, leads].to_numpy()
    assert result.pretrend_f_stat == pytest.approx(float(b @ np.linalg.solve(v, b)) / 2, rel=1e-6)
    json.dumps(result.to_dict())


def test_event_study_bins_endpoints(castle: pd.DataFrame) -> None:
    """With binning, event times beyond the window are pooled into the end dummies."""
    binned = event_study(
        castle,
        unit="sid",
        time="year",
        outcome="l_homicide",
        first_treated="g",
        leads=2,
        lags=2,
        se_type="CR1",
    )
    assert binned.event_times == (-2, 0, 1, 2)
    frame = castle.copy()
    event = np.where(frame.g > 0, np.clip(frame.year - frame.g, -2, 2), np.nan)
    for k in binned.event_times:
        frame[f"e{k + 10}"] = (event == k).astype(int)
    terms = " + ".join(f"e{k + 10}" for k in binned.event_times)
    ref = _cluster_fit(f"l_homicide ~ {terms} + C(sid) + C(year)", frame, "sid")
    np.testing.assert_allclose(
        [c.estimate for c in binned.coefficients],
        ref.params[[f"e{k + 10}" for k in binned.event_times]],
        rtol=1e-8,
    )
    assert "staggered_adoption" in {w.code for w in binned.warnings}


def test_event_study_without_never_treated_normalises_two_periods() -> None:
    data = _staggered_panel(2)
    data = data[data.g > 0]
    result = event_study(
        data, unit="id", time="t", outcome="y", first_treated="g", leads=3, lags=2, se_type="CR1"
    )
    assert -3 not in result.event_times and -1 not in result.event_times
    assert "no_never_treated" in {w.code for w in result.warnings}
    frame = data.copy()
    event = np.clip(frame.t - frame.g, -3, 2)
    for k in result.event_times:
        frame[f"e{k + 10}"] = (event == k).astype(int)
    terms = " + ".join(f"e{k + 10}" for k in result.event_times)
    ref = _cluster_fit(f"y ~ {terms} + C(id) + C(t)", frame, "id")
    np.testing.assert_allclose(
        [c.estimate for c in result.coefficients],
        ref.params[[f"e{k + 10}" for k in result.event_times]],
        rtol=1e-8,
    )
