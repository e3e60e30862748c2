"""Assignments as bit-packed masks: exactly uniform random draws, and sums over them.

Why packed: a Monte-Carlo randomisation test of the difference in means on 100,000 units and
10,000 draws touches 10^9 (draw, unit) pairs, so every byte per pair costs about a quarter of a
second. Here a pair costs one bit: bit ``r`` of ``bits[g, j]`` says whether draw ``8g + r``
treats unit ``j``. Eight draws share a byte, so one pass over the units serves eight draws:

* drawing: a Bernoulli(q) bit needs only bitwise AND/OR of a few random words (below), so the
  random-number generator, not the bookkeeping, sets the pace;
* summing: ``bincount(bits[g], weights=w)`` adds each unit's weight to the bin of its byte
  value, and the 256 bin totals times the 256 x 8 table of the bits of each byte value give the
  eight draws' sums ``sum_j w_j [draw treats j]`` -- exactly the sums a boolean mask gives, in
  float64, in one pass over the units instead of eight;
* counting: per-bit popcounts of the same bytes, read as 64-bit words.

Rows of ``bits`` are padded with zero bytes to a multiple of 15 64-bit words; bits of draws past
``k`` in the last group are ignored everywhere. Nothing here is public API.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from infuse.stats._common import FloatArray

__all__: list[str] = []

BoolArray = NDArray[np.bool_]
ByteArray = NDArray[np.uint8]

# Bits of each byte value, as the 256 x 8 matrix that turns per-byte-value totals into the
# totals of the eight draws sharing the byte.
_BYTE_BITS = ((np.arange(256)[:, None] >> np.arange(8)) & 1).astype(np.float64)
# Rows are padded to a multiple of 15 words so that :func:`row_counts` can add 15 words at a
# time in 4-bit lanes without carries.
_WORDS_PER_SUM = 15
_ROW_BYTES = 8 * _WORDS_PER_SUM
_LOW_BIT_OF_EACH_NIBBLE = np.uint64(0x1111111111111111)
_LOW_NIBBLE_OF_EACH_BYTE = np.uint64(0x0F0F0F0F0F0F0F0F)
# Relative costs in the choice of a Bernoulli rate (measured on x86-64 with numpy 2.5): one
# random bit-plane costs about 0.03 ns per (draw, unit), one size correction about 60 ns.
_PLANE_COST_PER_UNIT = 0.03
_CORRECTION_COST = 60.0
_MAX_PLANES = 16
# Units per bincount call in row_sums: enough to amortise a call, few enough to stay in cache.
_UNITS_PER_BINCOUNT = 65_536
# Fewer units than this and row_sums unpacks to booleans (measured: ~3x faster at 256 units
# and 10,000 draws, ~5x slower at 512).
_UNPACK_BELOW = 384


@dataclass(frozen=True)
class PackedDraws:
    """``k`` assignments of ``n`` units, eight to a byte (see the module docstring)."""

    bits: ByteArray  # (ceil(k / 8), n rounded up to a multiple of 120)
    k: int
    n: int


def _packed_shape(k: int, n: int) -> tuple[int, int]:
    return -(-k // 8), -(-n // _ROW_BYTES) * _ROW_BYTES


def empty_draws(k: int, n: int) -> PackedDraws:
    """``k`` draws that treat nobody, ready to be filled by :func:`place`."""
    return PackedDraws(np.zeros(_packed_shape(k, n), dtype=np.uint8), k, n)


def place(target: PackedDraws, columns: NDArray[np.intp], part: PackedDraws) -> None:
    """Copy ``part`` (the same draws over a subset of the units) into ``columns``."""
    target.bits[:, columns] = part.bits[:, : part.n]


def pack_rows(Z: BoolArray) -> PackedDraws:
    """A (k, n) boolean matrix of assignments, packed: draw ``r`` becomes bit ``r % 8`` of row
    ``r // 8`` (eight shifted ORs, far cheaper than ``np.packbits`` along the strided axis)."""
    k, n = Z.shape
    out = empty_draws(k, n)
    rows = np.ascontiguousarray(Z).view(np.uint8)
    for r in range(min(k, 8)):
        part = rows[r::8]
        out.bits[: part.shape[0], :n] |= part << np.uint8(r)
    return out


