"""The analysis result is kept as JSON and read back as the engine typed it."""

from __future__ import annotations

import json
import math

import numpy as np

from infuse import stats
from infuse.adaption.analysis.charts import forest_svg
from infuse.adaption.analysis.results import (
    AnalysisResult,
    ArmFlow,
    Flow,
    NamedEffect,
    QuasiDetails,
    SampleRatio,
    excludes_no_effect,
    has_interval,
)


def _effect(shift: float, seed: int) -> stats.EstimateResult:
    rng = np.random.default_rng(seed)
    y = np.concatenate([rng.normal(0, 1, 30), rng.normal(shift, 1, 30)])
    return stats.difference_in_means(y, np.repeat([0, 1], 30))


def test_a_result_survives_strict_json_as_typed_objects():
    primary = _effect(2.0, 1)
    no_interval = stats.EstimateResult(
        estimate=1.5,
        std_error=math.nan,
        ci_low=math.nan,
        ci_high=math.nan,
        p_value=0.1,
        method="synthetic_control",
        effect_measure="mean_difference",
        n_units=10,
    )
    result = AnalysisResult(
        design="cluster_rct",
        outcome="visits",
        primary=primary,
        flow=Flow(unit="unit", arms=(ArmFlow("control", 30, 30, 0, 30),)),
        rows=60,
        randomisation_p=0.002,
        secondary=(NamedEffect(name="lonely", effect=_effect(0.0, 2)),),
        by_council=(NamedEffect(name="Cardiff", effect=_effect(1.0, 3), council="W06000015"),),
        sample_ratio=SampleRatio(p_value=0.9, mismatch=False, counts=(30, 30)),
        quasi=QuasiDetails(start=8.0, comparison=("W06000013",), slope_change=no_interval),
    ).with_adjusted_p_values()
    stored = json.loads(json.dumps(result.to_json(), allow_nan=False))
    assert stored["primary"]["schema"] == "EstimateResult"  # the engine's versioned form
    back = AnalysisResult.from_json(stored)
    assert back.primary == primary and isinstance(back.primary, stats.EstimateResult)
    assert back.secondary[0].p_adjusted == result.secondary[0].p_adjusted
    assert back.by_council[0].council == "W06000015"
    assert back.flow == result.flow and back.sample_ratio == result.sample_ratio
    assert back.quasi is not None and back.quasi.slope_change is not None
    assert not has_interval(back.quasi.slope_change)  # no interval, read back as none
    assert excludes_no_effect(back.primary) and back.primary_has_interval


def test_forest_plots_of_pooled_experiments_keep_their_own_ids_and_words():
    """The what-works page shows one forest plot per pooled outcome: each needs its own ids
    (two charts must not share a title id) and says what its rows are."""

    def effect(estimate: float) -> stats.EstimateResult:
        return stats.EstimateResult(
            estimate=estimate,
            std_error=0.5,
            ci_low=estimate - 1,
            ci_high=estimate + 1,
            p_value=0.05,
            method="m",
            effect_measure="mean_difference",
            n_units=10,
        )

    rows = [NamedEffect(name="Hubs A", effect=effect(2.0)), NamedEffect("Hubs B", effect(3.0))]
    first = str(
        forest_svg(
            rows,
            effect(2.5),
            label="Wellbeing",
            ident="pooled-0",
            title="Each experiment",
            overall_name="Pooled",
        )
    )
    second = str(forest_svg(rows, effect(2.5), label="Wellbeing", ident="pooled-1"))
    assert 'id="pooled-0-title">Each experiment<' in first and ">Pooled<" in first
    assert 'id="pooled-1-title"' in second and "pooled-0" not in second
    assert first.count("<circle") == 2 and first.count("<rect") == 1
