"""Benchmark: randomisation inference, 10,000 permutations on 100,000 rows.

The engine (``randomisation_test`` with its default arguments: chunks of draws held as bits,
eight draws to a byte, each draw an exactly uniform subset from random bits plus uniform size
corrections, the difference in means from weighted bincounts of the bytes, per-chunk seeds, a
second thread drawing chunks ahead) against a plain Python loop that permutes the assignment with
``numpy.random.Generator.permutation`` and recomputes the difference in means, one permutation
at a time. The loop runs a subset of the permutations and its time is scaled to 10,000 (stated
in the output). The engine is also timed on one thread, and its CPU time is shown, so that a
busy machine (where the threads cannot both run) shows as such. Both p-values are compared:
they use different random streams, so they must agree within Monte-Carlo error, not exactly.

Run: ``.venv/bin/python bench/stats_randomisation_inference.py [n_rows] [n_permutations]``
"""

from __future__ import annotations

import math
import os
import sys
import time

import numpy as np

from infuse.stats.inference import RandomisationResult, randomisation_test


def _timed_engine(
    y: np.ndarray, z: np.ndarray, n_perm: int, workers: int | None
) -> tuple[RandomisationResult, float, float]:
    start, cpu = time.perf_counter(), time.process_time()
    res = randomisation_test(y, z, n_permutations=n_perm, seed=1, workers=workers)
    return res, time.perf_counter() - start, time.process_time() - cpu


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    n_perm = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    loop_perm = max(n_perm // 10, 1)
    rng = np.random.default_rng(20261129)
    z = rng.permutation(np.arange(n) < n * 2 // 5)  # 40% treated
    y = rng.normal(size=n) + 0.01 * z

    res, t_engine, cpu_engine = _timed_engine(y, z, n_perm, None)
    one, t_one, cpu_one = _timed_engine(y, z, n_perm, 1)
    assert one.to_dict() == res.to_dict()  # the result does not depend on the threads

    # Plain Python loop baseline.
    loop_rng = np.random.default_rng(2)
    observed = y[z].mean() - y[~z].mean()
    count = 0
    start = time.perf_counter()
    for _ in range(loop_perm):
        zp = loop_rng.permutation(z)
        count += abs(y[zp].mean() - y[~zp].mean()) >= abs(observed)
    t_loop = (time.perf_counter() - start) * (n_perm / loop_perm)
    p_loop = (count + 1) / (loop_perm + 1)
    se_joint = math.sqrt(res.p_value * (1 - res.p_value) * (1 / n_perm + 1 / loop_perm))

    assert abs(res.statistic - observed) < 1e-12
    assert abs(res.p_value - p_loop) < 5 * se_joint + 1e-3, (res.p_value, p_loop)

    print(
        f"stats_randomisation_inference: {n:,} rows, {n_perm:,} permutations, difference in means"
    )
    print(f"  CPUs                    {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}")
    print(f"  engine p-value          {res.p_value:.4f} (MC SE {res.mc_std_error:.4f})")
    print(f"  loop p-value            {p_loop:.4f} ({loop_perm:,} permutations)")
    print(f"  engine (default)        {t_engine * 1e3:9.1f} ms (CPU {cpu_engine * 1e3:.1f} ms)")
    print(f"  engine (1 thread)       {t_one * 1e3:9.1f} ms (CPU {cpu_one * 1e3:.1f} ms)")
    print(
        f"  plain Python loop       {t_loop * 1e3:9.1f} ms "
        f"({loop_perm:,} permutations timed, scaled to {n_perm:,})"
    )
    print(f"  ratio loop / engine     {t_loop / t_engine:9.1f}x (1 thread {t_loop / t_one:.1f}x)")


if __name__ == "__main__":
    main()
