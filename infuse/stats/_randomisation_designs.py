"""How each design re-randomises: the level at which assignment is permuted, its blocks, every
possible assignment (for exact tests) and seeded random ones, as packed draws.

Split from ``inference.py`` to keep each module readable; nothing here is public API.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from infuse.stats._assignment_draws import (
    PackedDraws,
    empty_draws,
    finish_subsets,
    pack_rows,
    place,
    start_subsets,
)
from infuse.stats._common import factor_codes

__all__: list[str] = []

BoolArray = NDArray[np.bool_]

# Blocks of at most this many units are drawn as booleans (an index into a table of their
# subsets, or shuffled labels): below it the packed sampler's fixed costs (padding,
# corrections) outweigh the ~20 ns per element a shuffle costs.
SHUFFLE_AT_MOST = 96
# Small blocks with at most this many possible subsets draw an index into a table of them.
_TABLE_AT_MOST = 4096


@dataclass(frozen=True)
class Layout:
    """The level at which assignment is permuted and its blocks."""

    z_level: BoolArray  # observed assignment at the permuted level (units or clusters)
    level_of_unit: NDArray[np.intp] | None  # cluster code of each unit (None: unit level)
    block_members: tuple[NDArray[np.intp], ...]  # level indices in each block
    n_clusters: int | None

    @functools.cached_property
    def block_treated(self) -> tuple[int, ...]:
        """Treated units (or clusters) per block, computed once rather than for every chunk."""
        return tuple(int(self.z_level[members].sum()) for members in self.block_members)


def as_assignment(assignment: ArrayLike, n: int) -> BoolArray:
    z = np.asarray(assignment)
    if z.ndim != 1 or z.shape[0] != n:
        raise ValueError(f"assignment must be one-dimensional with {n} entries, got {z.shape}")
    if z.dtype == np.bool_:
        return z
    if not np.issubdtype(z.dtype, np.number):
        raise TypeError("assignment must be boolean or 0/1")
    if not np.all(np.isin(z, (0, 1))):
        raise ValueError("assignment must contain only 0/1 (or booleans)")
    return z.astype(np.bool_)


def layout_of(
    z: BoolArray,
    design: str,
    blocks: ArrayLike | None,
    clusters: ArrayLike | None,
) -> Layout:
    n = z.shape[0]
    if design == "complete":
        if blocks is not None or clusters is not None:
            raise ValueError("a complete design takes neither blocks nor clusters")
        return Layout(z, None, (np.arange(n),), None)
    if design == "blocked":
        if blocks is None:
            raise ValueError("a blocked design needs blocks")
        if clusters is not None:
            raise ValueError("for blocks of clusters use design='cluster' with blocks")
        codes, n_blocks = factor_codes(blocks, n, "blocks")
        order = np.argsort(codes, kind="stable")
        splits = np.cumsum(np.bincount(codes, minlength=n_blocks))[:-1]
        return Layout(z, None, tuple(np.split(order, splits)), None)
    if design == "cluster":
        if clusters is None:
            raise ValueError("a cluster design needs clusters")
        ccodes, G = factor_codes(clusters, n, "clusters")
        # Treatment must be constant within clusters: it was assigned to the cluster.
        treated_share = np.bincount(ccodes, weights=z.astype(float), minlength=G) / np.bincount(
            ccodes, minlength=G
        )
        if np.any((treated_share > 0) & (treated_share < 1)):
            raise ValueError("assignment varies within a cluster; it cannot be a cluster design")
        zc = treated_share > 0.5
        if blocks is None:
            members: tuple[NDArray[np.intp], ...] = (np.arange(G),)
        else:
            bcodes, n_blocks = factor_codes(blocks, n, "blocks")
            cluster_block = np.full(G, -1, dtype=np.intp)
            cluster_block[ccodes] = bcodes
            if np.any(cluster_block[ccodes] != bcodes):
                raise ValueError("blocks must be constant within clusters")
            order = np.argsort(cluster_block, kind="stable")
            splits = np.cumsum(np.bincount(cluster_block, minlength=n_blocks))[:-1]
            members = tuple(np.split(order, splits))
        return Layout(zc, ccodes, members, G)
    raise ValueError("design must be 'complete', 'blocked' or 'cluster'")


def log_count(sizes: list[int], treated: list[int]) -> float:
    """log of the number of assignments, without forming huge integers."""
    return sum(
        math.lgamma(a + 1) - math.lgamma(b + 1) - math.lgamma(a - b + 1)
        for a, b in zip(sizes, treated, strict=True)
    )


def exact_draws(layout: Layout, chunk: int) -> list[Callable[[], Callable[[], PackedDraws]]]:
    """Every assignment, as jobs of at most ``chunk`` draws: mixed-radix indexing of the
    per-block combinations, packed eight draws to a byte (all in the job's first stage; see
    :func:`random_draws`)."""
    level_n = layout.z_level.shape[0]
    combos: list[BoolArray] = []
    for members, m in zip(layout.block_members, layout.block_treated, strict=True):
        combos.append(all_subsets(members.size, m))
    sizes = [c.shape[0] for c in combos]
    total = math.prod(sizes)
    strides = [int(s) for s in np.cumprod([1, *sizes[:-1]])]

    def draws(start: int) -> Callable[[], PackedDraws]:
        k = np.arange(start, min(start + chunk, total))
        Z = np.zeros((k.size, level_n), dtype=np.bool_)
        for members, mat, stride, size in zip(
            layout.block_members, combos, strides, sizes, strict=True
        ):
            Z[:, members] = mat[(k // stride) % size]
        packed = pack_rows(Z)
        return lambda: packed

    return [functools.partial(draws, start) for start in range(0, total, chunk)]


def random_draws(layout: Layout, k: int, seed: np.random.SeedSequence) -> Callable[[], PackedDraws]:
    """``k`` seeded draws of the design: independent uniform subsets within each block.

    Two stages, so that a thread pool can run the first while the caller finishes earlier
    chunks: this call draws the Bernoulli starts of the large blocks and counts them (random
    words, bitwise operations and popcounts); the returned function corrects their sizes,
    draws the small blocks (booleans from :func:`_small_block_draws`, packed once) and
    places every block. The generator is used in the same order whichever thread runs which
    stage.
    """
    rng = np.random.Generator(np.random.PCG64DXSM(seed))
    level_n = layout.z_level.shape[0]
    large: list[tuple[NDArray[np.intp], int, tuple[PackedDraws, NDArray[np.int64]]]] = []
    small: dict[tuple[int, int], list[NDArray[np.intp]]] = {}
    for members, m in zip(layout.block_members, layout.block_treated, strict=True):
        if members.size > SHUFFLE_AT_MOST:
            large.append((members, m, start_subsets(rng, k, members.size, m)))
        else:
            small.setdefault((members.size, m), []).append(members)

    def finish() -> PackedDraws:
        if len(large) == 1 and not small:
            # One block of every unit: its draws need no placing (a uniform subset stays one
            # under any reordering of the units).
            return finish_subsets(rng, large[0][2], large[0][1])
        out = empty_draws(k, level_n)
        for members, m, started in large:
            place(out, members, finish_subsets(rng, started, m))
        if small:
            columns, Z = _small_block_draws(rng, k, small)
            place(out, columns, pack_rows(Z))
        return out

    return finish


def _small_block_draws(
    rng: np.random.Generator, k: int, blocks: dict[tuple[int, int], list[NDArray[np.intp]]]
) -> tuple[NDArray[np.intp], BoolArray]:
    """Draws for blocks of at most ``SHUFFLE_AT_MOST`` units, grouped by (size, treated).

    Where a block has at most ``_TABLE_AT_MOST`` possible subsets, each draw picks one row of
    the table of all of them with a uniform random index (exactly uniform, and one integer per
    block and draw: a design of 500 pairs costs one call, not 500 shuffles); otherwise each
    block's labels are shuffled."""
    columns: list[NDArray[np.intp]] = []
    parts: list[BoolArray] = []
    for (size, m), members in blocks.items():
        columns.extend(members)
        if math.comb(size, m) <= _TABLE_AT_MOST:
            table = _subset_table(size, m)
            picks = rng.integers(0, table.shape[0], size=(k, len(members)))
            parts.append(np.take(table, picks, axis=0).reshape(k, -1))
        else:
            parts.extend(shuffled_subsets(rng, k, size, m) for _ in members)
    return np.concatenate(columns), np.hstack(parts)


def all_subsets(size: int, m: int) -> BoolArray:
    """Every size-``m`` subset of ``size`` units, one per row, in lexicographic order."""
    chosen = np.array(list(itertools.combinations(range(size), m)), dtype=np.intp)
    table = np.zeros((chosen.shape[0], size), dtype=np.bool_)
    if m:
        table[np.arange(chosen.shape[0])[:, None], chosen] = True
    return table


# The tables of small blocks are reused by every chunk (at most 4,096 x 96 bytes each).
_subset_table = functools.lru_cache(maxsize=64)(all_subsets)


def shuffled_subsets(rng: np.random.Generator, k: int, n: int, m: int) -> BoolArray:
    pattern = np.zeros(n, dtype=np.bool_)
    pattern[:m] = True
    return np.asarray(rng.permuted(np.broadcast_to(pattern, (k, n)), axis=1))
