"""Tests for infuse.stats.quasi.sun_abraham.

Sun & Abraham (2021): with every cohort x event-time indicator, each CATT(g, e) equals the
Callaway-Sant'Anna ATT(g, g + e) with never-treated controls and a universal base period (their
Proposition; checked against csdid with ``base_period="universal"``), and the regression's
cluster-robust SEs against statsmodels.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from infuse.stats.quasi.sun_abraham import sun_abraham
from tests.stats.quasi._panels import _cluster_fit, _staggered_panel

causaldata = pytest.importorskip("causaldata")


def test_sun_abraham_matches_csdid_universal_base_and_statsmodels(castle: pd.DataFrame) -> None:
    csdid = pytest.importorskip("csdid.att_gt")
    result = sun_abraham(
        castle, unit="sid", time="year", outcome="l_homicide", first_treated="g", se_type="CR1"
    )
    catt = pd.DataFrame(result.catt)
    catt["time"] = catt.group + catt.event_time
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = csdid.ATTgt(
            yname="l_homicide",
            tname="year",
            idname="sid",
            gname="g",
            data=castle,
            control_group=["nevertreated"],
        ).fit(est_method="dr", bstrap=False, base_period="universal")
    cs = pd.DataFrame({"group": ref.results["group"], "time": ref.results["year"]})
    cs["att"] = ref.results["att"]
    merged = catt.merge(cs, on=["group", "time"])
    assert len(merged) == len(catt) == 50
    np.testing.assert_allclose(merged.estimate, merged.att, atol=1e-7)
    # Cluster-robust SEs of the CATTs and of the IW average, written out with statsmodels.
    frame = castle.copy()
    rel = frame.year - frame.g
    names = []
    for g_, e in zip(catt.group, catt.event_time, strict=True):
        name = f"c{int(g_)}_{int(e) + 20}"
        frame[name] = ((frame.g == g_) & (rel == e)).astype(int)
        names.append(name)
    sm_fit = _cluster_fit(f"l_homicide ~ {' + '.join(names)} + C(sid) + C(year)", frame, "sid")
    np.testing.assert_allclose(catt.std_error, sm_fit.bse[names], rtol=1e-6)
    e0 = catt.event_time == 0
    w = pd.Series(
        catt.weight[e0].to_numpy(), index=[n for n, k in zip(names, e0, strict=True) if k]
    )
    cov = sm_fit.cov_params().loc[w.index, w.index].to_numpy()
    zero = result.coefficients[result.event_times.index(0)]
    assert zero.estimate == pytest.approx(float(w @ sm_fit.params[w.index]), rel=1e-8)
    assert zero.std_error == pytest.approx(float(np.sqrt(w @ cov @ w)), rel=1e-6)
    json.dumps(result.to_dict())


def test_sun_abraham_last_treated_control_is_a_cell_mean_did() -> None:
    """With the last cohort as control, CATT(g, e) = DiD of cohort means vs period g - 1."""
    data = _staggered_panel(4)
    data = data[data.g > 0]
    result = sun_abraham(
        data,
        unit="id",
        time="t",
        outcome="y",
        first_treated="g",
        control="last_treated",
        se_type="CR1",
    )
    means = data[data.t < 6].groupby(["g", "t"]).y.mean()
    for row in result.catt:
        t = row["group"] + row["event_time"]
        manual = (means[4, t] - means[4, 3]) - (means[6, t] - means[6, 3])
        assert row["estimate"] == pytest.approx(manual, abs=1e-9)
    assert {row["group"] for row in result.catt} == {4.0}
