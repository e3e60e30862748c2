"""Argument checks and the allocation kernels (arm indices) shared by the methods."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from infuse.stats.results import StatWarning

__all__: list[str] = []

DEFAULT_ARMS: tuple[str, str] = ("control", "treatment")


def check_seed(seed: int) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise TypeError(f"seed must be a non-negative integer, got {seed!r}")
    return int(seed)


def check_arms(arms: Sequence[str]) -> tuple[str, ...]:
    if isinstance(arms, str) or len(arms) < 2:
        raise ValueError("arms must list at least two arm labels")
    labels = tuple(str(a) for a in arms)
    if len(set(labels)) != len(labels):
        raise ValueError("arm labels must be unique")
    return labels


def check_ratio(ratio: Sequence[int] | None, n_arms: int) -> tuple[int, ...]:
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


def complete_counts(n: int, ratio: tuple[int, ...], rng: np.random.Generator) -> NDArray[np.int64]:
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


def complete_indices(n: int, ratio: tuple[int, ...], rng: np.random.Generator) -> NDArray[np.int64]:
    counts = complete_counts(n, ratio, rng)
    return rng.permutation(np.repeat(np.arange(len(ratio)), counts))


def blocked_indices(
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


def check_block_sizes(block_sizes: Sequence[int] | None, ratio: tuple[int, ...]) -> tuple[int, ...]:
    total = sum(ratio)
    if block_sizes is None:
        return (2 * total,)
    sizes = tuple(int(s) for s in block_sizes)
    if not sizes or any(s < total or s % total for s in sizes):
        raise ValueError(f"every block size must be a positive multiple of the ratio total {total}")
    return sizes


def incomplete_block_warning() -> StatWarning:
    return StatWarning(
        "incomplete_final_block",
        "the last block (in a stratum) was not filled, so arm sizes may differ slightly",
    )
