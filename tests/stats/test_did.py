"""Tests for infuse.stats.did.

Sources:
- Published: Kessler & Roth (2014) organ-donation data (``causaldata.organ_donations``) as
  analysed in Huntington-Klein, "The Effect" (2021), ch. 18: TWFE DiD of California's active
  choice policy (from Q3 2011) on donation rates, estimate -0.0225 with state-clustered SEs.
- Independent implementations: statsmodels OLS with ``cov_type="cluster"`` on hand-built dummy
  designs (CR1, the Stata/statsmodels factor G/(G-1) (n-1)/(n-k)); and the PyPI package
  ``csdid`` (Python port of R ``did``: ``ATTgt(...).fit(est_method="dr", bstrap=False)`` and
  ``aggte``) for Callaway & Sant'Anna on the Cheng & Hoekstra (2013) castle-doctrine panel
  (``causaldata.castle``: 50 states, 2000-2010, log homicide), never-treated and not-yet-treated.
- Sun & Abraham (2021): with every cohort x event-time indicator, each CATT(g, e) equals the
  Callaway-Sant'Anna ATT(g, g + e) with never-treated controls and a universal base period
  (their Proposition; checked against csdid with ``base_period="universal"``), and the
  regression's cluster-robust SEs against statsmodels.
- Reference-software output for the castle panel (Stata 18 xtreg/csdid and R did), as recorded
  in the StatsPAI project's castle parity tests: TWFE 0.069398429 (SE 0.055859635), CS simple
  ATT 0.019402808.
- Not available here: the ``mpdta`` teen-employment panel used in R did's documentation (it is
  in no installable package), so its published aggregations are not reproduced.
"""

from __future__ import annotations

import json
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from hypothesis import given, settings
from hypothesis import strategies as st

from infuse.stats.did import callaway_santanna, did_2x2, event_study, sun_abraham, twfe_did

causaldata = pytest.importorskip("causaldata")


@pytest.fixture(scope="module")
def organ() -> pd.DataFrame:
    data = causaldata.organ_donations.load_pandas().data.copy()
    data["treated_state"] = (data.State == "California").astype(int)
    data["post"] = (data.Quarter_Num >= 4).astype(int)
    data["treated"] = data.treated_state * data.post
    data["first_treated"] = np.where(data.State == "California", 4, 0)
    return data


@pytest.fixture(scope="module")
def castle() -> pd.DataFrame:
    data = causaldata.castle.load_pandas().data.copy()
    first = data[data.post > 0].groupby("sid").year.min()
    data["g"] = data.sid.map(first).fillna(0).astype(int)
    return data


def _cluster_fit(formula: str, data: pd.DataFrame, groups: str) -> Any:
    codes = pd.Categorical(data[groups]).codes
    return smf.ols(formula, data).fit(cov_type="cluster", cov_kwds={"groups": codes})


def test_organ_donations_twfe_matches_the_effect(organ: pd.DataFrame) -> None:
    """The Effect ch. 18: TWFE estimate -0.0225; SE checked against statsmodels CR1."""
    result = twfe_did(
        organ, unit="State", time="Quarter_Num", outcome="Rate", treatment="treated", se_type="CR1"
    )
    assert result.estimate == pytest.approx(-0.0225, abs=5e-5)
    ref = _cluster_fit("Rate ~ treated + C(State) + C(Quarter_Num)", organ, "State")
    assert result.estimate == pytest.approx(ref.params["treated"], rel=1e-10)
    assert result.std_error == pytest.approx(ref.bse["treated"], rel=1e-8)
    assert result.n_clusters == 27 and result.df == 26
    assert not any(w.code == "staggered_adoption" for w in result.warnings)
    json.dumps(result.to_dict())
    # Default CR2 (Bell-McCaffrey) is also available and gives the same point estimate.
    cr2 = twfe_did(organ, unit="State", time="Quarter_Num", outcome="Rate", treatment="treated")
    assert cr2.estimate == pytest.approx(result.estimate, rel=1e-10)
    assert cr2.extra["se_type"] == "CR2"


def test_organ_donations_2x2_equals_twfe_and_statsmodels(organ: pd.DataFrame) -> None:
    """Balanced panel with one adoption date: 2x2 regression = TWFE estimate (-0.0225)."""
    result = did_2x2(
        organ.Rate, organ.treated_state, organ.post, cluster=organ.State, se_type="CR1"
    )
    ref = _cluster_fit("Rate ~ treated_state * post", organ, "State")
    assert result.estimate == pytest.approx(ref.params["treated_state:post"], rel=1e-10)
    assert result.estimate == pytest.approx(-0.0225, abs=5e-5)
    assert result.std_error == pytest.approx(ref.bse["treated_state:post"], rel=1e-8)
    assert result.method == "did_2x2"
    # Difference of the four cell means, written out.
    means = organ.groupby(["treated_state", "post"]).Rate.mean()
    manual = (means[1, 1] - means[1, 0]) - (means[0, 1] - means[0, 0])
    assert result.estimate == pytest.approx(manual, rel=1e-10)


