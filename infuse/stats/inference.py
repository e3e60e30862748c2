"""Randomisation (permutation) inference for any estimator, respecting how units were assigned.

With ten councils and five treated there are only 252 possible assignments: the exact
randomisation distribution of any statistic is then cheap to enumerate, and the p-value it gives
is valid whatever the outcome's distribution and however few the clusters (Fisher 1935; Imbens &
Rubin 2015, ch. 5). With more units the distribution is sampled (Monte Carlo) from a seed.

The re-randomisation must copy the design: a complete design permutes the assignment vector, a
blocked (stratified) design permutes within each block, a cluster design permutes whole clusters
(optionally within blocks of clusters). Draws come in chunks of at most ``chunk_elements``
(draw, unit) pairs, held as bits, eight draws to a byte (``_assignment_draws``): random subsets
are drawn from random bits with exactly uniform size corrections, and the built-in difference in
means of a chunk comes from weighted bincounts of those bytes. Chunks are seeded independently
and may run on several threads; their results are combined in chunk order. Custom statistics
receive the same draws as boolean matrices.
"""

from __future__ import annotations

import collections
import functools
import math
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from infuse.stats._assignment_draws import PackedDraws, draw_subsets, pack_rows, row_sums, unpack
from infuse.stats._common import FloatArray
from infuse.stats._randomisation_designs import (
    SHUFFLE_AT_MOST,
    Layout,
    as_assignment,
    exact_draws,
    layout_of,
    log_count,
    random_draws,
    shuffled_subsets,
)
from infuse.stats._randomisation_tally import Tally, invert_test
from infuse.stats.results import EstimateResult, json_ready

__all__ = [
    "RandomisationResult",
    "count_assignments",
    "difference_in_means_statistic",
    "random_subsets",
    "randomisation_test",
    "regression_adjusted_statistic",
]

Design = Literal["complete", "blocked", "cluster"]
Alternative = Literal["two-sided", "greater", "less"]
BoolArray = NDArray[np.bool_]

# Statistic of (y, Z) with Z a (k, n) boolean matrix of assignments -> (k,) statistics.
VectorisedStatistic = Callable[[FloatArray, BoolArray], FloatArray]
ScalarStatistic = Callable[[FloatArray, BoolArray], float]

# The statistics of a packed chunk of draws (and, for an interval, of the assignment itself).
_Evaluate = Callable[[PackedDraws], tuple[FloatArray, FloatArray | None]]
# A chunk of draws in two stages: the job (run on a thread pool) returns what finishes it.
_Job = Callable[[], Callable[[], PackedDraws]]

# Threads by default, at most: one drawing ahead while the caller corrects and sums, the
# larger share (see _evaluated); more drawing threads would only wait for the caller.
_MAX_WORKERS = 2


@dataclass(frozen=True)
class RandomisationResult:
    """Outcome of a randomisation test.

    Attributes
    ----------
    statistic : the statistic on the observed assignment.
    p_value : exact share of assignments at least as extreme (exact), or
        ``(1 + count) / (1 + draws)`` (Monte Carlo; Phipson & Smyth 2010, never zero).
    n_permutations : assignments evaluated (all of them when ``exact``).
    exact : True when every possible assignment was enumerated.
    mc_std_error : Monte-Carlo standard error of ``p_value`` (0 when exact).
    seed : seed of the generator (unused but recorded when exact).
    design, alternative : as requested.
    n_units : observations.
    n_clusters : clusters permuted (None unless a cluster design).
    n_blocks : blocks (1 when unblocked).
    null_mean, null_sd : mean and standard deviation of the randomisation distribution.
    """

    statistic: float
    p_value: float
    n_permutations: int
    exact: bool
    mc_std_error: float
    seed: int
    design: str
    alternative: str
    n_units: int
    n_clusters: int | None
    n_blocks: int
    null_mean: float
    null_sd: float
    conf_level: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return dict(json_ready(asdict(self)))

    def to_estimate(
        self, *, method: str = "randomisation_test", effect_measure: str = "mean_difference"
    ) -> EstimateResult:
        """The test as an EstimateResult: no standard error (NaN); the interval is the
        test-inverted one when it was computed, otherwise NaN."""
        nan = float("nan")
        return EstimateResult(
            estimate=self.statistic,
            std_error=nan,
            ci_low=nan if self.ci_low is None else self.ci_low,
            ci_high=nan if self.ci_high is None else self.ci_high,
            p_value=self.p_value,
            method=method,
            effect_measure=effect_measure,
            n_units=self.n_units,
            conf_level=self.conf_level if self.conf_level is not None else 0.95,
            n_clusters=self.n_clusters,
            df=None,
            assumptions=(
                "sharp null of no effect for any unit",
                f"re-randomisation follows the {self.design} design",
                *(
                    ("interval assumes a constant additive effect",)
                    if self.ci_low is not None
                    else ()
                ),
            ),
            extra={
                "n_permutations": self.n_permutations,
                "exact": self.exact,
                "mc_std_error": self.mc_std_error,
                "seed": self.seed,
                "alternative": self.alternative,
            },
        )


