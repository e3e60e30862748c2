"""Randomisation of individual units: simple, complete and permuted-block."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

import numpy as np

from infuse.stats.randomisation._recipe import (
    DEFAULT_ARMS,
    blocked_indices,
    check_arms,
    check_block_sizes,
    check_ratio,
    check_seed,
    complete_indices,
    incomplete_block_warning,
)
from infuse.stats.randomisation.records import (
    AllocationResult,
    Covariates,
    RerandomisationCriterion,
    build_result,
    normalise_covariates,
    normalise_ids,
)
from infuse.stats.randomisation.rerandomisation import check_criterion, rerandomised_indices
from infuse.stats.results import StatWarning

__all__ = ["randomise_blocked", "randomise_complete", "randomise_simple"]


def randomise_simple(
    unit_ids: Sequence[Any],
    *,
    seed: int,
    arms: Sequence[str] = DEFAULT_ARMS,
    probabilities: Sequence[float] | None = None,
    covariates: Covariates | None = None,
) -> AllocationResult:
    """Simple (Bernoulli / multinomial) randomisation: each unit drawn independently.

    Parameters
    ----------
    unit_ids : unique unit identifiers, in the order that is part of the recipe.
    seed : integer seed for ``numpy.random.Generator(PCG64(seed))``.
    arms : arm labels.
    probabilities : probability of each arm (default equal).
    covariates : optional, only recorded in the inputs digest.

    Notes
    -----
    Arm sizes are random (Rosenberger & Lachin 2016, ch. 3); prefer complete or blocked
    randomisation for small trials, where chance imbalance in size costs power.
    """
    seed = check_seed(seed)
    labels = check_arms(arms)
    ids = normalise_ids(unit_ids)
    normalise_covariates(covariates, len(ids))
    if probabilities is None:
        probs = np.full(len(labels), 1.0 / len(labels))
    else:
        probs = np.asarray(probabilities, dtype=float)
        if probs.shape != (len(labels),) or (probs < 0).any() or not np.isclose(probs.sum(), 1):
            raise ValueError("probabilities must be one non-negative value per arm, summing to 1")
    rng = np.random.Generator(np.random.PCG64(seed))
    idx = rng.choice(len(labels), size=len(ids), p=probs)
    return build_result(
        method="simple",
        seed=seed,
        arms=labels,
        ids=ids,
        covariates=covariates,
        assignment=[labels[i] for i in idx],
        parameters={
            "arms": list(labels),
            "probabilities": None if probabilities is None else [float(p) for p in probs],
        },
    )


def randomise_complete(
    unit_ids: Sequence[Any],
    *,
    seed: int,
    arms: Sequence[str] = DEFAULT_ARMS,
    ratio: Sequence[int] | None = None,
    covariates: Covariates | None = None,
    rerandomisation: RerandomisationCriterion | Mapping[str, Any] | None = None,
) -> AllocationResult:
    """Complete randomisation: fixed arm sizes, every such allocation equally likely.

    Parameters
    ----------
    unit_ids : unique unit identifiers.
    seed : integer seed.
    arms : arm labels.
    ratio : integer allocation ratio per arm (default equal). When ``n`` is not a multiple of
        the ratio total, each arm gets the floor of ``n r / sum(r)`` and the leftover units go
        to arms drawn by systematic sampling on the fractional parts (each arm floor or
        floor + 1, expected size exactly ``n r / sum(r)``).
    covariates : covariate columns (needed for re-randomisation).
    rerandomisation : optional acceptance criterion (two arms only), Morgan & Rubin (2012).

    Returns
    -------
    AllocationResult; with re-randomisation, ``rerandomisation`` records the criterion, the
    number of draws and the accepted statistic.
    """
    return complete_like("complete", unit_ids, seed, arms, ratio, covariates, rerandomisation)


def complete_like(
    method: str,
    unit_ids: Sequence[Any],
    seed: int,
    arms: Sequence[str],
    ratio: Sequence[int] | None,
    covariates: Covariates | None,
    rerandomisation: RerandomisationCriterion | Mapping[str, Any] | None,
) -> AllocationResult:
    seed = check_seed(seed)
    labels = check_arms(arms)
    ratios = check_ratio(ratio, len(labels))
    ids = normalise_ids(unit_ids)
    cov = normalise_covariates(covariates, len(ids))
    criterion = check_criterion(rerandomisation)
    rng = np.random.Generator(np.random.PCG64(seed))
    record: dict[str, Any] | None = None
    warnings: tuple[StatWarning, ...] = ()
    if criterion is None:
        idx = complete_indices(len(ids), ratios, rng)
    else:
        idx, record, warnings = rerandomised_indices(len(ids), ratios, cov, criterion, rng)
    return build_result(
        method=method,
        seed=seed,
        arms=labels,
        ids=ids,
        covariates=covariates,
        assignment=[labels[i] for i in idx],
        parameters={
            "arms": list(labels),
            "ratio": list(ratios),
            "rerandomisation": None if criterion is None else asdict(criterion),
        },
        rerandomisation=record,
        warnings=warnings,
    )


def randomise_blocked(
    unit_ids: Sequence[Any],
    *,
    seed: int,
    arms: Sequence[str] = DEFAULT_ARMS,
    ratio: Sequence[int] | None = None,
    block_sizes: Sequence[int] | None = None,
    covariates: Covariates | None = None,
) -> AllocationResult:
    """Permuted-block randomisation in order of ``unit_ids`` (e.g. order of enrolment).

    Parameters
    ----------
    block_sizes : allowed block sizes, each a multiple of ``sum(ratio)``; default
        ``2 * sum(ratio)``. With several sizes each block's size is drawn at random, which
        keeps the next allocation unpredictable to recruiters (Rosenberger & Lachin 2016, 3.5).

    Notes
    -----
    Each block holds the arms in exact ratio and is a uniformly random permutation. If the
    units do not fill the last block it is cut short (warning ``incomplete_final_block``), so
    arm sizes can differ by at most the imbalance of one partial block.
    """
    seed = check_seed(seed)
    labels = check_arms(arms)
    ratios = check_ratio(ratio, len(labels))
    sizes = check_block_sizes(block_sizes, ratios)
    ids = normalise_ids(unit_ids)
    normalise_covariates(covariates, len(ids))
    rng = np.random.Generator(np.random.PCG64(seed))
    idx, blocks, cut = blocked_indices(len(ids), ratios, sizes, rng)
    return build_result(
        method="blocked",
        seed=seed,
        arms=labels,
        ids=ids,
        covariates=covariates,
        assignment=[labels[i] for i in idx],
        parameters={"arms": list(labels), "ratio": list(ratios), "block_sizes": list(sizes)},
        blocks=tuple(int(b) for b in blocks),
        warnings=(incomplete_block_warning(),) if cut else (),
    )
