"""ITT and CUPED on 10 million rows as whole processes: the engine's against statsmodels'.

bench/stats_itt_cuped.py times the estimators inside one warm process; an analyst running a
script pays the interpreter, the imports and reading the data as well. Here one seeded data set
is written once (one uncompressed ``.npy`` per column, which numpy reads at disk speed for both
sides), then three scripts run as separate processes, in interleaved rounds so a noisy machine
slows all of them alike; each round alternates which of the two contenders goes first:

- the engine: ``infuse.stats.difference_in_means`` (Welch) and ``cuped_effect`` (HC2);
- statsmodels: ``OLS`` of ``y ~ 1 + T`` and ``y ~ 1 + T + pre`` with ``cov_type="HC2"``
  (arrays, not formulas, and the one module that defines OLS rather than ``statsmodels.api``:
  the quickest way statsmodels offers, so the ratio is not flattered);
- the floor: Python and numpy reading the three columns and nothing else.

Each prints both effects with their standard errors and 95% intervals; the bench checks that the
two contenders agree on every estimate and standard error (relative 1e-8) and on the CUPED
interval (both use t with n - 3 df; the engine's ITT interval uses Welch's df, statsmodels'
n - 2), then prints the median wall time of each and the ratios. It never asserts times.

Usage: .venv/bin/python bench/itt.py [--rounds 5] [--rows 10000000]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

COLUMNS = ("y", "treated", "pre")
LOAD = """
import json, sys
import numpy as np
y, treated, pre = (np.load(f"{sys.argv[1]}/{name}.npy") for name in ("y", "treated", "pre"))
"""
ENGINE = (
    LOAD
    + """
from infuse.stats import cuped_effect, difference_in_means
itt = difference_in_means(y, treated, variance="welch")
cuped = cuped_effect(y, treated, pre, se_type="HC2")
print(json.dumps({
    name: [r.estimate, r.std_error, r.ci_low, r.ci_high]
    for name, r in (("itt", itt), ("cuped", cuped))
}))
"""
)
STATSMODELS = (
    LOAD
    + """
from statsmodels.regression.linear_model import OLS
t = treated.astype(np.float64)
ones = np.ones(y.shape[0])
itt = OLS(y, np.column_stack([ones, t])).fit(cov_type="HC2", use_t=True)
cuped = OLS(y, np.column_stack([ones, t, pre])).fit(cov_type="HC2", use_t=True)
print(json.dumps({
    name: [float(f.params[1]), float(f.bse[1]), *map(float, f.conf_int()[1])]
    for name, f in (("itt", itt), ("cuped", cuped))
}))
"""
)
FLOOR = LOAD + "print(json.dumps({'rows': y.shape[0]}))\n"

#: (what, effect, index in the printed list) the two contenders must agree on to 1e-8.
AGREEMENT = (
    ("ITT estimate", "itt", 0),
    ("ITT std error", "itt", 1),
    ("CUPED estimate", "cuped", 0),
    ("CUPED std error", "cuped", 1),
    ("CUPED ci low", "cuped", 2),
    ("CUPED ci high", "cuped", 3),
)


def write_data(folder: Path, rows: int) -> None:
    """The data set of bench/stats_itt_cuped.py (same seed and model), one file per column."""
    rng = np.random.default_rng(20261129)
    treated = rng.random(rows) < 0.5
    pre = rng.gamma(2.0, 50.0, rows)
    y = 20.0 + 1.5 * treated + 0.8 * pre + rng.normal(0.0, 30.0, rows)
    for name, column in zip(COLUMNS, (y, treated, pre), strict=True):
        np.save(folder / f"{name}.npy", column)


def timed(script: str, folder: Path) -> tuple[float, dict[str, list[float]]]:
    """Wall time of ``python -c script folder`` and the JSON on its last line."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", script, str(folder)], capture_output=True, text=True, check=True
    )
    took = time.perf_counter() - started
    return took, json.loads(done.stdout.strip().splitlines()[-1])


def worst_disagreement(ours: dict[str, list[float]], theirs: dict[str, list[float]]) -> float:
    """The largest relative difference over :data:`AGREEMENT`; stops the bench above 1e-8."""
    worst = 0.0
    for what, effect, index in AGREEMENT:
        a, b = ours[effect][index], theirs[effect][index]
        relative = abs(a - b) / abs(b)
        if not relative < 1e-8:
            raise SystemExit(f"{what}: engine {a!r}, statsmodels {b!r} (relative {relative:.1e})")
        worst = max(worst, relative)
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (default 5)")
    parser.add_argument("--rows", type=int, default=10_000_000)
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    scripts = {"engine": ENGINE, "statsmodels": STATSMODELS, "floor": FLOOR}
    seconds: dict[str, list[float]] = {name: [] for name in scripts}
    worst = 0.0
    printed: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_data(folder, args.rows)
        for round_ in range(args.rounds):
            contenders = ["engine", "statsmodels"] if round_ % 2 == 0 else ["statsmodels", "engine"]
            for name in [*contenders, "floor"]:
                took, printed[name] = timed(scripts[name], folder)
                seconds[name].append(took)
            worst = max(worst, worst_disagreement(printed["engine"], printed["statsmodels"]))
    median = {name: statistics.median(values) for name, values in seconds.items()}
    print(f"itt: whole processes, {args.rows:,} rows, median of {args.rounds} interleaved rounds")
    for name, label in (("itt", "ITT  "), ("cuped", "CUPED")):
        for who in ("engine", "statsmodels"):
            estimate, se, low, high = printed[who][name]
            print(f"  {label} {who:<12} {estimate:.6f}  SE {se:.6f}  CI [{low:.6f}, {high:.6f}]")
    print(f"  max relative difference, engine vs statsmodels  {worst:.1e} (must be < 1e-8)")
    for name, label in (
        ("engine", "engine: import, load, ITT + CUPED"),
        ("statsmodels", "statsmodels: import, load, 2 OLS HC2"),
        ("floor", "floor: python + numpy, load"),
    ):
        print(f"  {label:<40} {median[name] * 1000:8.0f} ms")
    print(f"  ratio statsmodels / engine  {median['statsmodels'] / median['engine']:6.2f}x")
    print(f"  ratio engine / floor        {median['engine'] / median['floor']:6.2f}x")


if __name__ == "__main__":
    main()