def test_did_2x2_wild_bootstrap_for_few_councils() -> None:
    """Ten councils: the WCR p-value is attached and agrees with calling the bootstrap
    on the same design (regression.wild_cluster_bootstrap is itself checked against
    wildboottest by its own tests)."""
    from infuse.stats.regression.wild_bootstrap import wild_cluster_bootstrap

    rng = np.random.default_rng(10)
    council = np.repeat(np.arange(10), 40)
    treated = (council < 4).astype(float)
    post = np.tile(np.repeat([0.0, 1.0], 20), 10)
    y = rng.normal(size=10)[council] + 0.3 * treated * post + rng.normal(size=council.size)
    result = did_2x2(y, treated, post, cluster=council, wild_bootstrap_seed=123)
    boot = result.extra["wild_bootstrap"]
    x = np.column_stack([np.ones_like(y), treated, post, treated * post])
    direct = wild_cluster_bootstrap(y, x, council, 3, weights="rademacher", seed=123)
    assert boot["p_value"] == pytest.approx(direct.p_value)
    # 2^10 = 1024 sign vectors: exact enumeration, so the p-value is a multiple of 1/1024.
    assert boot["full_enumeration"] and boot["n_draws"] == 1024
    assert result.n_clusters == 10
    json.dumps(result.to_dict())
    # The same test through the TWFE entry point (unit and period dummies; 10 council panels).
    panel = pd.DataFrame({"c": council, "p": post, "y": y, "d": treated * post})
    panel["unit"] = panel.c.astype(str) + "_" + (np.arange(len(panel)) % 20).astype(str)
    twfe = twfe_did(
        panel,
        unit="unit",
        time="p",
        outcome="y",
        treatment="d",
        cluster="c",
        se_type="CR1",
        wild_bootstrap_seed=123,
    )
    assert twfe.extra["wild_bootstrap"]["n_clusters"] == 10
    assert 0.0 <= twfe.extra["wild_bootstrap"]["p_value"] <= 1.0


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


def test_castle_twfe_and_callaway_santanna_match_stata_and_r(castle: pd.DataFrame) -> None:
    """Cheng & Hoekstra castle panel, reference-software output recorded in StatsPAI's castle
    parity tests (Stata 18 ``xtreg l_homicide i.year post, fe vce(cluster sid)``: 0.069398429,
    SE 0.055859635; Stata ``csdid`` / R ``did::aggte(type="simple")`` with never-treated
    controls and cohort = effyear + 1 (the first year with post = 1): 0.019402808)."""
    twfe = twfe_did(
        castle,
        unit="sid",
        time="year",
        outcome="l_homicide",
        treatment="post",
        se_type="CR1",
        absorb_nested_fe=True,
    )
    assert twfe.estimate == pytest.approx(0.069398429, abs=1e-7)
    assert twfe.std_error == pytest.approx(0.055859635, abs=1e-7)
    assert twfe.df == 49
    # 50 clusters: the default variance for the dummy design is CR1 (G - 1 df).
    default = twfe_did(castle, unit="sid", time="year", outcome="l_homicide", treatment="post")
    assert default.extra["se_type"] == "CR1" and default.df == 49
    cs = callaway_santanna(castle, unit="sid", time="year", outcome="l_homicide", first_treated="g")
    assert cs.simple.estimate == pytest.approx(0.019402808, abs=1e-8)
    assert cs.n_units == 50


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


