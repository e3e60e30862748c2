"""Seeded, verifiable randomisation for individual, cluster and stepped-wedge trials.

Why this shape: an allocation decides who gets a service, so anyone (an auditor, the other
council, a journal) must be able to re-run it and get the same answer. Every function
therefore takes an explicit integer seed (numpy ``Generator(PCG64(seed))``), and returns an
:class:`AllocationResult` carrying the seed, the method and its parameters, a SHA-256 digest of
the canonical JSON of the inputs (unit identifiers and covariates, in order) and a digest of
the allocation itself. :func:`verify_allocation` re-runs the method from those records.

Methods
-------
- simple (independent Bernoulli / multinomial draws), complete (fixed arm sizes),
- blocked (permuted blocks, optionally of random sizes), stratified (blocks or complete
  randomisation within strata formed from covariates, optionally binned),
- cluster and stratified cluster (the same, on clusters), stepped-wedge order (which cluster
  switches at which step),
- optional re-randomisation (Morgan & Rubin 2012): draw complete allocations until one meets a
  stored balance criterion (max |SMD| or Mahalanobis distance), recording the number of draws.

References
----------
- Rosenberger WF, Lachin JM (2016). *Randomization in Clinical Trials*, 2nd ed. Wiley.
- Morgan KL, Rubin DB (2012). Rerandomization to improve covariate balance in experiments.
  *Ann Stat* 40:1263-1282.
- Austin PC (2009). Balance diagnostics for comparing the distribution of baseline covariates
  between treatment groups in propensity-score matched samples. *Stat Med* 28:3083-3107.
- Hussey MA, Hughes JP (2007). Design and analysis of stepped wedge cluster randomized trials.
  *Contemp Clin Trials* 28:182-191.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal, TypeAlias

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from infuse.stats.power.stepped_wedge import stepped_wedge_schedule
from infuse.stats.results import StatWarning, json_ready

__all__ = [
    "AllocationResult",
    "BalanceRow",
    "BalanceTable",
    "RerandomisationCriterion",
    "allocation_digest",
    "assignment_for_units",
    "balance_table",
    "inputs_digest",
    "randomise_blocked",
    "randomise_clusters",
    "randomise_complete",
    "randomise_simple",
    "randomise_stepped_wedge",
    "randomise_stratified",
    "randomise_stratified_clusters",
    "verify_allocation",
]

DEFAULT_ARMS: tuple[str, str] = ("control", "treatment")

Covariates: TypeAlias = Mapping[str, Sequence[Any]] | pd.DataFrame


# ---------------------------------------------------------------------------
# result types
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RerandomisationCriterion:
    """Acceptance rule for re-randomisation (Morgan & Rubin 2012).

    Attributes
    ----------
    kind : ``"max_abs_smd"`` (largest absolute standardised mean difference over covariates)
        or ``"mahalanobis"`` (``n_t n_c / n * d' S^-1 d`` with ``d`` the difference in covariate
        means and ``S`` the covariate covariance of the whole sample).
    threshold : accept the first allocation whose statistic is ``<=`` this value.
    max_draws : give up (and keep the best draw, with a warning) after this many candidates.
    batch_size : candidates drawn and scored together; part of the reproducible recipe.
    """

    kind: Literal["max_abs_smd", "mahalanobis"]
    threshold: float
    max_draws: int = 10_000
    batch_size: int = 256


@dataclass(frozen=True, slots=True)
class AllocationResult:
    """A reproducible allocation of units (or clusters) to arms.

    Attributes
    ----------
    method : ``"simple"``, ``"complete"``, ``"blocked"``, ``"stratified"``, ``"cluster"``,
        ``"stratified_cluster"`` or ``"stepped_wedge"``.
    seed : the integer seed of ``numpy.random.Generator(PCG64(seed))``.
    arms : arm labels (for stepped wedge: ``"step_1"``, ``"step_2"``...).
    unit_ids : the units (or clusters) in input order.
    assignment : the arm of each unit, aligned with ``unit_ids``.
    parameters : every other argument of the method, JSON-ready, so it can be re-run.
    inputs_digest : SHA-256 of the canonical JSON of ``{"unit_ids", "covariates"}``.
    allocation_digest : SHA-256 of the canonical JSON of ``{"unit_ids", "assignment"}``.
    strata : stratum label of each unit (stratified methods).
    blocks : block number of each unit (blocked methods; numbered within stratum).
    steps : step (1-based) of each cluster (stepped wedge).
    schedule : cluster x period 0/1 rows aligned with ``unit_ids`` (stepped wedge).
    rerandomisation : criterion, draws used and the accepted statistic, when re-randomised.
    warnings : conditions worth knowing (incomplete final blocks, unmet criterion...).
    generator, numpy_version : the bit generator and numpy release used; numpy does not promise
        identical streams across releases, so re-running elsewhere should use the same release.
    """

    method: str
    seed: int
    arms: tuple[str, ...]
    unit_ids: tuple[Any, ...]
    assignment: tuple[str, ...]
    parameters: dict[str, Any]
    inputs_digest: str
    allocation_digest: str
    strata: tuple[str, ...] | None = None
    blocks: tuple[int, ...] | None = None
    steps: tuple[int, ...] | None = None
    schedule: tuple[tuple[int, ...], ...] | None = None
    rerandomisation: dict[str, Any] | None = None
    warnings: tuple[StatWarning, ...] = ()
    generator: str = "numpy.random.Generator(PCG64(seed))"
    numpy_version: str = np.__version__

    @property
    def counts(self) -> dict[str, int]:
        """Number of units per arm."""
        values, freq = np.unique(np.asarray(self.assignment, dtype=object), return_counts=True)
        found = {str(v): int(c) for v, c in zip(values, freq, strict=True)}
        return {arm: found.get(arm, 0) for arm in self.arms}

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        result: dict[str, Any] = json_ready(asdict(self))
        result["counts"] = self.counts
        return result


@dataclass(frozen=True, slots=True)
class BalanceRow:
    """Balance of one covariate between two arms."""

    covariate: str
    kind: Literal["continuous", "binary"]
    mean_treatment: float
    mean_control: float
    sd_treatment: float
    sd_control: float
    smd: float
    variance_ratio: float


@dataclass(frozen=True, slots=True)
class BalanceTable:
    """Standardised mean differences and variance ratios per covariate (Austin 2009)."""

    treatment: str
    control: str
    n_treatment: int
    n_control: int
    rows: tuple[BalanceRow, ...]

    @property
    def max_abs_smd(self) -> float:
        """Largest absolute SMD over covariates (NaN if none defined)."""
        values = [abs(r.smd) for r in self.rows if math.isfinite(r.smd)]
        return max(values) if values else float("nan")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        result: dict[str, Any] = json_ready(asdict(self))
        result["max_abs_smd"] = json_ready(self.max_abs_smd)
        return result


# ---------------------------------------------------------------------------
# canonical inputs and digests
# ---------------------------------------------------------------------------


def _scalar(value: Any) -> Any:
    """A JSON scalar for canonical hashing: numpy scalars unwrapped, NaN -> None."""
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(
        f"unit identifiers and covariate values must be strings, numbers, booleans or None; "
        f"got {type(value).__name__}"
    )


def _normalise_ids(unit_ids: Sequence[Any]) -> list[Any]:
    if isinstance(unit_ids, str | bytes) or not isinstance(unit_ids, Sequence | np.ndarray):
        if isinstance(unit_ids, pd.Series | pd.Index):
            unit_ids = list(unit_ids)
        else:
            raise TypeError("unit_ids must be a sequence of identifiers")
    ids = [_scalar(u) for u in unit_ids]
    if len(ids) == 0:
        raise ValueError("unit_ids is empty")
    if any(u is None for u in ids):
        raise ValueError("unit_ids must not contain missing values")
    if len({(type(u).__name__, u) for u in ids}) != len(ids):
        raise ValueError("unit_ids must be unique")
    return ids


def _normalise_covariates(covariates: Covariates | None, n: int) -> dict[str, list[Any]] | None:
    if covariates is None:
        return None
    if isinstance(covariates, pd.DataFrame):
        columns = {str(c): covariates[c].tolist() for c in covariates.columns}
    elif isinstance(covariates, Mapping):
        columns = {str(k): list(v) for k, v in covariates.items()}
    else:
        raise TypeError("covariates must be a mapping of column name to values or a DataFrame")
    for name, values in columns.items():
        if len(values) != n:
            raise ValueError(f"covariate {name!r} has {len(values)} values for {n} units")
    return {name: [_scalar(v) for v in columns[name]] for name in sorted(columns)}


def _canonical_json(value: Any) -> bytes:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def inputs_digest(unit_ids: Sequence[Any], covariates: Covariates | None = None) -> str:
    """SHA-256 hex digest of the canonical JSON of the randomisation inputs.

    The canonical form is ``{"covariates": {name: [values...]} | null, "unit_ids": [...]}``
    with sorted keys, no whitespace, UTF-8, NaN written as ``null``; unit order is kept
    because it is part of the recipe.
    """
    ids = _normalise_ids(unit_ids)
    return hashlib.sha256(
        _canonical_json(
            {"unit_ids": ids, "covariates": _normalise_covariates(covariates, len(ids))}
        )
    ).hexdigest()


def allocation_digest(unit_ids: Sequence[Any], assignment: Sequence[str]) -> str:
    """SHA-256 hex digest of the canonical JSON ``{"assignment": [...], "unit_ids": [...]}``."""
    ids = _normalise_ids(unit_ids)
    return hashlib.sha256(
        _canonical_json({"unit_ids": ids, "assignment": [str(a) for a in assignment]})
    ).hexdigest()


# ---------------------------------------------------------------------------
# argument checks
# ---------------------------------------------------------------------------


def _check_seed(seed: int) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise TypeError(f"seed must be a non-negative integer, got {seed!r}")
    return int(seed)


def _check_arms(arms: Sequence[str]) -> tuple[str, ...]:
    if isinstance(arms, str) or len(arms) < 2:
        raise ValueError("arms must list at least two arm labels")
    labels = tuple(str(a) for a in arms)
    if len(set(labels)) != len(labels):
        raise ValueError("arm labels must be unique")
    return labels


def _check_ratio(ratio: Sequence[int] | None, n_arms: int) -> tuple[int, ...]:
    if ratio is None:
        return (1,) * n_arms
    values = tuple(int(r) for r in ratio)
    if (
        len(values) != n_arms
        or any(r < 1 for r in values)
        or any(r != x for r, x in zip(values, ratio, strict=True))
    ):
        raise ValueError("ratio must give one positive integer per arm")
    return values


def _check_criterion(
    rerandomisation: RerandomisationCriterion | Mapping[str, Any] | None,
) -> RerandomisationCriterion | None:
    if rerandomisation is None or isinstance(rerandomisation, RerandomisationCriterion):
        crit = rerandomisation
    elif isinstance(rerandomisation, Mapping):
        crit = RerandomisationCriterion(**dict(rerandomisation))
    else:
        raise TypeError("rerandomisation must be a RerandomisationCriterion or a mapping")
    if crit is not None:
        if crit.kind not in ("max_abs_smd", "mahalanobis"):
            raise ValueError("rerandomisation kind must be 'max_abs_smd' or 'mahalanobis'")
        if not crit.threshold > 0 or crit.max_draws < 1 or crit.batch_size < 1:
            raise ValueError("rerandomisation needs threshold > 0, max_draws >= 1, batch_size >= 1")
    return crit


def _build(
    *,
    method: str,
    seed: int,
    arms: tuple[str, ...],
    ids: list[Any],
    covariates: Covariates | None,
    assignment: Sequence[str],
    parameters: dict[str, Any],
    **extra: Any,
) -> AllocationResult:
    assigned = tuple(str(a) for a in assignment)
    return AllocationResult(
        method=method,
        seed=seed,
        arms=arms,
        unit_ids=tuple(ids),
        assignment=assigned,
        parameters=json_ready(parameters),
        inputs_digest=inputs_digest(ids, covariates),
        allocation_digest=allocation_digest(ids, assigned),
        **extra,
    )


# ---------------------------------------------------------------------------
# allocation kernels (arm indices)
# ---------------------------------------------------------------------------


def _complete_counts(n: int, ratio: tuple[int, ...], rng: np.random.Generator) -> NDArray[np.int64]:
    """Arm sizes as close to ``ratio`` as possible, unbiased for ``n * r / sum(r)``.

    Each arm gets the floor of its target; the leftover units go to arms picked by systematic
    sampling on the fractional remainders, so every arm gets its floor or floor + 1 and its
    expected size is exactly its target.
    """
    target = n * np.asarray(ratio, dtype=float) / sum(ratio)
    counts = np.floor(target + 1e-12).astype(np.int64)
    leftover = n - int(counts.sum())
    if leftover:
        remainder = np.clip(target - counts, 0.0, None)
        remainder *= leftover / remainder.sum()
        points = rng.random() + np.arange(leftover)
        picked = np.searchsorted(np.cumsum(remainder), points, side="right")
        counts[np.minimum(picked, len(ratio) - 1)] += 1
    return counts


def _complete_indices(
    n: int, ratio: tuple[int, ...], rng: np.random.Generator
) -> NDArray[np.int64]:
    counts = _complete_counts(n, ratio, rng)
    return rng.permutation(np.repeat(np.arange(len(ratio)), counts))


def _blocked_indices(
    n: int, ratio: tuple[int, ...], block_sizes: tuple[int, ...], rng: np.random.Generator
) -> tuple[NDArray[np.int64], NDArray[np.int64], bool]:
    """Permuted blocks; returns arm indices, block numbers and whether the last block is cut."""
    unit = np.repeat(np.arange(len(ratio)), ratio)
    if len(block_sizes) == 1:
        sizes = np.full(-(-n // block_sizes[0]), block_sizes[0], dtype=np.int64)
    else:
        # Enough random sizes to cover n units even if every block is the smallest.
        draws = rng.choice(np.asarray(block_sizes), size=-(-n // min(block_sizes)))
        needed = int(np.searchsorted(np.cumsum(draws), n)) + 1
        sizes = draws[:needed].astype(np.int64)
    template = np.concatenate([np.tile(unit, int(s) // len(unit)) for s in sizes])
    block_of = np.repeat(np.arange(len(sizes)), sizes)
    order = np.lexsort((rng.random(len(template)), block_of))  # shuffle within each block
    arms_idx = template[order][:n]
    return arms_idx, block_of[:n], int(sizes.sum()) != n


def _is_binary(column: NDArray[np.float64]) -> bool:
    finite = column[np.isfinite(column)]
    return finite.size > 0 and bool(np.isin(finite, (0.0, 1.0)).all())


def _covariate_matrix(covariates: dict[str, list[Any]]) -> tuple[list[str], NDArray[np.float64]]:
    names = list(covariates)
    try:
        matrix = np.array(
            [[np.nan if v is None else float(v) for v in covariates[c]] for c in names]
        )
    except (TypeError, ValueError) as exc:
        raise ValueError("balance needs numeric covariates (encode categories as 0/1)") from exc
    return names, matrix.T


def _batch_balance(
    x: NDArray[np.float64], treated: NDArray[np.bool_], kind: str, binary: NDArray[np.bool_]
) -> NDArray[np.float64]:
    """Balance statistic for each row of ``treated`` (candidate allocations x units)."""
    t = treated.astype(float)
    c = 1.0 - t
    n_t = t.sum(axis=1, keepdims=True)
    n_c = c.sum(axis=1, keepdims=True)
    mean_t = t @ x / n_t
    mean_c = c @ x / n_c
    diff = mean_t - mean_c
    if kind == "mahalanobis":
        cov = np.atleast_2d(np.cov(x, rowvar=False))
        solved = np.linalg.lstsq(cov, diff.T, rcond=None)[0].T
        n = n_t + n_c
        return np.asarray((n_t * n_c / n)[:, 0] * np.einsum("bp,bp->b", diff, solved))
    var_t = (t @ x**2 - n_t * mean_t**2) / np.maximum(n_t - 1, 1)
    var_c = (c @ x**2 - n_c * mean_c**2) / np.maximum(n_c - 1, 1)
    bin_var = (mean_t * (1 - mean_t) + mean_c * (1 - mean_c)) / 2
    pooled = np.where(binary[None, :], bin_var, (var_t + var_c) / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        smd = np.where(pooled > 0, diff / np.sqrt(pooled), 0.0)
    return np.asarray(np.abs(smd).max(axis=1))


def _rerandomised_indices(
    n: int,
    ratio: tuple[int, ...],
    covariates: dict[str, list[Any]] | None,
    criterion: RerandomisationCriterion,
    rng: np.random.Generator,
) -> tuple[NDArray[np.int64], dict[str, Any], tuple[StatWarning, ...]]:
    if len(ratio) != 2:
        raise ValueError("re-randomisation is defined here for two arms")
    if not covariates:
        raise ValueError("re-randomisation needs covariates")
    _, x = _covariate_matrix(covariates)
    if not np.isfinite(x).all():
        raise ValueError("re-randomisation needs covariates without missing values")
    binary = np.array([_is_binary(col) for col in x.T])
    base = np.repeat(np.arange(2), _complete_counts(n, ratio, rng))
    draws = 0
    best: tuple[float, NDArray[np.int64]] | None = None
    while draws < criterion.max_draws:
        size = min(criterion.batch_size, criterion.max_draws - draws)
        candidates = rng.permuted(np.tile(base, (size, 1)), axis=1)
        stat = _batch_balance(x, candidates == 1, criterion.kind, binary)
        ok = np.flatnonzero(stat <= criterion.threshold)
        if ok.size:
            first = int(ok[0])
            record = {
                **asdict(criterion),
                "n_draws": draws + first + 1,
                "statistic": float(stat[first]),
            }
            return candidates[first], record, ()
        i = int(np.argmin(stat))
        if best is None or stat[i] < best[0]:
            best = (float(stat[i]), candidates[i].copy())
        draws += size
    assert best is not None
    record = {**asdict(criterion), "n_draws": draws, "statistic": best[0], "met": False}
    return (
        best[1],
        record,
        (
            StatWarning(
                "rerandomisation_criterion_not_met",
                f"no allocation met {criterion.kind} <= {criterion.threshold} in {draws} draws; "
                "the best one found is used",
            ),
        ),
    )


# ---------------------------------------------------------------------------
# public methods
# ---------------------------------------------------------------------------


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
    seed = _check_seed(seed)
    labels = _check_arms(arms)
    ids = _normalise_ids(unit_ids)
    _normalise_covariates(covariates, len(ids))
    if probabilities is None:
        probs = np.full(len(labels), 1.0 / len(labels))
    else:
        probs = np.asarray(probabilities, dtype=float)
        if probs.shape != (len(labels),) or (probs < 0).any() or not np.isclose(probs.sum(), 1):
            raise ValueError("probabilities must be one non-negative value per arm, summing to 1")
    rng = np.random.Generator(np.random.PCG64(seed))
    idx = rng.choice(len(labels), size=len(ids), p=probs)
    return _build(
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
    return _complete_like("complete", unit_ids, seed, arms, ratio, covariates, rerandomisation)


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
    return _complete_like("cluster", cluster_ids, seed, arms, ratio, covariates, rerandomisation)


def _complete_like(
    method: str,
    unit_ids: Sequence[Any],
    seed: int,
    arms: Sequence[str],
    ratio: Sequence[int] | None,
    covariates: Covariates | None,
    rerandomisation: RerandomisationCriterion | Mapping[str, Any] | None,
) -> AllocationResult:
    seed = _check_seed(seed)
    labels = _check_arms(arms)
    ratios = _check_ratio(ratio, len(labels))
    ids = _normalise_ids(unit_ids)
    cov = _normalise_covariates(covariates, len(ids))
    criterion = _check_criterion(rerandomisation)
    rng = np.random.Generator(np.random.PCG64(seed))
    record: dict[str, Any] | None = None
    warnings: tuple[StatWarning, ...] = ()
    if criterion is None:
        idx = _complete_indices(len(ids), ratios, rng)
    else:
        idx, record, warnings = _rerandomised_indices(len(ids), ratios, cov, criterion, rng)
    return _build(
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


def _check_block_sizes(
    block_sizes: Sequence[int] | None, ratio: tuple[int, ...]
) -> tuple[int, ...]:
    total = sum(ratio)
    if block_sizes is None:
        return (2 * total,)
    sizes = tuple(int(s) for s in block_sizes)
    if not sizes or any(s < total or s % total for s in sizes):
        raise ValueError(f"every block size must be a positive multiple of the ratio total {total}")
    return sizes


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
    seed = _check_seed(seed)
    labels = _check_arms(arms)
    ratios = _check_ratio(ratio, len(labels))
    sizes = _check_block_sizes(block_sizes, ratios)
    ids = _normalise_ids(unit_ids)
    _normalise_covariates(covariates, len(ids))
    rng = np.random.Generator(np.random.PCG64(seed))
    idx, blocks, cut = _blocked_indices(len(ids), ratios, sizes, rng)
    return _build(
        method="blocked",
        seed=seed,
        arms=labels,
        ids=ids,
        covariates=covariates,
        assignment=[labels[i] for i in idx],
        parameters={"arms": list(labels), "ratio": list(ratios), "block_sizes": list(sizes)},
        blocks=tuple(int(b) for b in blocks),
        warnings=(_incomplete_block_warning(),) if cut else (),
    )


def _incomplete_block_warning() -> StatWarning:
    return StatWarning(
        "incomplete_final_block",
        "the last block (in a stratum) was not filled, so arm sizes may differ slightly",
    )


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
    seed = _check_seed(seed)
    labels = _check_arms(arms)
    ratios = _check_ratio(ratio, len(labels))
    ids = _normalise_ids(unit_ids)
    cov = _normalise_covariates(covariates, len(ids))
    strata = _strata_labels(cov, strata_by, bins)
    if within not in ("blocked", "complete"):
        raise ValueError("within must be 'blocked' or 'complete'")
    sizes = _check_block_sizes(block_sizes, ratios) if within == "blocked" else ()
    rng = np.random.Generator(np.random.PCG64(seed))
    strata_arr = np.asarray(strata, dtype=object)
    idx = np.empty(len(ids), dtype=np.int64)
    blocks = np.zeros(len(ids), dtype=np.int64)
    cut_any = False
    for stratum in sorted(set(strata)):  # sorted: the draw order is part of the recipe
        members = np.flatnonzero(strata_arr == stratum)
        if within == "blocked":
            s_idx, s_blocks, cut = _blocked_indices(len(members), ratios, sizes, rng)
            blocks[members] = s_blocks
            cut_any = cut_any or cut
        else:
            s_idx = _complete_indices(len(members), ratios, rng)
        idx[members] = s_idx
    parameters: dict[str, Any] = {
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
    if method == "stratified_cluster":  # complete within strata is the only recipe there
        del parameters["within"], parameters["block_sizes"]
    small = [s for s in set(strata) if int((strata_arr == s).sum()) < sum(ratios)]
    warnings = [_incomplete_block_warning()] if cut_any else []
    if small:
        warnings.append(
            StatWarning(
                "small_strata",
                f"{len(small)} strata hold fewer units than one full ratio set; consider "
                "coarser strata",
            )
        )
    return _build(
        method=method,
        seed=seed,
        arms=labels,
        ids=ids,
        covariates=covariates,
        assignment=[labels[i] for i in idx],
        parameters=parameters,
        strata=tuple(strata),
        blocks=tuple(int(b) for b in blocks) if within == "blocked" else None,
        warnings=tuple(warnings),
    )


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
    seed = _check_seed(seed)
    ids = _normalise_ids(cluster_ids)
    _normalise_covariates(covariates, len(ids))
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
    return _build(
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
        key = _scalar(cluster)
        if key not in arm_of:
            raise ValueError(f"cluster {cluster!r} is not in the allocation")
        out.append(arm_of[key])
    return tuple(out)


# ---------------------------------------------------------------------------
# balance
# ---------------------------------------------------------------------------


def balance_table(
    covariates: Covariates,
    assignment: Sequence[str],
    *,
    treatment: str = "treatment",
    control: str = "control",
) -> BalanceTable:
    """Standardised mean differences and variance ratios of covariates between two arms.

    Parameters
    ----------
    covariates : numeric covariate columns (0/1 columns are treated as binary).
    assignment : arm label of each unit (e.g. ``AllocationResult.assignment``); units in other
        arms are ignored.
    treatment, control : the two arms compared.

    Returns
    -------
    BalanceTable with one row per covariate (missing values dropped per covariate).

    Notes
    -----
    Austin (2009): continuous ``d = (xbar_t - xbar_c) / sqrt((s_t^2 + s_c^2) / 2)``; binary
    ``d = (p_t - p_c) / sqrt((p_t (1 - p_t) + p_c (1 - p_c)) / 2)``. Variance ratio
    ``s_t^2 / s_c^2`` (sample variances, ``ddof = 1``). |d| < 0.1 is the usual mark of balance.
    """
    arms = np.asarray([str(a) for a in assignment], dtype=object)
    cov = _normalise_covariates(covariates, len(arms))
    assert cov is not None
    names, x = _covariate_matrix(cov)
    is_t = arms == treatment
    is_c = arms == control
    if not is_t.any() or not is_c.any():
        raise ValueError(f"both arms {treatment!r} and {control!r} need at least one unit")
    rows = []
    for j, name in enumerate(names):
        col = x[:, j]
        xt = col[is_t & np.isfinite(col)]
        xc = col[is_c & np.isfinite(col)]
        binary = _is_binary(col)
        mt, mc = (float(xt.mean()), float(xc.mean())) if xt.size and xc.size else (math.nan,) * 2
        vt = float(xt.var(ddof=1)) if xt.size > 1 else math.nan
        vc = float(xc.var(ddof=1)) if xc.size > 1 else math.nan
        pooled = (mt * (1 - mt) + mc * (1 - mc)) / 2 if binary else (vt + vc) / 2
        smd = (mt - mc) / math.sqrt(pooled) if pooled > 0 else (0.0 if mt == mc else math.nan)
        rows.append(
            BalanceRow(
                covariate=name,
                kind="binary" if binary else "continuous",
                mean_treatment=mt,
                mean_control=mc,
                sd_treatment=math.sqrt(vt) if math.isfinite(vt) else math.nan,
                sd_control=math.sqrt(vc) if math.isfinite(vc) else math.nan,
                smd=smd,
                variance_ratio=vt / vc if vc > 0 else math.nan,
            )
        )
    return BalanceTable(
        treatment=treatment,
        control=control,
        n_treatment=int(is_t.sum()),
        n_control=int(is_c.sum()),
        rows=tuple(rows),
    )


# ---------------------------------------------------------------------------
# verification
# ---------------------------------------------------------------------------

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
