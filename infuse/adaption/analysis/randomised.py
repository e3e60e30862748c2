"""The registered analysis of a randomised experiment, design by design, via the engine.

Input: the analysis frame (see :mod:`infuse.adaption.analysis.frame`), the design, the mapping
and the allocation. Output: the :class:`~infuse.adaption.analysis.results.AnalysisResult` the
results page, the API and the report read: the primary effect, secondary effects with
Holm-adjusted p-values, effects by council, a CONSORT-style flow, the sample-ratio check and the
randomisation-inference p-value.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_noop

from infuse import stats
from infuse.adaption.analysis.results import (
    AnalysisResult,
    ArmFlow,
    Flow,
    NamedEffect,
    SampleRatio,
)
from infuse.adaption.models import COUNCIL_UNITS, Design
from infuse.adaption.registry.outcome_data import MappingError
from infuse.core import lazy

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = lazy.module("numpy")
    pd = lazy.module("pandas")

PERMUTATIONS = 2_000  # randomisation inference: exact when fewer assignments exist


def _effect(design: str, data: pd.DataFrame, column: str, seed: int) -> stats.EstimateResult:
    rows = data[data[column].notna()]
    y = rows[column].to_numpy(dtype=float)
    z = rows["treatment"].to_numpy(dtype=int)
    if design == Design.STEPPED_WEDGE:
        return stats.stepped_wedge_effect(
            y, z, rows["cluster"].to_numpy(), rows["period"].to_numpy()
        )
    if design == Design.CLUSTER_RCT:
        return stats.cluster_randomised_effect(
            y, z, rows["cluster"].to_numpy(), n_permutations=PERMUTATIONS, seed=seed
        )
    return stats.difference_in_means(y, z)


def _randomisation_p(design: str, data: pd.DataFrame, seed: int) -> float | None:
    rows = data[data["y"].notna()]
    if design == Design.STEPPED_WEDGE or len(rows) < 4:
        return None
    clusters = rows["cluster"].to_numpy() if design == Design.CLUSTER_RCT else None
    result = stats.randomisation_test(
        rows["y"].to_numpy(dtype=float),
        rows["treatment"].to_numpy(dtype=int),
        design="cluster" if clusters is not None else "complete",
        clusters=clusters,
        n_permutations=PERMUTATIONS,
        seed=seed,
    )
    value = float(result.p_value)
    return value if math.isfinite(value) else None


def _secondaries(
    design: str, data: pd.DataFrame, mapping: Mapping[str, Any], seed: int
) -> tuple[NamedEffect, ...]:
    """Each secondary outcome's effect (one the engine cannot estimate is left out)."""
    rows = []
    for i, name in enumerate(mapping.get("secondary", [])):
        try:
            rows.append(NamedEffect(name=name, effect=_effect(design, data, f"s{i}", seed)))
        except (ValueError, np.linalg.LinAlgError):
            continue
    return tuple(rows)


def _by_council(
    design: str, data: pd.DataFrame, names: Mapping[str, str]
) -> tuple[NamedEffect, ...]:
    """Effects within each council (exploratory): individual designs and stepped wedges."""
    if "cluster" not in data or design == Design.CLUSTER_RCT:
        return ()
    rows = []
    for council, group in data[data["y"].notna()].groupby("cluster", sort=True):
        arms = group["treatment"].value_counts()
        if arms.get(0, 0) < 2 or arms.get(1, 0) < 2:
            continue
        effect = stats.difference_in_means(
            group["y"].to_numpy(float), group["treatment"].to_numpy(int)
        )
        gss = str(council)
        rows.append(NamedEffect(name=names.get(gss, gss), effect=effect, council=gss))
    return tuple(rows)


def _flow(design: str, data: pd.DataFrame, allocation: stats.AllocationResult) -> Flow:
    """CONSORT-style counts per arm: allocated, with data, lost (no outcome), analysed."""
    allocated = allocation.counts
    arms = []
    # In a stepped wedge every council is in both conditions, one period after another: the
    # flow counts council-period rows per condition rather than allocated units.
    for label, code in (("control", 0), ("treatment", 1)):
        group = data[data["treatment"] == code]
        analysed = int(group["y"].notna().sum())
        arms.append(
            ArmFlow(
                arm=label,
                allocated=int(allocated.get(label, 0)) if design != Design.STEPPED_WEDGE else None,
                received=len(group),
                lost=int(len(group) - analysed),
                analysed=analysed,
            )
        )
    return Flow(unit="council" if design in COUNCIL_UNITS else "unit", arms=tuple(arms))


def _sample_ratio(design: str, flow: Flow) -> SampleRatio | None:
    """Whether individual arms have the 1:1 sizes planned (councils are too few to tell)."""
    counts = tuple(arm.received for arm in flow.arms)
    if design in COUNCIL_UNITS or not all(counts):
        return None
    check = stats.sample_ratio_mismatch(list(counts), [1, 1])
    return SampleRatio(p_value=float(check.p_value), mismatch=bool(check.mismatch), counts=counts)


def analyse(
    data: pd.DataFrame,
    *,
    design: str,
    mapping: Mapping[str, Any],
    allocation: stats.AllocationResult,
    council_names: Mapping[str, str],
    seed: int,
) -> AnalysisResult:
    """Run the analysis; returns what the pages, the API and the report show."""
    if data["y"].notna().sum() < 4:
        raise MappingError(
            "outcome", gettext_noop("Fewer than four rows have an outcome: nothing to analyse")
        )
    if data.loc[data["y"].notna(), "treatment"].nunique() < 2:
        raise MappingError("arm", gettext_noop("All the rows with an outcome are in one arm"))
    flow = _flow(design, data, allocation)
    return AnalysisResult(
        design=design,
        outcome=mapping["outcome"],
        primary=_effect(design, data, "y", seed),
        randomisation_p=_randomisation_p(design, data, seed),
        secondary=_secondaries(design, data, mapping, seed),
        by_council=_by_council(design, data, council_names),
        flow=flow,
        sample_ratio=_sample_ratio(design, flow),
        rows=len(data),
    ).with_adjusted_p_values()