def unpack(draws: PackedDraws) -> BoolArray:
    """The draws as a (k, n) boolean matrix, for statistics that need unit-level masks."""
    groups = draws.bits.shape[0]
    out = np.empty((groups * 8, draws.n), dtype=np.uint8)
    for r in range(8):
        np.bitwise_and(draws.bits[:, : draws.n] >> np.uint8(r), 1, out=out[r::8])
    return out[: draws.k].view(np.bool_)


def row_sums(draws: PackedDraws, weights: FloatArray) -> FloatArray:
    """``sum_j weights[i, j] * [draw treats j]`` for each row ``i`` of ``weights`` (p, n) and
    every draw, as a (p, k) array: float64 sums of exactly the terms a boolean mask selects.

    With many units, weighted bincounts of the bytes: one per eight draws and weight, or one
    for several groups at once (bins offset by 256 per group) when the units are few enough
    that a call per group would cost more than its work. Below ``_UNPACK_BELOW`` units the 256
    bins per group outnumber the units, and unpacking to booleans for one einsum is cheaper.
    """
    n = draws.n
    w = np.atleast_2d(np.asarray(weights, dtype=np.float64))
    if n < _UNPACK_BELOW:
        return np.asarray(np.einsum("kn,pn->pk", unpack(draws), w), dtype=np.float64)
    groups = draws.bits.shape[0]
    totals = np.empty((w.shape[0], groups, 256), dtype=np.float64)
    batch = max(1, _UNITS_PER_BINCOUNT // n)
    for start in range(0, groups, batch):
        block = draws.bits[start : start + batch, :n]
        rows = block.shape[0]
        if rows == 1:
            # bincount holds the GIL while it counts but not while it casts: cast first, so
            # that other threads wait less.
            byte_values = block[0].astype(np.intp)
            for i, wi in enumerate(w):
                totals[i, start] = np.bincount(byte_values, weights=wi, minlength=256)
            continue
        bins = (block + 256 * np.arange(rows, dtype=np.intp)[:, None]).reshape(-1)
        for i, wi in enumerate(w):
            counts = np.bincount(bins, weights=np.tile(wi, rows), minlength=256 * rows)
            totals[i, start : start + rows] = counts.reshape(rows, 256)
    sums = (totals @ _BYTE_BITS).reshape(w.shape[0], -1)
    return np.asarray(sums[:, : draws.k], dtype=np.float64)


def row_counts(draws: PackedDraws) -> NDArray[np.int64]:
    """Units treated by each draw, counted 64 bits at a time.

    ``(word >> s) & 0x1111...`` leaves, in each 4-bit lane, bit ``s`` (low lane) or bit
    ``s + 4`` (high lane) of one byte, i.e. one unit's membership in draw ``s`` or ``s + 4`` of
    the group; adding 15 such words cannot carry out of a lane, and the lanes' totals are then
    added as bytes. Twelve passes over the words instead of a pass per draw.
    """
    groups = draws.bits.shape[0]
    words = draws.bits.view(np.uint64)
    lanes = np.empty_like(words)
    partial = np.empty((4, groups, words.shape[1] // _WORDS_PER_SUM), dtype=np.uint64)
    for s in range(4):
        np.right_shift(words, np.uint64(s), out=lanes)
        np.bitwise_and(lanes, _LOW_BIT_OF_EACH_NIBBLE, out=lanes)
        np.add.reduce(lanes.reshape(groups, _WORDS_PER_SUM, -1), axis=1, out=partial[s])
    counts = np.empty((8, groups), dtype=np.int64)
    for half, lane in ((0, partial), (4, partial >> np.uint64(4))):
        low = np.bitwise_and(lane, _LOW_NIBBLE_OF_EACH_BYTE)
        counts[half : half + 4] = low.view(np.uint8).sum(axis=2, dtype=np.int64)
    return counts.T.reshape(-1)[: draws.k]


def draw_subsets(
    rng: np.random.Generator, k: int, n: int, m: int, *, rate: tuple[int, int] | None = None
) -> PackedDraws:
    """``k`` independent, exactly uniform random subsets of size ``m`` of ``n`` units.

    Each draw starts as a Bernoulli(q) subset, ``q = a / 2^d`` a dyadic rate near ``m / n``,
    and is then corrected to size ``m`` by adding (or removing) uniformly chosen units
    (:func:`_correct_sizes`). Why this is exactly uniform: the Bernoulli subset's distribution
    is unchanged by any permutation of the units, and given its size ``K`` it is uniform over
    the size-``K`` subsets; adding ``m - K`` units chosen uniformly without replacement from
    those outside (or removing ``K - m`` uniformly from those inside) keeps the distribution
    invariant under every permutation, and the only permutation-invariant distribution on
    size-``m`` subsets is the uniform one. The rate ``q`` only changes how many corrections
    are needed, never the distribution; ``rate = (a, d)`` imposes one (tests use it to force
    many corrections), by default it balances random bits against corrections.
    """
    return finish_subsets(rng, start_subsets(rng, k, n, m, rate=rate), m)


def start_subsets(
    rng: np.random.Generator, k: int, n: int, m: int, *, rate: tuple[int, int] | None = None
) -> tuple[PackedDraws, NDArray[np.int64]]:
    """The Bernoulli start of :func:`draw_subsets` and its sizes (random words, bitwise
    operations, popcounts: the part a second thread can take over; see
    ``inference._evaluated``)."""
    if m < 0 or m > n:
        raise ValueError("subset size must be between 0 and n")
    numerator, planes = _dyadic_rate(n, m) if rate is None else rate
    draws = _bernoulli_draws(rng, k, n, numerator, planes)
    # Without random planes every draw treats nobody (q = 0) or everybody (q = 1).
    counts = row_counts(draws) if planes else np.full(k, n * numerator, dtype=np.int64)
    return draws, counts


def finish_subsets(
    rng: np.random.Generator, start: tuple[PackedDraws, NDArray[np.int64]], m: int
) -> PackedDraws:
    """The size corrections of :func:`draw_subsets`, in place on its Bernoulli start."""
    draws, counts = start
    _correct_sizes(rng, draws, counts, m)
    return draws


def _bernoulli_draws(
    rng: np.random.Generator, k: int, n: int, numerator: int, planes: int
) -> PackedDraws:
    """Independent Bernoulli(``numerator / 2**planes``) bits, one per (draw, unit).

    A bit is 1 exactly when a uniform ``U = 0.u_1 u_2 ...`` falls below ``q = 0.b_1 ... b_d``:
    reading digits from the last, ``x <- u_d`` and then ``x <- x | u_i`` where ``b_i = 1``,
    ``x <- x & u_i`` where ``b_i = 0``, gives ``P(x = 1) = q`` exactly (by induction, the
    probability after digit ``i`` is ``0.b_i ... b_d``). Applied to whole 64-bit words of
    random bits, each operation draws 64 bits at once; ``planes`` random bits per pair.
    """
    if planes == 0:
        out = empty_draws(k, n)
        if numerator:
            out.bits[:, :n] = 0xFF
        return out
    shape = _packed_shape(k, n)
    generator = rng.bit_generator
    size = shape[0] * shape[1] // 8
    # One plane of random words at a time: memory stays at two planes whatever the depth.
    words = np.asarray(generator.random_raw(size), dtype=np.uint64)  # q's last digit is 1
    for i in range(planes - 2, -1, -1):
        digit = (numerator >> (planes - 1 - i)) & 1
        uniform = np.asarray(generator.random_raw(size), dtype=np.uint64)
        (np.bitwise_or if digit else np.bitwise_and)(words, uniform, out=words)
    bits = words.view(np.uint8).reshape(shape)
    bits[:, n:] = 0
    return PackedDraws(bits, k, n)


@functools.cache
def _dyadic_rate(n: int, m: int) -> tuple[int, int]:
    """``(a, d)`` with the Bernoulli rate ``a / 2^d`` (``a`` odd, or ``d = 0`` and ``a`` 0 or
    1) that minimises the expected cost: ``d`` random bit-planes against the expected number
    of corrections ``E|m - K|``, ``K ~ Binomial(n, q)`` (normal approximation). Any rate gives
    exactly uniform subsets; this only balances random bits against corrections."""
    best: tuple[float, int, int] | None = None
    for depth in range(_MAX_PLANES + 1):
        numerator = round(m * 2**depth / n)
        planes = depth
        while planes and numerator % 2 == 0:
            numerator //= 2
            planes -= 1
        q = numerator / 2**planes
        spread = math.sqrt(n * q * (1.0 - q))
        gap = m - n * q
        if spread > 0:
            expected = spread * math.sqrt(2 / math.pi) * math.exp(-0.5 * (gap / spread) ** 2)
            expected += gap * math.erf(gap / (spread * math.sqrt(2)))
        else:
            expected = abs(gap)
        cost = planes * n * _PLANE_COST_PER_UNIT + expected * _CORRECTION_COST
        if best is None or cost < best[0]:
            best = (cost, numerator, planes)
    assert best is not None
    return best[1], best[2]


def _first_occurrences(keys: NDArray[np.int64], key_bound: int) -> BoolArray:
    """Whether each key (``0 <= key < key_bound``) is the first of its value in array order.

    Sorting ``key * size + position`` (all distinct) puts each value's first occurrence first
    in its run; an unstable sort of distinct integers is about ten times faster than the
    stable argsort that would otherwise be needed to keep positions in order."""
    size = keys.size
    first = np.zeros(size, dtype=np.bool_)
    if size == 0:
        return first
    if key_bound * size < 2**62:
        ordered = np.sort(keys * size + np.arange(size))
        value, position = np.divmod(ordered, size)
    else:
        position = np.argsort(keys, kind="stable")
        value = keys[position]
    starts = np.ones(size, dtype=np.bool_)
    starts[1:] = value[1:] != value[:-1]
    first[position[starts]] = True
    return first


def _correct_sizes(
    rng: np.random.Generator, draws: PackedDraws, counts: NDArray[np.int64], m: int
) -> None:
    """Bring every draw to ``m`` treated units, in place, by uniform sequential sampling.

    For a draw with ``K < m``, units are drawn uniformly with replacement and the first
    ``m - K`` that are new (first occurrence) and untreated are added: that is sampling without
    replacement from the untreated units, so the added set is a uniform ``(m - K)``-subset of
    them; ``K > m`` removes treated units the same way. Eligibility is read from the mask as it
    was before the round, so a unit's repeats are all eligible or all not, and dropping repeats
    leaves exactly the sequential draw. Each draw gets enough candidates that
    it nearly always finishes in one round (the success probability of a candidate never falls
    below ``(eligible - need + 1) / n``; mean plus four standard deviations of the negative
    binomial count); draws left short go round again against their updated masks, which is
    the same sequential sampling continued.
    """
    n = draws.n
    flat = draws.bits.reshape(-1)
    rows = np.flatnonzero(counts != m)
    while rows.size:
        have = counts[rows]
        adding = have < m
        need = np.abs(m - have)
        success = (np.where(adding, n - have, have) - need + 1) / n
        width = need / success + 4.0 * np.sqrt(need * (1.0 - success)) / success + 8.0
        owner = np.repeat(np.arange(rows.size), np.ceil(width).astype(np.intp))
        candidate = rng.integers(0, n, size=owner.size)
        # Byte of each candidate in the packed rows, and the bit of its draw in that byte.
        position = ((rows >> 3) * draws.bits.shape[1])[owner] + candidate
        bit = np.left_shift(1, rows & 7).astype(np.uint8)[owner]
        treated = np.bitwise_and(flat[position], bit).astype(np.bool_)
        keep = np.flatnonzero(treated != adding[owner])
        owner, position, bit = owner[keep], position[keep], bit[keep]
        new = _first_occurrences(owner * n + candidate[keep], rows.size * n)
        # Rank of each new eligible unit within its draw, in draw order (owners are sorted).
        rank = np.cumsum(new)
        offset = np.concatenate(([0], rank))[np.searchsorted(owner, np.arange(rows.size))]
        chosen = new & (rank - offset[owner] <= need[owner])
        np.bitwise_xor.at(flat, position[chosen], bit[chosen])
        got = np.bincount(owner[chosen], minlength=rows.size)
        counts[rows] += np.where(adding, got, -got)
        rows = rows[got < need]
