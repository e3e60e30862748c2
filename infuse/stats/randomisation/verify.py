"""Re-running a recorded allocation to check that it is the one recorded."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from infuse.stats.randomisation.clusters import randomise_clusters, randomise_stepped_wedge
from infuse.stats.randomisation.individual import (
    randomise_blocked,
    randomise_complete,
    randomise_simple,
)
from infuse.stats.randomisation.records import AllocationResult, allocation_digest, inputs_digest
from infuse.stats.randomisation.stratified import (
    randomise_stratified,
    randomise_stratified_clusters,
)

__all__ = ["verify_allocation"]

_METHODS: dict[str, Callable[..., AllocationResult]] = {
    "simple": randomise_simple,
    "complete": randomise_complete,
    "blocked": randomise_blocked,
    "stratified": randomise_stratified,
    "cluster": randomise_clusters,
    "stratified_cluster": randomise_stratified_clusters,
    "stepped_wedge": randomise_stepped_wedge,
}


def verify_allocation(result: AllocationResult, inputs: Mapping[str, Any]) -> bool:
    """Re-run a recorded allocation and check that it is the one recorded.

    Parameters
    ----------
    result : the recorded allocation (e.g. loaded from the registry).
    inputs : ``{"unit_ids": [...], "covariates": {...} or None}``, the data it was run on.

    Returns
    -------
    True when the inputs match ``result.inputs_digest`` and re-running ``result.method`` with
    ``result.seed`` and ``result.parameters`` reproduces ``result.allocation_digest`` and the
    recorded assignment; False otherwise (including when the inputs are not valid).
    """
    if not isinstance(inputs, Mapping) or "unit_ids" not in inputs:
        raise TypeError('inputs must be a mapping with "unit_ids" (and optional "covariates")')
    func = _METHODS.get(result.method)
    if func is None:
        return False
    unit_ids = inputs["unit_ids"]
    covariates = inputs.get("covariates")
    try:
        if inputs_digest(unit_ids, covariates) != result.inputs_digest:
            return False
        params = dict(result.parameters)
        rerun = func(unit_ids, seed=result.seed, covariates=covariates, **params)
    except (TypeError, ValueError):
        return False
    return (
        rerun.allocation_digest == result.allocation_digest
        and rerun.assignment == result.assignment
        and allocation_digest(result.unit_ids, result.assignment) == result.allocation_digest
    )