@pytest.mark.parametrize(
    ("ours", "theirs"), [("never_treated", "nevertreated"), ("not_yet_treated", "notyettreated")]
)
def test_callaway_santanna_matches_csdid(castle: pd.DataFrame, ours: str, theirs: str) -> None:
    """ATT(g,t), simple and dynamic aggregations and analytic SEs agree with csdid (R did port)."""
    csdid = pytest.importorskip("csdid.att_gt")
    result = callaway_santanna(
        castle,
        unit="sid",
        time="year",
        outcome="l_homicide",
        first_treated="g",
        control_group=ours,  # type: ignore[arg-type]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = csdid.ATTgt(
            yname="l_homicide",
            tname="year",
            idname="sid",
            gname="g",
            data=castle,
            control_group=[theirs],
        ).fit(est_method="dr", bstrap=False)
        table = pd.DataFrame(result.att_gt)
        np.testing.assert_allclose(table.att, ref.results["att"], atol=1e-7)
        np.testing.assert_allclose(table.se, ref.results["se"], atol=1e-7)
        np.testing.assert_array_equal(table.group, ref.results["group"])
        np.testing.assert_array_equal(table.time, ref.results["year"])
        ref.aggte(typec="simple", bstrap=False)
        assert result.simple.estimate == pytest.approx(ref.atte["overall_att"], abs=1e-7)
        assert result.simple.std_error == pytest.approx(ref.atte["overall_se"], abs=1e-7)
        ref.aggte(typec="dynamic", bstrap=False)
        np.testing.assert_allclose(
            [d.estimate for d in result.dynamic], ref.atte["att_egt"], atol=1e-7
        )
        np.testing.assert_allclose(
            [d.std_error for d in result.dynamic], ref.atte["se_egt"], atol=1e-7
        )
        assert result.dynamic_overall.estimate == pytest.approx(ref.atte["overall_att"], abs=1e-7)
        assert result.dynamic_overall.std_error == pytest.approx(ref.atte["overall_se"], abs=1e-7)
        ref.aggte(typec="group", bstrap=False)
        np.testing.assert_allclose(
            [g.estimate for g in result.by_group], ref.atte["att_egt"], atol=1e-7
        )
        np.testing.assert_allclose(
            [g.std_error for g in result.by_group], ref.atte["se_egt"], atol=1e-7
        )
        assert result.group_overall.estimate == pytest.approx(ref.atte["overall_att"], abs=1e-7)
        assert result.group_overall.std_error == pytest.approx(ref.atte["overall_se"], abs=1e-7)
    json.dumps(result.to_dict())


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


def test_callaway_santanna_bootstrap_is_seeded_and_close_to_analytic(
    castle: pd.DataFrame,
) -> None:
    kwargs = {"unit": "sid", "time": "year", "outcome": "l_homicide", "first_treated": "g"}
    analytic = callaway_santanna(castle, **kwargs)  # type: ignore[arg-type]
    boot = callaway_santanna(castle, se_method="bootstrap", seed=20260101, **kwargs)  # type: ignore[arg-type]
    again = callaway_santanna(castle, se_method="bootstrap", seed=20260101, **kwargs)  # type: ignore[arg-type]
    assert boot.seed == 20260101 and boot.n_bootstrap == 999
    assert boot.simple.std_error == again.simple.std_error
    assert boot.simple.estimate == analytic.simple.estimate
    # The multiplier bootstrap estimates the same variance as the influence function.
    assert boot.simple.std_error == pytest.approx(analytic.simple.std_error, rel=0.15)
    assert boot.uniform_critical_value is not None
    assert boot.uniform_critical_value > 1.96
    with pytest.raises(ValueError, match="seed"):
        callaway_santanna(castle, se_method="bootstrap", **kwargs)  # type: ignore[arg-type]


