"""Benchmark: ingest (convert + validate + profile) of a 1-million-row spend CSV.

Three pipelines on the same generated file (~100 MB, seeded), each run in a fresh child process
so that its peak RSS is its own:

* ``infuse``: ``convert_to_parquet`` (type inference, checked casts, atomic content-addressed
  Parquet) + ``validate_parquet`` against a declared schema + the column profile of
  ``infuse.analytics.profile``, as the ingest task runs them;
* ``duckdb``: DuckDB's own ``COPY (SELECT * FROM read_csv(file)) TO 'x.parquet'`` (sniffed
  types, default settings), the baseline the aim is stated against (at most 1.5x);
* ``pandas``: ``pandas.read_csv`` (day-first dates parsed) + ``DataFrame.to_parquet`` (pyarrow).

Rounds are interleaved and the best time of each pipeline is reported (the machine is shared;
best-of is the least noisy estimate of the cost itself). Row counts and the amount total are
checked to agree across the three. Never asserts absolute times.

Run: ``.venv/bin/python bench/datalab_ingest.py [rows] [rounds]``
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

SCHEMA: dict[str, Any] = {
    "fields": [
        {"name": "Payment Date", "type": "date", "constraints": {"required": True}},
        {"name": "Transaction Number", "type": "string", "constraints": {"required": True}},
        {"name": "Amount", "type": "number", "constraints": {"minimum": 0}},
        {"name": "Organisational Unit", "type": "string"},
        {"name": "Beneficiary Name", "type": "string"},
        {"name": "Company Number", "type": "string", "constraints": {"pattern": "[0-9]{8}"}},
        {
            "name": "Expense Type",
            "type": "string",
            "constraints": {"enum": ["Supplies and Services", "Third Party Payments"]},
        },
    ],
    "primaryKey": "Transaction Number",
}


def generate(path: Path, rows: int, seed: int = 20261129) -> None:
    """A spend-over-£500 file shaped like the processed council files (Bradford, Salford)."""
    rng = np.random.default_rng(seed)
    units = [
        "Adult Social Care",
        "Children's Services",
        "Highways & Transport",
        "Waste Management",
        "Housing Services",
        "Education",
        "Corporate Services",
        "Leisure & Culture",
    ]
    suppliers = [f"Supplier {i:05d} Ltd" for i in range(5000)]
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(
            "Payment Date,Transaction Number,Amount,Organisational Unit,Beneficiary Name,"
            "Company Number,Expense Type\n"
        )
        for start in range(0, rows, 100_000):
            n = min(100_000, rows - start)
            day = rng.integers(1, 29, n)
            month = rng.integers(1, 13, n)
            year = rng.integers(2015, 2025, n)
            amount = rng.lognormal(7.5, 1.2, n).round(2) + 500
            unit = rng.integers(0, len(units), n)
            supplier = rng.integers(0, len(suppliers), n)
            company = rng.integers(0, 99_999_999, n)
            has_company = rng.random(n) < 0.6
            handle.writelines(
                f"{day[i]:02d}/{month[i]:02d}/{year[i]},TX{start + i:09d},{amount[i]:.2f},"
                f"{units[unit[i]]},{suppliers[supplier[i]]},"
                f"{f'{company[i]:08d}' if has_company[i] else ''},"
                f"{'Supplies and Services' if i % 3 else 'Third Party Payments'}\n"
                for i in range(n)
            )


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def child(pipeline: str, source: Path, out: Path) -> dict[str, Any]:
    """Run one pipeline once in this process; report seconds, stages and peak RSS growth."""
    import duckdb

    from infuse.analytics.connection import open_duckdb
    from infuse.analytics.profile import profile_parquet
    from infuse.datalab.ingest.convert import convert_to_parquet
    from infuse.datalab.ingest.validation import validate_parquet

    if pipeline == "pandas":
        import pandas as pd
    out.mkdir(parents=True, exist_ok=True)
    rss_before = _peak_rss()
    stages: dict[str, float] = {}
    start = time.perf_counter()
    if pipeline == "infuse":
        result = convert_to_parquet(source, out)
        stages["convert"] = time.perf_counter() - start
        report = validate_parquet(result.path, SCHEMA)
        stages["validate"] = time.perf_counter() - start - stages["convert"]
        # The ingest task's own profile: Ibis on DuckDB under the ingest's memory limit.
        profile = profile_parquet(Path(result.path), con=open_duckdb(memory_limit="512MB"))
        stages["profile"] = time.perf_counter() - start - stages["convert"] - stages["validate"]
        assert report.is_valid, report.groups
        assert len(profile.columns) == 7
        parquet = result.path
    elif pipeline == "duckdb":
        parquet = out / "duckdb.parquet"
        duckdb.connect().execute(
            f"COPY (SELECT * FROM read_csv('{source}')) TO '{parquet}' (FORMAT parquet)"
        )
    else:
        frame = pd.read_csv(
            source, parse_dates=["Payment Date"], dayfirst=True, dtype={"Company Number": "string"}
        )
        parquet = out / "pandas.parquet"
        frame.to_parquet(parquet, engine="pyarrow", index=False)
    seconds = time.perf_counter() - start
    check = (
        duckdb.connect()
        .execute(
            f'SELECT count(*), round(sum(Amount), 2), min("Payment Date")::DATE::VARCHAR '
            f"FROM read_parquet('{parquet}')"
        )
        .fetchone()
    )
    assert check is not None
    return {
        "pipeline": pipeline,
        "seconds": seconds,
        "stages": stages,
        "rss_growth": _peak_rss() - rss_before,
        "rows": int(check[0]),
        "amount_total": float(check[1]),
        "first_date": check[2],
        "parquet_bytes": parquet.stat().st_size,
    }


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    import duckdb
    import pandas as pd

    with tempfile.TemporaryDirectory(prefix="datalab-bench-") as scratch:
        source = Path(scratch) / "spend.csv"
        generate(source, rows)
        size = source.stat().st_size
        load = os.getloadavg()[0]
        runs: dict[str, list[dict[str, Any]]] = {"infuse": [], "duckdb": [], "pandas": []}
        for round_number in range(rounds):
            for pipeline in runs:
                out = Path(scratch) / f"{pipeline}-{round_number}"
                completed = subprocess.run(
                    [sys.executable, __file__, "--child", pipeline, str(source), str(out)],
                    capture_output=True,
                    text=True,
                    check=True,
                    cwd=Path(__file__).resolve().parents[1],
                )
                runs[pipeline].append(json.loads(completed.stdout.strip().splitlines()[-1]))
        best = {name: min(found, key=lambda run: run["seconds"]) for name, found in runs.items()}
        reference = best["duckdb"]
        for name, run in best.items():
            assert run["rows"] == rows, (name, run["rows"])
            assert abs(run["amount_total"] - reference["amount_total"]) < 0.01, name
            assert run["first_date"] == reference["first_date"], name

        def mib(value: float) -> str:
            return f"{value / 2**20:7.0f} MiB"

        stages = best["infuse"]["stages"]
        ours, native, pandas_run = best["infuse"], reference, best["pandas"]
        lines = [
            f"datalab_ingest: {rows:,} rows, {size / 2**20:.0f} MiB CSV, best of {rounds} "
            f"(load average {load:.1f}; duckdb {duckdb.__version__}, pandas {pd.__version__})",
            f"  infuse convert + validate + profile {ours['seconds']:8.2f} s  (convert "
            f"{stages['convert']:.2f}, validate {stages['validate']:.2f}, profile "
            f"{stages['profile']:.2f})  peak RSS growth {mib(ours['rss_growth'])}",
            f"  infuse convert only                 {stages['convert']:8.2f} s",
            f"  duckdb read_csv -> parquet          {native['seconds']:8.2f} s"
            f"  peak RSS growth {mib(native['rss_growth'])}",
            f"  pandas read_csv + to_parquet        {pandas_run['seconds']:8.2f} s"
            f"  peak RSS growth {mib(pandas_run['rss_growth'])}",
            f"  ratio infuse (all) / duckdb         {ours['seconds'] / native['seconds']:8.2f}x",
            f"  ratio infuse convert / duckdb       {stages['convert'] / native['seconds']:8.2f}x",
            f"  ratio pandas / infuse (all)  {pandas_run['seconds'] / ours['seconds']:15.2f}x",
            f"  parquet size: infuse {mib(ours['parquet_bytes'])} (zstd), duckdb "
            f"{mib(native['parquet_bytes'])} (snappy), pandas {mib(pandas_run['parquet_bytes'])}",
            "  every round (s): "
            + "; ".join(
                f"{name} " + ", ".join(f"{run['seconds']:.2f}" for run in found)
                for name, found in runs.items()
            ),
        ]
        print("\n".join(lines))


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))))
    else:
        main()
