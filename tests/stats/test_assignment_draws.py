"""Tests for ``infuse.stats._assignment_draws`` (bit-packed assignments).

Sources:
* Plain boolean masks and numpy sums, written here, as the independent implementation of the
  packing, the counts and the weighted sums.
* Uniformity: every one of the C(9, 4) = 126 subsets equally likely (chi-square goodness of fit),
  inclusion probabilities m/n and pairwise inclusion m(m-1)/(n(n-1)) of simple random sampling
  without replacement (Cochran, W. G. 1977 *Sampling Techniques*, 3rd ed., sec. 2.4), and
  independent draws (the probability that two draws both treat a unit is (m/n)^2).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from infuse.stats import _assignment_draws as packed


@pytest.mark.parametrize(
    ("k", "n"), [(1, 5), (7, 130), (37, 1001), (300, 50), (64, 4096), (9, 70_000)]
)
def test_packing_counts_and_sums_match_boolean_masks(k: int, n: int) -> None:
    """Packing round-trips, and counts and weighted sums equal those of the boolean masks, for
    draw counts that do not fill their last byte and unit counts that do not fill a row."""
    rng = np.random.default_rng(k * n)
    Z = rng.random((k, n)) < 0.37
    w = rng.normal(size=n) * 10.0 ** rng.integers(-3, 4, size=n)
    draws = packed.pack_rows(Z)
    assert np.array_equal(packed.unpack(draws), Z)
    assert np.array_equal(packed.row_counts(draws), Z.sum(axis=1))
    expected = np.array([w[row].sum() for row in Z])
    np.testing.assert_allclose(packed.row_sums(draws, w)[0], expected, rtol=1e-12, atol=1e-9)
    assert np.all(draws.bits[:, n:] == 0)


def test_bernoulli_bits_have_the_dyadic_rate_and_are_independent() -> None:
    """q = 51/128 from seven planes of random words: the share of ones is q, and two draws
    (bits of one byte) or two units (neighbouring bytes) are both ones with probability q^2."""
    rng = np.random.default_rng(11)
    draws = packed._bernoulli_draws(rng, 64, 50_000, 51, 7)
    Z = packed.unpack(draws).astype(np.float64)
    q = 51 / 128
    cells = Z.size
    assert abs(Z.mean() - q) < 5 * math.sqrt(q * (1 - q) / cells)
    both_draws = (Z[0::2] * Z[1::2]).mean()
    both_units = (Z[:, 0::2] * Z[:, 1::2]).mean()
    se_pair = math.sqrt(q * q * (1 - q * q) / (cells / 2))
    assert abs(both_draws - q * q) < 5 * se_pair
    assert abs(both_units - q * q) < 5 * se_pair


@pytest.mark.parametrize(
    "rate",
    [None, (1, 7), (127, 7), (0, 0), (1, 0), (1, 1)],
    ids=["default", "almost-empty", "almost-full", "empty", "full", "half"],
)
def test_subsets_are_uniform_whatever_the_corrections(rate: tuple[int, int] | None) -> None:
    """Each of the 126 subsets of size 4 from 9 equally often, whether the Bernoulli start is
    near the target size or every unit has to be added or removed by the corrections."""
    rng = np.random.default_rng(5)
    draws = packed.draw_subsets(rng, 63_000, 9, 4, rate=rate)
    Z = packed.unpack(draws)
    assert np.all(Z.sum(axis=1) == 4)
    codes = Z.astype(np.int64) @ (1 << np.arange(9))
    _, counts = np.unique(codes, return_counts=True)
    assert counts.size == 126
    assert stats.chisquare(counts).pvalue > 1e-3


def test_large_subsets_have_the_inclusion_probabilities_of_simple_random_sampling() -> None:
    """n = 3,000, m = 700 (the default rate, several planes and ~100 corrections a draw):
    first- and second-order inclusion probabilities of sampling without replacement."""
    rng = np.random.default_rng(6)
    n, m, k = 3_000, 700, 6_000
    Z = packed.unpack(packed.draw_subsets(rng, k, n, m)).astype(np.float64)
    assert np.all(Z.sum(axis=1) == m)
    p1 = m / n
    assert np.max(np.abs(Z.mean(axis=0) - p1)) < 5 * math.sqrt(p1 * (1 - p1) / k)
    p2 = m * (m - 1) / (n * (n - 1))
    # Neighbours share a word of random bits; units far apart do not. Pairs within a draw
    # share units, which at most doubles the variance of their mean.
    for offset in (1, 8, 1_500):
        pairs = (Z[:, :-offset] * Z[:, offset:]).mean()
        assert abs(pairs - p2) < 5 * math.sqrt(2 * p2 * (1 - p2) / (k * (n - offset)))
    # Independent draws: consecutive draws share a byte of each unit.
    both = (Z[0::2] * Z[1::2]).mean()
    assert abs(both - p1 * p1) < 5 * math.sqrt(p1 * p1 * (1 - p1 * p1) / (Z.size / 2))


def test_first_occurrences_by_sorting_and_by_the_stable_fallback() -> None:
    """Both the composite-key sort and the stable argsort used for very large keys find the
    first occurrence of each value, as a plain loop with a set does."""
    rng = np.random.default_rng(7)
    keys = rng.integers(0, 500, size=2_000)
    seen: set[int] = set()
    expected = []
    for key in keys.tolist():
        expected.append(key not in seen)
        seen.add(key)
    assert np.array_equal(packed._first_occurrences(keys, 500), expected)
    assert np.array_equal(packed._first_occurrences(keys, 2**62), expected)


def test_subset_size_is_checked() -> None:
    with pytest.raises(ValueError, match="between 0 and n"):
        packed.draw_subsets(np.random.default_rng(0), 3, 5, 6)