def _staggered_panel(seed: int, shift: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n_units, years = 60, np.arange(1, 9)
    g = rng.choice([0, 4, 6], size=n_units)
    unit_effect = rng.normal(size=n_units)
    rows = []
    for i in range(n_units):
        for t in years:
            effect = (1.0 + 0.5 * (t - g[i])) if g[i] and t >= g[i] else 0.0
            y = shift + unit_effect[i] + 0.3 * t + effect + rng.normal(scale=0.5)
            rows.append({"id": i, "t": t, "g": g[i], "y": y, "d": int(bool(g[i]) and t >= g[i])})
    return pd.DataFrame(rows)


def test_callaway_santanna_recovers_heterogeneous_effects() -> None:
    """With dynamic effects 1 + 0.5 e, ATT(e) is recovered where TWFE is biased."""
    data = _staggered_panel(5)
    result = callaway_santanna(data, unit="id", time="t", outcome="y", first_treated="g")
    by_e = {d.extra["event_time"]: d for d in result.dynamic}
    for e in (0.0, 1.0, 2.0):
        assert by_e[e].ci_low < 1 + 0.5 * e < by_e[e].ci_high
    twfe = twfe_did(data, unit="id", time="t", outcome="y", treatment="d", se_type="CR1")
    assert "staggered_adoption" in {w.code for w in twfe.warnings}


@settings(max_examples=8, deadline=None)
@given(shift=st.floats(-1e3, 1e3, allow_nan=False))
def test_adding_a_constant_leaves_did_effects_unchanged(shift: float) -> None:
    base, moved = _staggered_panel(9), _staggered_panel(9, shift)
    kwargs = {"unit": "id", "time": "t", "outcome": "y"}
    a = callaway_santanna(base, first_treated="g", **kwargs)  # type: ignore[arg-type]
    b = callaway_santanna(moved, first_treated="g", **kwargs)  # type: ignore[arg-type]
    assert b.simple.estimate == pytest.approx(a.simple.estimate, abs=1e-8)
    assert b.simple.std_error == pytest.approx(a.simple.std_error, rel=1e-6)
    # CR1 keeps this fast; the CR2 path is exercised on the organ-donation data above.
    ta = twfe_did(base, treatment="d", se_type="CR1", **kwargs)  # type: ignore[arg-type]
    tb = twfe_did(moved, treatment="d", se_type="CR1", **kwargs)  # type: ignore[arg-type]
    assert tb.estimate == pytest.approx(ta.estimate, abs=1e-8)
    two = base[base.t.isin([3, 4]) & base.g.isin([0, 4])]
    d1 = did_2x2(two.y, (two.g == 4).astype(int), (two.t == 4).astype(int), cluster=two.id)
    d2 = did_2x2(two.y + shift, (two.g == 4).astype(int), (two.t == 4).astype(int), cluster=two.id)
    assert d2.estimate == pytest.approx(d1.estimate, abs=1e-8)
    # Relabelling the groups flips the sign and keeps the standard error.
    d3 = did_2x2(two.y, (two.g != 4).astype(int), (two.t == 4).astype(int), cluster=two.id)
    assert d3.estimate == pytest.approx(-d1.estimate, abs=1e-8)
    assert d3.std_error == pytest.approx(d1.std_error, rel=1e-8)


def test_twfe_not_identified_is_a_warning() -> None:
    """Everyone treated at once: the effect is collinear with period effects."""
    data = _staggered_panel(3).assign(d=lambda f: (f.t >= 5).astype(int))
    result = twfe_did(data, unit="id", time="t", outcome="y", treatment="d", se_type="CR1")
    assert np.isnan(result.estimate)
    assert [w.code for w in result.warnings] == ["not_identified"]
    json.dumps(result.to_dict())


def test_errors() -> None:
    with pytest.raises(ValueError, match="0/1"):
        did_2x2([1.0, 2, 3, 4], [0, 1, 2, 1], [0, 0, 1, 1])
    with pytest.raises(ValueError, match="four"):
        did_2x2([1.0, 2, 3, 4], [0, 0, 1, 1], [0, 0, 1, 1])
    data = _staggered_panel(1)
    with pytest.raises(ValueError, match="control_group"):
        callaway_santanna(
            data,
            unit="id",
            time="t",
            outcome="y",
            first_treated="g",
            control_group="x",  # type: ignore[arg-type]
        )
    with pytest.raises(ValueError, match="columns"):
        twfe_did(data, unit="id", time="t", outcome="nope", treatment="d")


@pytest.mark.slow
def test_did_2x2_clustered_ci_coverage() -> None:
    """95% CR2 intervals cover the true effect 94-96% of the time (40 clusters, ICC 0.2,
    cluster-period shocks; 4,000 seeded replications)."""
    rng = np.random.default_rng(20261129)
    n_clusters, m, effect, reps = 40, 10, 0.5, 4000
    cluster = np.repeat(np.arange(n_clusters), 2 * m)
    treated = (cluster < n_clusters // 2).astype(float)
    post = np.tile(np.repeat([0.0, 1.0], m), n_clusters)
    covered = 0
    for _ in range(reps):
        u = rng.normal(scale=0.5, size=n_clusters)[cluster]
        v = rng.normal(scale=0.3, size=2 * n_clusters)[cluster * 2 + post.astype(int)]
        y = u + v + 0.2 * post + effect * treated * post + rng.normal(size=cluster.size)
        res = did_2x2(y, treated, post, cluster=cluster)
        covered += res.ci_low <= effect <= res.ci_high
    assert 0.94 <= covered / reps <= 0.96


@pytest.mark.slow
def test_callaway_santanna_simple_ci_coverage() -> None:
    """95% analytic intervals of the simple ATT cover the truth 94-96% of the time
    (300 units, cohorts at periods 3 and 5 plus never-treated, effect 1; 4,000 seeded runs)."""
    rng = np.random.default_rng(7)
    n_units, periods, reps = 300, 6, 4000
    t = np.arange(1, periods + 1)
    covered = 0
    for _ in range(reps):
        g = rng.choice([0, 3, 5], size=n_units, p=[0.4, 0.3, 0.3])
        y = rng.normal(size=(n_units, 1)) + 0.2 * t + rng.normal(size=(n_units, periods))
        y = y + ((g[:, None] > 0) & (t[None, :] >= g[:, None]))
        panel = pd.DataFrame(
            {
                "id": np.repeat(np.arange(n_units), periods),
                "t": np.tile(t, n_units),
                "g": np.repeat(g, periods),
                "y": y.ravel(),
            }
        )
        result = callaway_santanna(panel, unit="id", time="t", outcome="y", first_treated="g")
        covered += result.simple.ci_low <= 1.0 <= result.simple.ci_high
    assert 0.94 <= covered / reps <= 0.96