def difference_in_means_statistic(y: FloatArray, Z: BoolArray) -> FloatArray:
    """Difference in means, treated minus control, for every assignment at once.

    Parameters
    ----------
    y : outcome, shape ``(n,)``.
    Z : assignments, boolean ``(k, n)``; True = treated.

    Returns
    -------
    ``(k,)`` array of ``mean(y[Z_k]) - mean(y[~Z_k])``, from one einsum over the mask
    (Fisher 1935's statistic in vectorised form; usable as a ``vectorised`` statistic).
    """
    n1 = np.count_nonzero(Z, axis=1).astype(np.float64)
    s1 = np.einsum("kn,n->k", Z, y)
    n = y.shape[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(s1 / n1 - (y.sum() - s1) / (n - n1), dtype=np.float64)


def regression_adjusted_statistic(covariates: ArrayLike) -> VectorisedStatistic:
    """ANCOVA coefficient of treatment, ``y ~ 1 + T + W``, for many assignments at once.

    Parameters
    ----------
    covariates : pre-treatment covariates ``W`` (n x q), fixed under re-randomisation.

    Returns
    -------
    A statistic for :func:`randomisation_test` with ``vectorised=True``.

    Notes
    -----
    By Frisch–Waugh–Lovell the coefficient is ``z'M y / z'M z`` with ``M`` the residual maker
    of ``[1, W]``. Since ``M`` does not depend on the assignment, for a (k, n) mask ``Z``:
    numerator ``Z (M y)`` and denominator ``n_1 - P (W'W)^-1 P'`` with ``P = Z [1, W]`` —
    two einsums per chunk instead of k regressions (Rosenbaum, P. R. 2002 "Covariance
    adjustment in randomized experiments and observational studies", Stat Sci 17(3)).
    """
    W = np.asarray(covariates, dtype=np.float64)
    if W.ndim == 1:
        W = W[:, None]
    if W.ndim != 2 or not np.all(np.isfinite(W)):
        raise ValueError("covariates must be a finite (n, q) array")
    W1 = np.column_stack([np.ones(W.shape[0]), W])
    gram_inv = np.linalg.inv(W1.T @ W1)

    def stat(y: FloatArray, Z: BoolArray) -> FloatArray:
        if y.shape[0] != W1.shape[0]:
            raise ValueError("covariates and outcome have different lengths")
        resid_y = y - W1 @ (gram_inv @ (W1.T @ y))
        num = np.einsum("kn,n->k", Z, resid_y)
        P = np.einsum("kn,nq->kq", Z, W1)
        den = P[:, 0] - np.einsum("kq,qr,kr->k", P, gram_inv, P)  # P[:, 0] = n_1
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(num / den, dtype=np.float64)

    return stat


def count_assignments(block_sizes: ArrayLike, treated_per_block: ArrayLike) -> int:
    """Number of possible assignments of a (blocked) complete design.

    Parameters
    ----------
    block_sizes : units (or clusters) per block.
    treated_per_block : treated units (or clusters) per block.

    Returns
    -------
    ``prod_b C(n_b, m_b)`` as an exact integer (e.g. 10 councils, 5 treated: 252).
    """
    sizes = np.asarray(block_sizes, dtype=int)
    treated = np.asarray(treated_per_block, dtype=int)
    return math.prod(math.comb(int(a), int(b)) for a, b in zip(sizes, treated, strict=True))


def random_subsets(
    rng: np.random.Generator, k: int, n: int, m: int, *, small: int = SHUFFLE_AT_MOST
) -> BoolArray:
    """``k`` independent uniformly random subsets of size ``m`` from ``n``, as a (k, n) mask.

    Up to ``small`` units each row is a shuffle of ``m`` True labels; beyond that (where a
    shuffle costs ~20 ns per element) each row starts as a Bernoulli subset drawn from random
    bits, eight rows to a byte, and is corrected to exactly ``m`` by uniform additions or
    removals. Exchangeability makes the result exactly uniform over size-``m`` subsets: see
    ``infuse.stats._assignment_draws.draw_subsets`` for the argument.
    """
    if m < 0 or m > n:
        raise ValueError("subset size must be between 0 and n")
    if n <= small:
        return shuffled_subsets(rng, k, n, m)
    return unpack(draw_subsets(rng, k, n, m))


def randomisation_test(
    y: ArrayLike,
    assignment: ArrayLike,
    *,
    statistic: Literal["difference_in_means"] | VectorisedStatistic | ScalarStatistic = (
        "difference_in_means"
    ),
    vectorised: bool = False,
    design: Design = "complete",
    blocks: ArrayLike | None = None,
    clusters: ArrayLike | None = None,
    n_permutations: int = 10_000,
    max_exact: int = 100_000,
    seed: int = 0,
    alternative: Alternative = "two-sided",
    chunk_elements: int = 4_000_000,
    conf_level: float | None = None,
    workers: int | None = None,
) -> RandomisationResult:
    """Test the sharp null of no effect for any unit by re-running the randomisation.

    Parameters
    ----------
    y : outcome per unit, shape ``(n,)``.
    assignment : observed treatment per unit (0/1 or boolean).
    statistic : ``"difference_in_means"`` (vectorised built-in) or a function of
        ``(y, z)``. With ``vectorised=True`` it receives a ``(k, n)`` boolean matrix and returns
        ``k`` statistics; otherwise it receives one ``(n,)`` boolean vector and is looped over.
    vectorised : whether a custom ``statistic`` takes a matrix of assignments.
    design : ``"complete"``, ``"blocked"`` (permute within ``blocks``) or ``"cluster"``
        (permute whole ``clusters``, within ``blocks`` of clusters when given).
    blocks, clusters : per-unit labels as the design needs.
    n_permutations : Monte-Carlo draws when enumeration is too large.
    max_exact : enumerate every assignment when there are at most this many.
    seed : seed of the Monte-Carlo generator (stored on the result).
    alternative : ``"two-sided"`` (``|T| >= |t|``), ``"greater"`` or ``"less"``.
    chunk_elements : bound on ``draws x units`` in one chunk of draws. Random draws of a chunk
        are held as bits (eight draws to a byte; two such planes while drawing), so each chunk
        being evaluated needs about ``chunk_elements / 4`` bytes plus ``8 x units`` per
        bincount; enumerated assignments and custom statistics also hold the chunk as
        booleans (``chunk_elements`` bytes), as before.
    conf_level : if given (built-in difference in means only), also invert the test for a
        constant additive effect ``tau``: the interval holds every ``tau`` whose test of
        ``Y - tau Z`` is not rejected at ``1 - conf_level`` (Imbens & Rubin 2015, sec. 5.7).
        Linearity gives ``T_Z(y - tau z) = T_Z(y) - tau T_Z(z)`` on the same draws, so the
        endpoints are found by bisection on stored vectors, without re-permuting.
    workers : threads (default: the CPUs, at most 2); ``workers - 1`` of them draw chunks
        ahead while the calling thread finishes and evaluates them (statistics always run in
        the calling thread). Each chunk has its own seed, spawned from ``seed`` in chunk
        order, and chunks are evaluated in order, so the result depends neither on
        ``workers`` nor on thread timing.

    Returns
    -------
    RandomisationResult

    Notes
    -----
    Under the sharp null ``Y_i(1) = Y_i(0)`` the outcomes are fixed and only the assignment is
    random, so the p-value is ``P(T(Z) extreme as T(z_obs))`` over the design's assignments
    (Fisher, R. A. 1935 *The Design of Experiments*; Imbens, G. W. & Rubin, D. B. 2015 *Causal
    Inference for Statistics, Social, and Biomedical Sciences*, ch. 5). Monte-Carlo p-values
    use ``(1 + count) / (1 + B)`` so that the test stays exact at its level (Phipson, B. &
    Smyth, G. K. 2010 "Permutation p-values should never be zero", SAGMB 9(1)).
    Ties are counted as extreme (relative tolerance 1e-9).
    """
    yv = np.asarray(y, dtype=np.float64)
    if yv.ndim != 1:
        raise ValueError("y must be one-dimensional")
    if not np.all(np.isfinite(yv)):
        raise ValueError("y contains NaN or infinite values")
    n = yv.shape[0]
    z = as_assignment(assignment, n)
    if alternative not in ("two-sided", "greater", "less"):
        raise ValueError("alternative must be 'two-sided', 'greater' or 'less'")
    if n_permutations < 1 or max_exact < 0:
        raise ValueError("n_permutations must be positive and max_exact non-negative")
    layout = layout_of(z, design, blocks, clusters)
    if conf_level is not None:
        if not isinstance(statistic, str):
            raise ValueError("confidence intervals need the built-in difference in means")
        if not 0.0 < float(conf_level) < 1.0:
            raise ValueError("conf_level must be strictly between 0 and 1")
    evaluate = _evaluator(statistic, vectorised, yv, layout, z if conf_level is not None else None)
    observed = float(evaluate(pack_rows(layout.z_level[None, :]))[0][0])
    exact, jobs = _assignments(layout, max_exact, n_permutations, chunk_elements, seed)
    tally = Tally(observed, alternative, keep=conf_level is not None)
    threads = _default_workers() if workers is None else int(workers)
    if threads < 1:
        raise ValueError("workers must be at least 1")
    for t, b in _evaluated(jobs, evaluate, threads):
        tally.add(t, b)
    p_value, mc_se = tally.p_value(exact)
    mean, sd = tally.moments()
    ci_low = ci_high = None
    if conf_level is not None:
        ci_low, ci_high = invert_test(
            observed,
            np.concatenate(tally.stored_t),
            np.concatenate(tally.stored_b),
            1.0 - float(conf_level),
            exact,
            scale=max(sd, abs(observed), 1e-12),
        )
    return RandomisationResult(
        statistic=observed,
        p_value=p_value,
        n_permutations=tally.total,
        exact=exact,
        mc_std_error=mc_se,
        seed=int(seed),
        design=design,
        alternative=alternative,
        n_units=n,
        n_clusters=layout.n_clusters,
        n_blocks=len(layout.block_members),
        null_mean=mean,
        null_sd=sd,
        conf_level=conf_level,
        ci_low=ci_low,
        ci_high=ci_high,
    )


def _assignments(
    layout: Layout, max_exact: int, n_permutations: int, chunk_elements: int, seed: int
) -> tuple[bool, list[_Job]]:
    """Whether every assignment is enumerated (at most ``max_exact`` of them), and jobs that
    each produce one bounded chunk of the assignments (all of them, or ``n_permutations``
    seeded draws). Chunk ``i`` of the draws uses the ``i``-th seed spawned from ``seed``, so
    the draws do not depend on the order in which chunks are run."""
    sizes = [m.size for m in layout.block_members]
    treated = list(layout.block_treated)
    exact = log_count(sizes, treated) <= math.log(max_exact + 0.5) + 1e-9 and (
        count_assignments(sizes, treated) <= max_exact
    )
    chunk = max(1, chunk_elements // max(layout.z_level.shape[0], 1))
    if exact:
        return True, exact_draws(layout, chunk)
    starts = range(0, int(n_permutations), chunk)
    seeds = np.random.SeedSequence(seed).spawn(len(starts))
    return False, [
        functools.partial(random_draws, layout, min(chunk, int(n_permutations) - start), ss)
        for start, ss in zip(starts, seeds, strict=True)
    ]


def _default_workers() -> int:
    return max(1, min(_MAX_WORKERS, os.cpu_count() or 1))


def _evaluated(
    jobs: list[_Job], evaluate: _Evaluate, workers: int
) -> Iterator[tuple[FloatArray, FloatArray | None]]:
    """Each job's statistics, in job order.

    With ``workers > 1``, ``workers - 1`` threads run the jobs' first stage (random words,
    bitwise operations, popcounts) a few chunks ahead, while this thread finishes each chunk
    (size corrections) and evaluates it (bincounts). Why this split: numpy's ``bincount``
    holds the GIL while it counts and every short numpy call costs a GIL hand-over, so two
    threads that each ran whole chunks mostly waited for one another (benchmark, two CPUs:
    0.56-0.61 s against 0.61-0.64 s on one thread; 0.53 s with this split). At most
    ``2 x (workers - 1)`` started chunks wait at once.
    """
    if workers == 1 or len(jobs) == 1:
        for job in jobs:
            yield evaluate(job()())
        return
    ahead = 2 * (workers - 1)
    with ThreadPoolExecutor(max_workers=workers - 1) as pool:
        pending = collections.deque(pool.submit(job) for job in jobs[:ahead])
        for following in [*jobs[ahead:], *([None] * len(pending))]:
            finish = pending.popleft().result()
            if following is not None:
                pending.append(pool.submit(following))
            yield evaluate(finish())


def _evaluator(
    statistic: Literal["difference_in_means"] | VectorisedStatistic | ScalarStatistic,
    vectorised: bool,
    y: FloatArray,
    layout: Layout,
    z_for_interval: BoolArray | None,
) -> _Evaluate:
    """The statistic of each draw in a packed chunk (and, for a test-inverted interval, the
    difference in means of the assignment itself under each draw).

    The built-in difference in means works on per-level sums of the packed draws; a custom
    statistic sees unit assignments as a boolean matrix (clusters expanded to their units),
    vectorised or looped over draws.
    """
    if isinstance(statistic, str):
        if statistic != "difference_in_means":
            raise ValueError("the only built-in statistic is 'difference_in_means'")
        return _packed_difference_in_means(y, layout, z_for_interval)
    if not callable(statistic):
        raise TypeError("statistic must be 'difference_in_means' or a callable")
    stat_fn: VectorisedStatistic
    if vectorised:
        stat_fn = statistic  # type: ignore[assignment]
    else:
        scalar = statistic

        def stat_fn(yy: FloatArray, ZZ: BoolArray) -> FloatArray:
            # Arbitrary estimators cannot be vectorised by us; loop over draws.
            return np.array([float(scalar(yy, row)) for row in ZZ], dtype=np.float64)

    def evaluate(draws: PackedDraws) -> tuple[FloatArray, FloatArray | None]:
        Z_level = unpack(draws)
        Z_units = Z_level if layout.level_of_unit is None else Z_level[:, layout.level_of_unit]
        return np.asarray(stat_fn(y, Z_units), dtype=np.float64).reshape(-1), None

    return evaluate


def _packed_difference_in_means(y: FloatArray, layout: Layout, z: BoolArray | None) -> _Evaluate:
    """Difference in unit means of packed draws, from per-level sums (clusters or units).

    The outcome is centred first: the difference in means does not change when a constant is
    added to every outcome, and sums of centred values are far smaller than the outcome's
    level, so their float64 rounding (which depends on how the eight draws sharing a byte
    group the units) stays well inside the tie tolerance. ``z`` (for an interval: the
    statistic of the assignment itself under each draw) is 0/1, or treated units per cluster,
    so its sums are exact integers.
    """
    centred = y - y.mean()
    level_y = centred
    level_z = None if z is None else z.astype(np.float64)
    counts = None
    if layout.level_of_unit is not None:
        G = layout.z_level.shape[0]
        level_y = np.bincount(layout.level_of_unit, weights=centred, minlength=G)
        counts = np.bincount(layout.level_of_unit, minlength=G).astype(np.float64)
        if level_z is not None:
            level_z = np.bincount(layout.level_of_unit, weights=level_z, minlength=G)
    total_n = float(y.shape[0])
    fixed_n1 = float(layout.z_level.sum())

    def difference(sums: FloatArray, total: float, n1: FloatArray | float) -> FloatArray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(sums / n1 - (total - sums) / (total_n - n1), dtype=np.float64)

    # One weight per row: the outcome, then the assignment itself (interval), then the units
    # per level (clusters: the number treated varies from draw to draw).
    weights = np.vstack([w for w in (level_y, level_z, counts) if w is not None])
    totals = weights.sum(axis=1)

    def evaluate(draws: PackedDraws) -> tuple[FloatArray, FloatArray | None]:
        sums = row_sums(draws, weights)
        # Complete and blocked designs keep the number treated fixed in every draw.
        n1 = fixed_n1 if counts is None else sums[-1]
        t = difference(sums[0], float(totals[0]), n1)
        if level_z is None:
            return t, None
        return t, difference(sums[1], float(totals[1]), n1)

    return evaluate
