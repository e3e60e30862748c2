"""The record of an allocation and the digests that let anyone check it.

An allocation decides who gets a service, so it carries the seed, the method and its parameters,
a SHA-256 digest of the canonical JSON of the inputs (unit identifiers and covariates, in order)
and a digest of the allocation itself.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal, TypeAlias

import numpy as np
import pandas as pd

from infuse.stats.results import StatWarning, json_ready

__all__ = ["AllocationResult", "RerandomisationCriterion", "allocation_digest", "inputs_digest"]

Covariates: TypeAlias = Mapping[str, Sequence[Any]] | pd.DataFrame


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


def canonical_scalar(value: Any) -> Any:
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


def normalise_ids(unit_ids: Sequence[Any]) -> list[Any]:
    if isinstance(unit_ids, str | bytes) or not isinstance(unit_ids, Sequence | np.ndarray):
        if isinstance(unit_ids, pd.Series | pd.Index):
            unit_ids = list(unit_ids)
        else:
            raise TypeError("unit_ids must be a sequence of identifiers")
    ids = [canonical_scalar(u) for u in unit_ids]
    if len(ids) == 0:
        raise ValueError("unit_ids is empty")
    if any(u is None for u in ids):
        raise ValueError("unit_ids must not contain missing values")
    if len({(type(u).__name__, u) for u in ids}) != len(ids):
        raise ValueError("unit_ids must be unique")
    return ids


def normalise_covariates(covariates: Covariates | None, n: int) -> dict[str, list[Any]] | None:
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
    return {name: [canonical_scalar(v) for v in columns[name]] for name in sorted(columns)}


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
    ids = normalise_ids(unit_ids)
    return hashlib.sha256(
        _canonical_json({"unit_ids": ids, "covariates": normalise_covariates(covariates, len(ids))})
    ).hexdigest()


def allocation_digest(unit_ids: Sequence[Any], assignment: Sequence[str]) -> str:
    """SHA-256 hex digest of the canonical JSON ``{"assignment": [...], "unit_ids": [...]}``."""
    ids = normalise_ids(unit_ids)
    return hashlib.sha256(
        _canonical_json({"unit_ids": ids, "assignment": [str(a) for a in assignment]})
    ).hexdigest()


def build_result(
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
