"""Tests for ``infuse.stats._randomisation_designs`` (how each design draws its assignments).

Sources: the definition of a blocked design (every block keeps its number treated, and every
combination of the blocks' subsets is equally likely), checked by counting draws written here
and a chi-square goodness of fit over every joint assignment.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from infuse.stats._assignment_draws import unpack
from infuse.stats._randomisation_designs import layout_of, random_draws


def test_small_blocks_draw_every_joint_assignment_equally_often() -> None:
    """Three pairs and a block of 5 with 2 treated (drawn from tables of their subsets): all
    2^3 x C(5, 2) = 80 joint assignments equally often over 24,000 draws."""
    blocks = np.repeat([0, 1, 2, 3], [2, 2, 2, 5])
    z = np.array([1, 0, 0, 1, 1, 0, 1, 1, 0, 0, 0], dtype=bool)
    layout = layout_of(z, "blocked", blocks, None)
    Z = unpack(random_draws(layout, 24_000, np.random.SeedSequence(3))())
    for b in range(4):
        assert np.all(Z[:, blocks == b].sum(axis=1) == z[blocks == b].sum())
    codes = Z.astype(np.int64) @ (1 << np.arange(11))
    _, counts = np.unique(codes, return_counts=True)
    assert counts.size == 2**3 * math.comb(5, 2)
    assert stats.chisquare(counts).pvalue > 1e-3


def test_mixed_blocks_keep_their_sizes_and_inclusion_probabilities() -> None:
    """A block of 300 (packed sampler), one of 40 with 20 treated (C(40, 20) > 4,096: shuffled)
    and 30 pairs (table), in a shuffled unit order: every draw keeps each block's number
    treated, and each unit is treated with its block's share."""
    rng = np.random.default_rng(4)
    blocks = rng.permutation(np.r_[np.zeros(300), np.ones(40), np.repeat(np.arange(2, 32), 2)])
    z = np.zeros(blocks.size, dtype=bool)
    for b, share in ((0, 0.3), (1, 0.5)):
        members = np.flatnonzero(blocks == b)
        z[members[: round(share * members.size)]] = True
    for b in range(2, 32):
        z[np.flatnonzero(blocks == b)[0]] = True
    layout = layout_of(z, "blocked", blocks, None)
    k = 4_000
    Z = unpack(random_draws(layout, k, np.random.SeedSequence(5))())
    share = np.empty(blocks.size)
    for b in np.unique(blocks):
        members = blocks == b
        assert np.all(Z[:, members].sum(axis=1) == z[members].sum())
        share[members] = z[members].mean()
    se = np.sqrt(share * (1 - share) / k)
    assert np.all(np.abs(Z.mean(axis=0) - share) < 5 * se)
