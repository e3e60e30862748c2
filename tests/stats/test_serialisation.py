"""Tests for infuse.stats.serialisation: versioned JSON for every registered result type.

Round trips use real engine outputs of every registered type (through ``json.dumps`` with
``allow_nan=False``, as a database would store them) and hypothesis-generated EstimateResults
with NaN, infinities, warnings and free-form ``extra`` dicts; rows stored before versioning
(``EstimateResult.to_dict()``) must still read.
"""

from __future__ import annotations

import dataclasses
import json
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import infuse.stats as S
from infuse.stats.results import EstimateResult, StatWarning, json_ready
from infuse.stats.serialisation import RESULT_TYPES, from_json, to_json
from tests.imports import loaded_after


def _same(a: Any, b: Any, path: str = "") -> None:
    """Exactly the same value: same types (Python and numpy numbers alike), NaN equal to NaN,
    tuples not lists, arrays of the same shape and dtype."""
    if dataclasses.is_dataclass(a):
        assert type(a) is type(b), path
        for f in dataclasses.fields(a):
            _same(getattr(a, f.name), getattr(b, f.name), f"{path}.{f.name}")
    elif isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray) and a.shape == b.shape and a.dtype == b.dtype, path
        np.testing.assert_array_equal(a, b, err_msg=path)
    elif isinstance(a, bool | np.bool_):
        assert isinstance(b, bool) and bool(a) == b, path
    elif isinstance(a, float | np.floating):
        assert isinstance(b, float), path
        assert (math.isnan(a) and math.isnan(b)) or a == b, (path, a, b)
    elif isinstance(a, int | np.integer):
        assert isinstance(b, int) and not isinstance(b, bool) and a == b, path
    elif isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b), path
        for k in a:
            _same(a[k], b[k], f"{path}[{k!r}]")
    elif isinstance(a, list | tuple):
        assert type(a) is type(b) and len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same(x, y, f"{path}[{i}]")
    else:
        assert a == b, (path, a, b)


def _stored(result: Any) -> Any:
    """What a database column gives back: strict JSON text, parsed."""
    return json.loads(json.dumps(to_json(result), allow_nan=False))


