"""Benchmark: ITT and CUPED with confidence intervals on 10 million rows.

The engine (``difference_in_means`` with Welch variance and ``cuped_effect`` with HC2, both
from per-arm sums) against statsmodels OLS on the same arrays (``y ~ 1 + T`` and
``y ~ 1 + T + pre`` with ``cov_type="HC2"``), in one process. Asserts the same estimates and
standard errors to 1e-8 (relative) and prints the time ratio. Never asserts absolute times.

Run: ``.venv/bin/python bench/stats_itt_cuped.py [n_rows]``
"""

from __future__ import annotations

import sys
import time

import numpy as np
import statsmodels.api as sm

from infuse.stats import cuped_effect, difference_in_means


def _best_of(fn, repeats: int):  # type: ignore[no-untyped-def]
    best = float("inf")
    out = None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000
    rng = np.random.default_rng(20261129)
    z = rng.random(n) < 0.5
    pre = rng.gamma(2.0, 50.0, n)
    y = 20.0 + 1.5 * z + 0.8 * pre + rng.normal(0.0, 30.0, n)
    zf = z.astype(np.float64)

    def engine():  # type: ignore[no-untyped-def]
        return difference_in_means(y, z), cuped_effect(y, z, pre, se_type="HC2")

    def baseline():  # type: ignore[no-untyped-def]
        itt = sm.OLS(y, np.column_stack([np.ones(n), zf])).fit(cov_type="HC2", use_t=True)
        cup = sm.OLS(y, np.column_stack([np.ones(n), zf, pre])).fit(cov_type="HC2", use_t=True)
        return itt, cup

    t_engine, (itt, cup) = _best_of(engine, 3)
    t_base, (ref_itt, ref_cup) = _best_of(baseline, 2)

    checks = {
        "ITT estimate": (itt.estimate, ref_itt.params[1]),
        "ITT std error": (itt.std_error, ref_itt.bse[1]),
        "CUPED estimate": (cup.estimate, ref_cup.params[1]),
        "CUPED std error": (cup.std_error, ref_cup.bse[1]),
        "CUPED ci low": (cup.ci_low, ref_cup.conf_int()[1, 0]),
        "CUPED ci high": (cup.ci_high, ref_cup.conf_int()[1, 1]),
    }
    worst = 0.0
    for name, (ours, theirs) in checks.items():
        rel = abs(ours - theirs) / abs(theirs)
        worst = max(worst, rel)
        assert rel < 1e-8, (name, ours, theirs, rel)

    print(f"stats_itt_cuped: {n:,} rows, Welch ITT + CUPED (HC2) with 95% CI")
    print(
        f"  ITT   {itt.estimate:.6f}  SE {itt.std_error:.6f}  "
        f"CI [{itt.ci_low:.4f}, {itt.ci_high:.4f}]"
    )
    print(
        f"  CUPED {cup.estimate:.6f}  SE {cup.std_error:.6f}  CI [{cup.ci_low:.4f}, "
        f"{cup.ci_high:.4f}]  variance reduction {cup.extra['variance_reduction']:.1%}"
    )
    print(f"  max relative difference vs statsmodels  {worst:.2e} (asserted < 1e-8)")
    print(f"  engine (best of 3)                      {t_engine * 1e3:9.1f} ms")
    print(f"  statsmodels OLS HC2, both (best of 2)   {t_base * 1e3:9.1f} ms")
    print(f"  ratio statsmodels / engine              {t_base / t_engine:9.1f}x")


if __name__ == "__main__":
    main()
