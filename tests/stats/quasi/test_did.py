"""Tests for infuse.stats.quasi.did (2x2 and two-way fixed effects).

Sources:
- Published: Kessler & Roth (2014) organ-donation data (``causaldata.organ_donations``) as
  analysed in Huntington-Klein, "The Effect" (2021), ch. 18: TWFE DiD of California's active
  choice policy (from Q3 2011) on donation rates, estimate -0.0225 with state-clustered SEs.
- Independent implementations: statsmodels OLS with ``cov_type="cluster"`` on hand-built dummy
  designs (CR1, the Stata/statsmodels factor G/(G-1) (n-1)/(n-k)).
- Reference-software output for the castle panel (Stata 18 xtreg/csdid and R did), as recorded
  in the StatsPAI project's castle parity tests: TWFE 0.069398429 (SE 0.055859635), CS simple
  ATT 0.019402808.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infuse.stats.quasi.callaway_santanna import callaway_santanna
from infuse.stats.quasi.did import did_2x2, twfe_did
from tests.stats.quasi._panels import _cluster_fit, _staggered_panel

causaldata = pytest.importorskip("causaldata")


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