def _panel(seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for u in range(10):
        g = [0, 0, 0, 0, 4, 4, 4, 6, 6, 6][u]
        for t in range(1, 9):
            effect = 1.0 if g and t >= g else 0.0
            rows.append((f"c{u}", t, g, rng.normal() + 0.2 * t + effect, int(bool(effect))))
    return pd.DataFrame(rows, columns=["unit", "time", "g", "y", "d"])


@pytest.fixture(scope="module")
def samples() -> list[Any]:
    """At least one real engine output of every registered type."""
    rng = np.random.default_rng(1)
    y = rng.normal(size=40)
    z = np.repeat([0, 1], 20)
    cluster = np.repeat(np.arange(8), 5)
    panel = _panel()
    ids = [f"u{i}" for i in range(12)]
    covariates = {"size": rng.normal(size=12).round(2).tolist(), "band": [i % 3 for i in range(12)]}
    complete = S.randomise_complete(
        ids,
        seed=2,
        covariates={"size": covariates["size"]},
        rerandomisation=S.RerandomisationCriterion("max_abs_smd", 0.2),
    )
    funnel = S.funnel_limits_poisson(np.array([0.0, 50.0, 500.0]), 0.02, per=1.0)
    interval = S.wilson_interval(np.array([[3, 0], [4, np.nan]]), np.array([[10, 5], [8, 10]]))
    series_t = np.arange(1.0, 25.0)
    return [
        S.difference_in_means(y, z),
        S.cluster_randomised_effect(y, np.repeat([0, 1], 20), cluster, n_permutations=200),
        StatWarning("few_clusters", "eight clusters"),
        S.ArmSummary(20, 1.5, 0.9, 0.2, None, None),
        S.subgroup_heterogeneity(y, z, np.tile([0, 1], 20)),
        S.random_effects_meta_analysis([0.1, -0.2, 0.4], [0.1, 0.2, 0.15], hartung_knapp=True),
        S.proportion_trend_test([83, 90, 129, 70], [86, 93, 136, 82]),
        S.sample_ratio_mismatch(np.array([500, 430]), [1, 1]),
        # Two units per arm: the test-inverted interval is unbounded on both sides.
        S.randomisation_test(np.array([1.0, 2.0, 3.0, 5.0]), [0, 0, 1, 1], conf_level=0.95),
        S.randomisation_test(y, z, n_permutations=300, conf_level=0.9),
        S.wild_cluster_bootstrap(y, np.column_stack([np.ones(40), z]), cluster, 1, n_draws=99),
        S.power_two_means(effect=0.5, n_control=30),
        S.power_stepped_wedge(
            n_clusters=8,
            n_steps=4,
            cluster_period_size=20,
            effect=0.3,
            within_cluster_variance=1.0,
            icc=0.05,
        ),
        S.stepped_wedge_schedule(6, 3),
        S.simulate_power(S.IndividualContinuousDesign(10, 10, 0.5), n_simulations=50, seed=1),
        S.placebo_power(
            panel,
            unit="unit",
            time="time",
            outcome="y",
            method="did",
            treated_units=["c4"],
            post_periods=2,
            effects=[1.0],
            max_placebos=3,
        ),
        complete,
        S.randomise_stratified(ids, covariates=covariates, strata_by=["band"], seed=3),
        S.randomise_stepped_wedge(ids, n_steps=3, seed=4),
        S.RerandomisationCriterion("mahalanobis", 1.5, max_draws=100),
        S.balance_table({"size": covariates["size"]}, complete.assignment),
        S.balance_table({"size": covariates["size"]}, complete.assignment).rows[0],
        S.event_study(
            panel, unit="unit", time="time", outcome="y", first_treated="g", leads=2, lags=2
        ),
        S.callaway_santanna(
            panel,
            unit="unit",
            time="time",
            outcome="y",
            first_treated="g",
            se_method="bootstrap",
            seed=5,
            n_bootstrap=49,
        ),
        S.sun_abraham(panel, unit="unit", time="time", outcome="y", first_treated="g"),
        S.interrupted_time_series(
            series_t + (series_t >= 13) + rng.normal(size=24), series_t, interruption=13
        ),
        S.comparative_interrupted_time_series(
            panel, unit="unit", time="time", outcome="y", treated_unit="c4", interruption=5
        ),
        S.synthetic_control(
            panel,
            unit="unit",
            time="time",
            outcome="y",
            treated_unit="c4",
            intervention_time=6,
            donors=["c0", "c1", "c2", "c3"],
            placebo_time=4,
        ),
        interval,
        S.compare_with_benchmark(interval.lower, interval.upper, 0.3, polarity="higher_is_better"),
        funnel,
        S.classify_against_funnel(np.array([np.nan, 0.01, 0.5]), funnel),
    ]


def test_every_registered_type_has_a_sample(samples: list[Any]) -> None:
    assert {type(s).__name__ for s in samples} == set(RESULT_TYPES)
    assert all(RESULT_TYPES[name].__name__ == name for name in RESULT_TYPES)


def test_round_trip_of_every_registered_type(samples: list[Any]) -> None:
    for result in samples:
        data = _stored(result)
        assert data["schema"] == type(result).__name__ and data["version"] == 1
        _same(result, from_json(data))
        _same(result, from_json(data, type(result)))


def test_fields_are_what_to_dict_writes(samples: list[Any]) -> None:
    """Readers that looked fields up in ``to_dict()`` output find the same values."""
    for result in samples:
        data = to_json(result)
        fields = {k: v for k, v in data.items() if k not in ("schema", "version", "nonfinite")}
        assert fields == json_ready(dataclasses.asdict(result)), type(result).__name__


def test_infinities_and_nan_where_null_is_a_value_are_listed() -> None:
    result = S.randomisation_test(np.array([1.0, 2.0, 3.0, 5.0]), [0, 0, 1, 1], conf_level=0.95)
    assert (result.ci_low, result.ci_high) == (-math.inf, math.inf)
    data = to_json(result)
    assert data["ci_low"] is None and data["ci_high"] is None
    assert data["nonfinite"] == {"/ci_low": "-inf", "/ci_high": "inf"}
    effect = EstimateResult(
        estimate=math.nan,
        std_error=math.inf,
        ci_low=-math.inf,
        ci_high=math.nan,
        p_value=1.0,
        method="m",
        effect_measure="e",
        n_units=3,
        df=math.nan,
        extra={"a/b": [1.0, math.nan, {"~x": -math.inf}], "ok": None},
    )
    data = to_json(effect)
    # A plain float field reads null as NaN; a float | None field and free-form values need
    # the list; keys are escaped as JSON Pointers (RFC 6901).
    assert data["nonfinite"] == {
        "/std_error": "inf",
        "/ci_low": "-inf",
        "/df": "nan",
        "/extra/a~1b/1": "nan",
        "/extra/a~1b/2/~0x": "-inf",
    }
    back = from_json(json.loads(json.dumps(data, allow_nan=False)))
    _same(effect, back)
    assert back.extra["ok"] is None


def test_float_arrays_keep_infinities_and_nan() -> None:
    interval = S.IndicatorInterval(
        estimate=np.array([0.1, math.nan]),
        lower=np.array([-math.inf, 0.0]),
        upper=np.array([[math.inf], [1.0]]),
        conf_level=0.95,
        method="exact",
        per=100_000,
    )
    data = _stored(interval)
    assert data["nonfinite"] == {"/lower/0": "-inf", "/upper/0/0": "inf"}
    _same(interval, from_json(data))


def test_numpy_values_in_free_form_dicts_are_written_as_to_dict_writes_them() -> None:
    effect = dataclasses.replace(
        S.difference_in_means(np.r_[1.0, 2.0, 3.0, 5.0], [0, 0, 1, 1]),
        extra={"counts": np.array([1, 2]), "rates": np.array([0.5, np.nan, np.inf])},
    )
    data = to_json(effect)
    assert data["extra"] == {"counts": [1, 2], "rates": [0.5, None, None]}
    assert data["extra"] == effect.to_dict()["extra"]
    back = from_json(json.loads(json.dumps(data, allow_nan=False)))
    assert back.extra["counts"] == [1, 2]
    _same([0.5, math.nan, math.inf], back.extra["rates"])


def test_rows_stored_before_versioning_read_as_estimate_results() -> None:
    """EstimateResult.to_dict() output, as the Adaption Lab stored it (version 0)."""
    old = {
        "estimate": 0.42,
        "std_error": None,  # NaN when written
        "ci_low": None,
        "ci_high": None,
        "p_value": 0.031,
        "method": "synthetic_control",
        "effect_measure": "mean_post_period_gap",
        "n_units": 12,
        "conf_level": 0.95,
        "n_clusters": None,
        "df": None,
        "assumptions": ["Donors were not affected."],
        "warnings": [{"code": "few_donors", "detail": "only 1 donor(s)"}],
        "extra": {"rank": 1, "pre_rmspe": 0.5, "weights": [0.25, 0.75]},
    }
    result = from_json(old)
    assert isinstance(result, EstimateResult)
    assert math.isnan(result.std_error) and math.isnan(result.ci_low) and result.df is None
    assert result.warnings == (StatWarning("few_donors", "only 1 donor(s)"),)
    assert result.assumptions == ("Donors were not affected.",)
    assert result.n_units == 12 and isinstance(result.n_units, int)
    assert result.extra == {"rank": 1, "pre_rmspe": 0.5, "weights": [0.25, 0.75]}
    fresh = S.difference_in_means(np.r_[1.0, 2.0, 3.0, 5.0], [0, 0, 1, 1])
    _same(fresh, from_json(json.loads(json.dumps(fresh.to_dict()))))
    assert from_json({k: v for k, v in old.items() if k != "conf_level"}).conf_level == 0.95


def test_refusals() -> None:
    effect = S.difference_in_means(np.r_[1.0, 2.0, 3.0, 5.0], [0, 0, 1, 1])
    data = to_json(effect)
    with pytest.raises(ValueError, match="unknown result schema"):
        from_json({**data, "schema": "Nope"})
    with pytest.raises(ValueError, match="version 2"):
        from_json({**data, "version": 2})
    with pytest.raises(ValueError, match="no field"):
        from_json({**data, "colour": "red"})
    with pytest.raises(TypeError, match="not a PowerResult"):
        from_json(data, S.PowerResult)
    with pytest.raises(ValueError, match="cannot be read"):
        from_json(
            {k: v for k, v in to_json(S.stepped_wedge_schedule(4, 2)).items() if k != "version"}
        )
    with pytest.raises(ValueError, match="not one of"):
        from_json({**to_json(S.RerandomisationCriterion("max_abs_smd", 0.1)), "kind": "other"})
    with pytest.raises(ValueError, match="is not a int"):
        from_json({**data, "n_units": 4.5})
    with pytest.raises(TypeError, match="not a registered result type"):
        to_json(S.fit_ols(np.r_[1.0, 2.0, 4.0], np.c_[np.ones(3), [0.0, 1.0, 2.0]]))
    with pytest.raises(TypeError, match="cannot be written as JSON"):
        to_json(dataclasses.replace(effect, extra={"when": object()}))
    with pytest.raises(TypeError, match="a mapping"):
        from_json([1, 2])  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- properties

_json_scalars = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=5)
_any_floats = st.floats(allow_nan=True, allow_infinity=True)
_free = st.recursive(
    _json_scalars | _any_floats,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=200, deadline=None)
