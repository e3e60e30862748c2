"""A wide file's conversion against the sandbox's memory cap: address space, the cap's measure.

The sandbox caps an ingest's address space (``RLIMIT_AS``, 2 GB). DuckDB planned each column's
missing-marker test ``t IN ('', '.', '..', …)`` as a join with its own hash table, which reserves
address space per column: the 35-column emissions file reached 3.9 GB and was stopped. The
conversion now tests ``list_contains([…], t)``. This benchmark converts a generated file of
``--columns`` text-and-number columns (6,000 rows) in a fresh process per variant — the current
code, and the same code with the old ``IN`` test put back — and prints each one's peak address
space (``VmPeak``) and time, with the ratios. Never asserts.

Usage: .venv/bin/python bench/ingest_wide.py [--columns 40] [--rows 6000]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = "INFUSE_BENCH_WIDE_VARIANT"


def generate(path: Path, columns: int, rows: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["area", *(f"measure {i}" for i in range(columns - 1))])
        for row in range(rows):
            values = [
                ".." if (row + i) % 17 == 0 else str((row * 7 + i) % 1000)
                for i in range(columns - 1)
            ]
            writer.writerow([f"area {row % 400}", *values])


def child(path: Path, variant: str) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "infuse.settings")
    django.setup()
    from infuse.analytics.quoting import quote_list
    from infuse.datalab.ingest import inference
    from infuse.datalab.ingest.convert import convert_to_parquet
    from infuse.datalab.ingest.sources import ReadOptions

    if variant == "in":  # the test as it was: one IN list per column
        current = inference.with_values

        def with_in(prepared, options, text_columns, source, trim=None):  # type: ignore[no-untyped-def]
            sql = current(prepared, options, text_columns, source, trim)
            listed = quote_list(options.missing_values)
            for c in text_columns:
                sql = sql.replace(
                    f"list_contains({inference.quote_array(options.missing_values)}, t_{c})",
                    f"t_{c} IN {listed}",
                )
            return sql

        inference.with_values = with_in
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as out:
        convert_to_parquet(path, Path(out), options=ReadOptions())
    seconds = time.perf_counter() - started
    status = Path("/proc/self/status").read_text(encoding="utf-8").splitlines()
    peak = next(int(line.split()[1]) for line in status if line.startswith("VmPeak"))
    print(json.dumps({"seconds": seconds, "peak_mb": peak // 1024}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--columns", type=int, default=40)
    parser.add_argument("--rows", type=int, default=6000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "wide.csv"
        generate(path, args.columns, args.rows)
        results = {}
        for variant in ("in", "list_contains"):
            done = subprocess.run(
                [sys.executable, __file__, str(path)],
                env={**os.environ, CHILD: variant, "INFUSE_VAR_DIR": work},
                capture_output=True,
                text=True,
                check=True,
            )
            results[variant] = json.loads(done.stdout.strip().splitlines()[-1])
    base, now = results["in"], results["list_contains"]
    print(f"ingest_wide: {args.columns} columns, {args.rows:,} rows, one process per variant")
    for label, result in (("IN list per column ", base), ("list_contains (now)", now)):
        print(
            f"  {label}   peak address space {result['peak_mb']:>6} MB  {result['seconds']:.2f} s"
        )
    print(f"  ratio address space IN / now   {base['peak_mb'] / now['peak_mb']:.1f}x")
    print(f"  ratio time now / IN            {now['seconds'] / base['seconds']:.2f}x")


if __name__ == "__main__":
    if os.environ.get(CHILD):
        child(Path(sys.argv[1]), os.environ[CHILD])
    else:
        main()
