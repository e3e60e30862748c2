"""Randomisation of clusters: complete, stepped-wedge order, and each individual's arm."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from infuse.stats.power.stepped_wedge import stepped_wedge_schedule
from infuse.stats.randomisation._recipe import DEFAULT_ARMS, check_seed
from infuse.stats.randomisation.individual import complete_like
from infuse.stats.randomisation.records import (
    AllocationResult,
    Covariates,
    RerandomisationCriterion,
    build_result,
    canonical_scalar,
    normalise_covariates,
    normalise_ids,
)

__all__ = ["assignment_for_units", "randomise_clusters", "randomise_stepped_wedge"]


def randomise_clusters(
    cluster_ids: Sequence[Any],
    *,
    seed: int,
    arms: Sequence[str] = DEFAULT_ARMS,
    ratio: Sequence[int] | None = None,
    covariates: Covariates | None = None,
    rerandomisation: RerandomisationCriterion | Mapping[str, Any] | None = None,
) -> AllocationResult:
    """Cluster randomisation: complete randomisation of whole clusters (councils, wards...).

    ``cluster_ids`` lists each cluster once; ``covariates`` are cluster-level. Individuals
    inherit their cluster's arm (:func:`assignment_for_units`). Re-randomisation on cluster
    covariates is particularly useful with few clusters (Morgan & Rubin 2012).
    """
    return complete_like("cluster", cluster_ids, seed, arms, ratio, covariates, rerandomisation)


def randomise_stepped_wedge(
    cluster_ids: Sequence[Any],
    *,
    n_steps: int,
    seed: int,
    clusters_per_step: Sequence[int] | None = None,
    n_periods: int | None = None,
    baseline_periods: int = 1,
    covariates: Covariates | None = None,
) -> AllocationResult:
    """Random order in which clusters switch to the intervention in a stepped-wedge trial.

    Parameters
    ----------
    cluster_ids : each cluster (e.g. council) once.
    n_steps : number of steps; ``clusters_per_step`` optional (default as equal as possible,
        earlier steps taking any remainder, as
        :func:`~infuse.stats.power.stepped_wedge.stepped_wedge_schedule`).
    n_periods, baseline_periods : the schedule layout.

    Returns
    -------
    AllocationResult with ``assignment`` ``"step_s"``, ``steps`` and each cluster's schedule row.

    Notes
    -----
    A uniformly random permutation of the clusters fills the schedule's rows in order, so every
    assignment of clusters to steps with the given step sizes is equally likely (Hussey & Hughes
    2007).
    """
    seed = check_seed(seed)
    ids = normalise_ids(cluster_ids)
    normalise_covariates(covariates, len(ids))
    schedule = stepped_wedge_schedule(
        len(ids),
        n_steps,
        n_periods=n_periods,
        baseline_periods=baseline_periods,
        clusters_per_step=None if clusters_per_step is None else list(clusters_per_step),
    )
    rng = np.random.Generator(np.random.PCG64(seed))
    row_of_cluster = rng.permutation(len(ids))  # cluster i takes schedule row row_of_cluster[i]
    steps = [schedule.step_of_cluster[r] for r in row_of_cluster]
    labels = tuple(f"step_{s}" for s in range(1, schedule.n_steps + 1))
    return build_result(
        method="stepped_wedge",
        seed=seed,
        arms=labels,
        ids=ids,
        covariates=covariates,
        assignment=[f"step_{s}" for s in steps],
        parameters={
            "n_steps": int(n_steps),
            "clusters_per_step": None
            if clusters_per_step is None
            else [int(c) for c in clusters_per_step],
            "n_periods": schedule.n_periods,
            "baseline_periods": int(baseline_periods),
        },
        steps=tuple(int(s) for s in steps),
        schedule=tuple(schedule.matrix[r] for r in row_of_cluster),
    )


def assignment_for_units(
    result: AllocationResult, unit_cluster_ids: Sequence[Any]
) -> tuple[str, ...]:
    """Arm of each individual from its cluster's arm in a cluster-level allocation.

    Raises ``ValueError`` when an individual's cluster was not randomised.
    """
    arm_of = dict(zip(result.unit_ids, result.assignment, strict=True))
    out = []
    for cluster in unit_cluster_ids:
        key = canonical_scalar(cluster)
        if key not in arm_of:
            raise ValueError(f"cluster {cluster!r} is not in the allocation")
        out.append(arm_of[key])
    return tuple(out)
