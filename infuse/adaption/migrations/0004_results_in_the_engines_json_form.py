"""Stored results in the engine's versioned JSON form (``infuse.stats.to_json``).

The lab now reads its stored results back as the engine's typed results (``from_json``). Rows
written before kept them in older shapes: the analysis's effects as nine flattened keys with
warnings as bare codes, the design's answer and plan as the engine's ``to_dict()`` (a plan with
a derived ``false_positive_rate``, a simulation as a seven-key summary), allocations and balance
tables with derived ``counts`` and ``max_abs_smd``. This migration rewrites them in the new form,
filling what the old rows did not keep with what they imply (no effect measure was recorded; the
lab's intervals are 95%; a simulation's standard error and rejections follow from its power and
size). Registered protocols keep their frozen content (its digest depends on it), and the audit
log keeps what it recorded. Rows already in the new form are left as they are.
"""

from __future__ import annotations

import math
from typing import Any

from django.db import migrations

LAB_KEYS = ("name", "council", "p_adjusted")
ESTIMATE_KEYS = ("estimate", "std_error", "ci_low", "ci_high", "p_value")


def _header(schema: str, fields: dict[str, Any]) -> dict[str, Any]:
    return {"schema": schema, "version": 1, **fields}


def estimate(old: dict[str, Any]) -> dict[str, Any]:
    """An effect as the analysis kept it before (nine keys, warnings as codes)."""
    if "schema" in old:
        return old
    fields = {key: old.get(key) for key in ESTIMATE_KEYS}
    return _header(
        "EstimateResult",
        {
            **fields,
            "method": old.get("method") or "",
            "effect_measure": "",
            "n_units": int(old.get("n_units") or 0),
            "conf_level": 0.95,
            "n_clusters": old.get("n_clusters"),
            "df": old.get("df"),
            "assumptions": [],
            "warnings": [{"code": code, "detail": ""} for code in old.get("warnings") or []],
            "extra": {},
        },
    )


def named(old: dict[str, Any]) -> dict[str, Any]:
    """A secondary outcome's or a council's effect, with the lab's keys beside it."""
    labels = {"name": old.get("name", ""), "council": old.get("council", "")}
    labels["p_adjusted"] = old.get("p_adjusted")
    return {**estimate({k: v for k, v in old.items() if k not in LAB_KEYS}), **labels}


def analysis_result(old: dict[str, Any]) -> dict[str, Any]:
    if not old:
        return old
    quasi = old.get("quasi")
    if quasi is not None:
        slope = quasi.get("slope_change")
        quasi = {
            "start": quasi["start"],
            "comparison": quasi.get("comparison", []),
            "slope_change": estimate(slope) if slope else None,
            "weights": quasi.get("weights"),
            "pre_rmspe": quasi.get("pre_rmspe"),
        }
    return {
        **old,
        "primary": estimate(old["primary"]),
        "randomisation_p": old.get("randomisation_p"),
        "secondary": [named(row) for row in old.get("secondary") or []],
        "by_council": [named(row) for row in old.get("by_council") or []],
        "sample_ratio": old.get("sample_ratio"),
        "quasi": quasi,
    }


def simulation(old: dict[str, Any], alpha: float) -> dict[str, Any]:
    """The seven-key summary of a simulation, as the engine's SimulatedPowerResult."""
    if "schema" in old:
        return old
    power, n = float(old["power"]), int(old["n_simulations"])
    return _header(
        "SimulatedPowerResult",
        {
            "power": power,
            "mc_std_error": math.sqrt(power * (1 - power) / n) if n else None,
            "ci_low": old["ci_low"],
            "ci_high": old["ci_high"],
            "n_simulations": n,
            "n_rejections": round(power * n),
            "seed": old["seed"],
            "chunk_size": 250,  # the engine's default, which the lab always used
            "alpha": alpha,
            "design": old.get("design", ""),
            "analysis": old.get("analysis", ""),
            "parameters": {},
            "n_failed": 0,
            "warnings": [],
        },
    )


def design_parameters(old: dict[str, Any]) -> dict[str, Any]:
    kept = dict(old)
    answer = kept.get("result")
    if answer and "history" in answer:
        history = answer["history"]
        if "schema" not in history:
            fields = {k: v for k, v in history.items() if k != "false_positive_rate"}
            kept["result"] = {**answer, "history": _header("PlaceboPowerResult", fields)}
    elif answer and "schema" not in answer:
        kept["result"] = _header("PowerResult", answer)
    if kept.get("simulation"):
        alpha = float((kept.get("inputs") or {}).get("alpha", 0.05))
        kept["simulation"] = simulation(kept["simulation"], alpha)
    return kept


def allocation_result(old: dict[str, Any]) -> dict[str, Any]:
    if "schema" in old:
        return old
    return _header("AllocationResult", {k: v for k, v in old.items() if k != "counts"})


def balance(old: dict[str, Any]) -> dict[str, Any]:
    if not old or "schema" in old:
        return old
    return _header("BalanceTable", {k: v for k, v in old.items() if k != "max_abs_smd"})


def forwards(apps: Any, schema_editor: Any) -> None:
    experiments = apps.get_model("adaption", "Experiment")
    for experiment in experiments.objects.exclude(design_parameters={}):
        experiment.design_parameters = design_parameters(experiment.design_parameters)
        experiment.save(update_fields=["design_parameters"])
    allocations = apps.get_model("adaption", "Allocation")
    for allocation in allocations.objects.all():
        allocation.result = allocation_result(allocation.result)
        allocation.balance = balance(allocation.balance)
        allocation.save(update_fields=["result", "balance"])
    runs = apps.get_model("adaption", "AnalysisRun")
    for run in runs.objects.exclude(result={}):
        run.result = analysis_result(run.result)
        run.save(update_fields=["result"])


class Migration(migrations.Migration):
    dependencies = [("adaption", "0003_decisions")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
