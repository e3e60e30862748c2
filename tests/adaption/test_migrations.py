"""Rows kept before the lab stored results in the engine's versioned JSON form read back typed
once migration 0004 has rewritten them."""

from __future__ import annotations

import importlib

import numpy as np
import pandas as pd

from infuse import stats
from infuse.adaption.analysis.results import AnalysisResult, has_interval
from infuse.adaption.design.stored import StoredDesign
from infuse.adaption.models import Experiment

migration = importlib.import_module(
    "infuse.adaption.migrations.0004_results_in_the_engines_json_form"
)

NINE_KEYS = {
    "estimate": 3.1,
    "std_error": 0.9,
    "ci_low": 1.2,
    "ci_high": 5.0,
    "p_value": 0.004,
    "method": "cluster_robust_regression_cr2",
    "n_units": 120,
    "n_clusters": 4,
    "df": 3.0,
    "warnings": ["few_clusters"],
}


def test_an_analysis_kept_with_flattened_effects_reads_back_typed():
    old = {
        "design": "did",
        "outcome": "rate",
        "primary": {**NINE_KEYS, "ci_low": None, "ci_high": None},
        "randomisation_p": None,
        "secondary": [{"name": "lonely", **NINE_KEYS, "p_adjusted": 0.008}],
        "by_council": [],
        "flow": {"unit": "council", "arms": []},
        "sample_ratio": None,
        "rows": 84,
        "quasi": {"start": 8.0, "comparison": ["W06000013"]},
    }
    result = AnalysisResult.from_json(migration.analysis_result(old))
    assert result.primary.estimate == 3.1 and not has_interval(result.primary)
    assert result.primary.warnings[0].code == "few_clusters"
    assert result.secondary[0].name == "lonely" and result.secondary[0].p_adjusted == 0.008
    assert result.quasi is not None and result.quasi.slope_change is None
    assert migration.analysis_result(migration.analysis_result(old)) == migration.analysis_result(
        old
    )  # rewriting twice changes nothing


def test_a_design_and_its_simulation_kept_as_dicts_read_back_typed():
    answer = stats.power_two_means(effect=2.0, sd=8.0, power=0.8)
    old = {
        "inputs": {"outcome": "continuous", "alpha": 0.05, "effect": 2.0, "sd": 8.0},
        "result": answer.to_dict(),
        "simulation": {
            "power": 0.8,
            "ci_low": 0.78,
            "ci_high": 0.82,
            "n_simulations": 2000,
            "seed": 7,
            "analysis": "welch",
            "design": "individual_continuous",
        },
    }
    kept = StoredDesign.of(Experiment(design_parameters=migration.design_parameters(old)))
    assert kept.answer is not None and kept.answer.sample_size == answer.sample_size
    assert kept.simulation is not None and kept.simulation.n_rejections == 1600
    assert kept.simulation.alpha == 0.05 and kept.design_inputs().effect == 2.0


def test_a_plan_from_past_data_kept_as_a_dict_reads_back_typed():
    rng = np.random.default_rng(1)
    panel = {
        "council": np.repeat(["a", "b", "c", "d"], 10),
        "time": np.tile(np.arange(10.0), 4),
        "y": rng.normal(10, 1, 40),
    }
    placebo = stats.placebo_power(
        pd.DataFrame(panel),
        unit="council",
        time="time",
        outcome="y",
        method="did",
        treated_units=["a"],
        post_periods=2,
        effects=[1.0],
        max_placebos=20,
        seed=3,
    )
    old = {
        "inputs": {"post_periods": 2},
        "result": {
            "method": "placebo_power:did",
            "power": 0.8,
            "effect": placebo.minimum_detectable_effect,
            "history": placebo.to_dict(),  # with the derived false_positive_rate
            "source": {"indicator": "smoking"},
            "periods": [str(t) for t in range(10)],
            "councils": [],
            "unmatched": [],
            "seed": 3,
        },
    }
    kept = StoredDesign.of(Experiment(design_parameters=migration.design_parameters(old)))
    assert kept.plan is not None and kept.plan.placebo.effects == placebo.effects
    assert kept.plan.placebo.false_positive_rate == placebo.false_positive_rate


def test_an_allocation_and_its_balance_kept_as_dicts_read_back_typed():
    drawn = stats.randomise_clusters(
        ["W06000013", "W06000015", "W06000020", "W06000022"],
        seed=5,
        covariates={"population": [145_500, 362_312, 92_263, 159_587]},
    )
    table = stats.balance_table(
        {"population": [145_500, 362_312, 92_263, 159_587]}, drawn.assignment
    )
    result = stats.from_json(migration.allocation_result(drawn.to_dict()), stats.AllocationResult)
    assert result.assignment == drawn.assignment and result.counts == drawn.counts
    balance = stats.from_json(migration.balance(table.to_dict()), stats.BalanceTable)
    assert balance.rows[0].covariate == "population"
    assert migration.balance({}) == {}