@given(
    floats=st.lists(_any_floats, min_size=5, max_size=5),
    n_units=st.integers(0, 10**9),
    n_clusters=st.none() | st.integers(0, 1000),
    df=st.none() | _any_floats,
    assumptions=st.lists(st.text(max_size=20), max_size=3),
    warnings=st.lists(
        st.builds(StatWarning, st.text(max_size=8), st.text(max_size=20)), max_size=3
    ),
    extra=st.dictionaries(st.text(max_size=6), _free, max_size=4),
)
def test_estimate_results_survive_json_whatever_their_values(
    floats: list[float],
    n_units: int,
    n_clusters: int | None,
    df: float | None,
    assumptions: list[str],
    warnings: list[StatWarning],
    extra: dict[str, Any],
) -> None:
    result = EstimateResult(
        *floats[:5],
        method="m",
        effect_measure="e",
        n_units=n_units,
        conf_level=0.9,
        n_clusters=n_clusters,
        df=df,
        assumptions=tuple(assumptions),
        warnings=tuple(warnings),
        extra=extra,
    )
    _same(result, from_json(_stored(result)))


@settings(max_examples=50, deadline=None)
@given(
    arrays=st.lists(st.lists(_any_floats, min_size=2, max_size=2), min_size=1, max_size=4),
    level=st.floats(0.5, 0.999),
)
def test_funnel_limits_survive_json(arrays: list[list[float]], level: float) -> None:
    values = np.array(arrays, dtype=np.float64)
    limits = S.FunnelLimits(
        denominator=values[:, 0],
        benchmark=0.1,
        levels=(level,),
        lower={level: values[:, 0]},
        upper={level: values[:, 1]},
        method="exact",
        kind="rate",
        per=1000.0,
    )
    back = from_json(_stored(limits))
    _same(limits, back)
    assert list(back.lower) == [level]  # float keys come back as the same floats


def test_reading_an_effect_back_loads_only_its_own_type() -> None:
    """A page showing a stored effect reads it back without every estimator's module (and
    pandas, scipy.stats and statsmodels behind them): 180 MB in each web worker."""
    stored = json.dumps(to_json(S.difference_in_means([1.0, 2.0, 3.0, 4.0], [0, 1, 0, 1])))
    code = (
        "import json\n"
        "from infuse.stats import from_json, EstimateResult\n"
        f"assert from_json(json.loads({stored!r}), EstimateResult).estimate == 1.0\n"
    )
    assert loaded_after(code, {"pandas", "scipy", "statsmodels"}) == []


def test_every_registered_type_is_one_the_reader_understands() -> None:
    for name in RESULT_TYPES:
        assert RESULT_TYPES[name].__name__ == name
