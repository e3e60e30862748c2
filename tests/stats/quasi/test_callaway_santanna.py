"""Tests for infuse.stats.quasi.callaway_santanna.

Sources:
- The PyPI package ``csdid`` (Python port of R ``did``: ``ATTgt(...).fit(est_method="dr",
  bstrap=False)`` and ``aggte``) on the Cheng & Hoekstra (2013) castle-doctrine panel
  (``causaldata.castle``: 50 states, 2000-2010, log homicide), never-treated and not-yet-treated.
- Not available here: the ``mpdta`` teen-employment panel used in R did's documentation (it is
  in no installable package), so its published aggregations are not reproduced.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from infuse.stats.quasi.callaway_santanna import callaway_santanna
from infuse.stats.quasi.did import twfe_did
from tests.stats.quasi._panels import _staggered_panel

causaldata = pytest.importorskip("causaldata")


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


def test_callaway_santanna_recovers_heterogeneous_effects() -> None:
    """With dynamic effects 1 + 0.5 e, ATT(e) is recovered where TWFE is biased."""
    data = _staggered_panel(5)
    result = callaway_santanna(data, unit="id", time="t", outcome="y", first_treated="g")
    by_e = {d.extra["event_time"]: d for d in result.dynamic}
    for e in (0.0, 1.0, 2.0):
        assert by_e[e].ci_low < 1 + 0.5 * e < by_e[e].ci_high
    twfe = twfe_did(data, unit="id", time="t", outcome="y", treatment="d", se_type="CR1")
    assert "staggered_adoption" in {w.code for w in twfe.warnings}


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
