"""Stratified randomisation of units or clusters: blocks or complete randomisation within strata."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

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
    build_result,
    normalise_covariates,
    normalise_ids,
)
from infuse.stats.results import StatWarning

__all__ = ["randomise_stratified", "randomise_stratified_clusters"]


def _strata_labels(
    cov: dict[str, list[Any]] | None,
    strata_by: Sequence[str],
    bins: Mapping[str, int | Sequence[float]] | None,
) -> list[str]:
    if cov is None:
        raise ValueError("stratified randomisation needs covariates")
    if isinstance(strata_by, str) or not strata_by:
        raise ValueError("strata_by must list one or more covariate names")
    missing = [c for c in strata_by if c not in cov]
    if missing:
        raise ValueError(f"strata_by names unknown covariates: {missing}")
    bins = dict(bins or {})
    parts: list[list[str]] = []
    for name in strata_by:
        values = cov[name]
        if any(v is None for v in values):
            raise ValueError(f"covariate {name!r} has missing values; strata need every value")
        if name in bins:
            spec = bins[name]
            x = np.asarray(values, dtype=float)
            if isinstance(spec, int | np.integer):
                # Quantile groups, computed from the data (deterministic).
                edges = np.quantile(x, np.linspace(0, 1, int(spec) + 1)[1:-1])
            else:
                edges = np.asarray(spec, dtype=float)
            group = np.searchsorted(edges, x, side="right")
            parts.append([f"{name}#{int(g)}" for g in group])
        else:
            parts.append([f"{name}={v}" for v in values])
    return ["|".join(p) for p in zip(*parts, strict=True)]


def _stratified(
    method: str,
    unit_ids: Sequence[Any],
    covariates: Covariates | None,
    strata_by: Sequence[str],
    seed: int,
    arms: Sequence[str],
    ratio: Sequence[int] | None,
    within: Literal["blocked", "complete"],
    block_sizes: Sequence[int] | None,
    bins: Mapping[str, int | Sequence[float]] | None,
) -> AllocationResult:
    seed = check_seed(seed)
    labels = check_arms(arms)
    ratios = check_ratio(ratio, len(labels))
    ids = normalise_ids(unit_ids)
    cov = normalise_covariates(covariates, len(ids))
    strata = _strata_labels(cov, strata_by, bins)
    if within not in ("blocked", "complete"):
        raise ValueError("within must be 'blocked' or 'complete'")
    sizes = check_block_sizes(block_sizes, ratios) if within == "blocked" else ()
    rng = np.random.Generator(np.random.PCG64(seed))
    strata_arr = np.asarray(strata, dtype=object)
    idx = np.empty(len(ids), dtype=np.int64)
    blocks = np.zeros(len(ids), dtype=np.int64)
    cut_any = False
    for stratum in sorted(set(strata)):  # sorted: the draw order is part of the recipe
        members = np.flatnonzero(strata_arr == stratum)
        if within == "blocked":
            s_idx, s_blocks, cut = blocked_indices(len(members), ratios, sizes, rng)
            blocks[members] = s_blocks
            cut_any = cut_any or cut
        else:
            s_idx = complete_indices(len(members), ratios, rng)
        idx[members] = s_idx
    parameters = _parameters(labels, ratios, strata_by, within, sizes, bins)
    if method == "stratified_cluster":  # complete within strata is the only recipe there
        del parameters["within"], parameters["block_sizes"]
    return build_result(
        method=method,
        seed=seed,
        arms=labels,
        ids=ids,
        covariates=covariates,
        assignment=[labels[i] for i in idx],
        parameters=parameters,
        strata=tuple(strata),
        blocks=tuple(int(b) for b in blocks) if within == "blocked" else None,
        warnings=_warnings(strata_arr, sum(ratios), cut_any),
    )


def _parameters(
    labels: tuple[str, ...],
    ratios: tuple[int, ...],
    strata_by: Sequence[str],
    within: str,
    sizes: tuple[int, ...],
    bins: Mapping[str, int | Sequence[float]] | None,
) -> dict[str, Any]:
    """The recipe's parameters as recorded (and re-run by :func:`verify_allocation`)."""
    return {
        "arms": list(labels),
        "ratio": list(ratios),
        "strata_by": list(strata_by),
        "within": within,
        "block_sizes": list(sizes) if within == "blocked" else None,
        "bins": None
        if bins is None
        else {
            k: (int(v) if isinstance(v, int | np.integer) else [float(e) for e in v])
            for k, v in bins.items()
        },
    }


def _warnings(strata: NDArray[np.object_], full_set: int, cut_any: bool) -> tuple[StatWarning, ...]:
    """An incomplete final block, and strata smaller than one full ratio set."""
    small = [s for s in set(strata.tolist()) if int((strata == s).sum()) < full_set]
    warnings = [incomplete_block_warning()] if cut_any else []
    if small:
        warnings.append(
            StatWarning(
                "small_strata",
                f"{len(small)} strata hold fewer units than one full ratio set; consider "
                "coarser strata",
            )
        )
    return tuple(warnings)


def randomise_stratified(
    unit_ids: Sequence[Any],
    *,
    covariates: Covariates,
    strata_by: Sequence[str],
    seed: int,
    arms: Sequence[str] = DEFAULT_ARMS,
    ratio: Sequence[int] | None = None,
    within: Literal["blocked", "complete"] = "blocked",
    block_sizes: Sequence[int] | None = None,
    bins: Mapping[str, int | Sequence[float]] | None = None,
) -> AllocationResult:
    """Stratified randomisation: permuted blocks (or complete randomisation) within strata.

    Parameters
    ----------
    covariates : unit covariates; those named in ``strata_by`` define the strata.
    strata_by : covariate names whose value combinations form the strata.
    within : ``"blocked"`` (permuted blocks within each stratum) or ``"complete"``.
    bins : for numeric covariates, either a number of quantile groups or explicit cut points
        (a value equal to a cut point goes to the upper group).

    Notes
    -----
    Strata are processed in sorted label order with one generator, so the allocation is a
    deterministic function of seed, inputs and parameters (Rosenberger & Lachin 2016, ch. 7).
    """
    return _stratified(
        "stratified", unit_ids, covariates, strata_by, seed, arms, ratio, within, block_sizes, bins
    )


def randomise_stratified_clusters(
    cluster_ids: Sequence[Any],
    *,
    covariates: Covariates,
    strata_by: Sequence[str],
    seed: int,
    arms: Sequence[str] = DEFAULT_ARMS,
    ratio: Sequence[int] | None = None,
    bins: Mapping[str, int | Sequence[float]] | None = None,
) -> AllocationResult:
    """Stratified cluster randomisation: complete randomisation of clusters within strata.

    ``cluster_ids`` lists each cluster once and ``covariates`` are cluster-level (e.g. council
    size band, urban/rural). With few clusters per stratum, pair-matching (two clusters per
    stratum) is the limiting case (Donner & Klar 2000, ch. 3).
    """
    return _stratified(
        "stratified_cluster",
        cluster_ids,
        covariates,
        strata_by,
        seed,
        arms,
        ratio,
        "complete",
        None,
        bins,
    )
