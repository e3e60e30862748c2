"""Ingest as a person runs it: ``infuse data ingest`` as a whole process, against DuckDB and pandas.

The issue's measure is the whole process, because that is what someone waits for: the
interpreter, the imports, Django's set-up, storing the raw file by its hash, the conversion in
the sandbox, the check against the declared schema, the profile and the version row. The
baselines are whole processes too, on the same generated spend file (``datalab_ingest.generate``,
seeded):

- ``duckdb``: ``python -c`` importing DuckDB and running ``COPY (SELECT * FROM read_csv(file))
  TO 'x.parquet'`` (sniffed types, default settings) — the target is at most 1.5x it at 1M rows
  and 1.3x at 5M;
- ``pandas``: ``pandas.read_csv`` (day-first dates parsed) + ``DataFrame.to_parquet`` — the target
  is at least 3x faster than it.

Every round ingests into a dataset of its own (a second ingest of the same bytes into one dataset
is, rightly, "nothing changed"), each with the declared schema of ``datalab_ingest``. Rounds are
interleaved; the median of each pipeline is printed with the ratios. Never asserts times.

Usage: .venv/bin/python bench/ingest.py [--rows 1000000 5000000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from datalab_ingest import SCHEMA, generate

INFUSE = [sys.executable, "-m", "infuse.cli"]
PERSON = "analyst@infuse.example"

DATASETS = """
import json
from infuse.core.models import Organisation, Person
from infuse.core.permissions import data_organisations
from infuse.datalab.models import Dataset
person = Person.objects.get(email={person!r})
publisher = Organisation.objects.get(pk=min(data_organisations(person)))
for slug in {slugs!r}:
    Dataset.objects.create(
        slug=slug, title="Bench " + slug, publisher=publisher, created_by=person,
        declared_schema=json.loads({schema!r}),
    )
"""

DUCKDB = """
import sys, duckdb
duckdb.connect().execute(
    f"COPY (SELECT * FROM read_csv('{sys.argv[1]}')) TO '{sys.argv[2]}' (FORMAT parquet)"
)
"""

PANDAS = """
import sys, pandas as pd
frame = pd.read_csv(
    sys.argv[1], parse_dates=["Payment Date"], dayfirst=True, dtype={"Company Number": "string"}
)
frame.to_parquet(sys.argv[2], engine="pyarrow", index=False)
"""


def _timed(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    took = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return took, done.stdout


def _setup(env: dict[str, str]) -> None:
    """A migrated database with the demo region (its analyst publishes datasets)."""
    subprocess.run([*INFUSE, "migrate", "--no-input"], env=env, check=True, capture_output=True)
    subprocess.run([*INFUSE, "demo"], env=env, check=True, capture_output=True)


def _measure(rows: int, rounds: int, var: Path, env: dict[str, str]) -> dict[str, list[float]]:
    source = var / f"spend-{rows}.csv"
    generate(source, rows)
    slugs = [f"bench-{rows}-{n}" for n in range(rounds)]
    script = DATASETS.format(person=PERSON, slugs=slugs, schema=json.dumps(SCHEMA))
    subprocess.run([*INFUSE, "shell", "-c", script], env=env, check=True, capture_output=True)
    seconds: dict[str, list[float]] = {"infuse": [], "duckdb": [], "pandas": []}
    for number, slug in enumerate(slugs):
        took, out = _timed(
            [*INFUSE, "data", "ingest", str(source), "--dataset", slug, "--as", PERSON], env
        )
        if f"{rows} rows" not in out:
            raise SystemExit(f"infuse did not report {rows} rows:\n{out}")
        seconds["infuse"].append(took)
        out_file = var / f"baseline-{rows}-{number}.parquet"
        for name, script_text in (("duckdb", DUCKDB), ("pandas", PANDAS)):
            took, _ = _timed([sys.executable, "-c", script_text, str(source), str(out_file)], env)
            seconds[name].append(took)
            out_file.unlink()
    source.unlink()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 5_000_000])
    parser.add_argument("--rounds", type=int, default=5)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as scratch:
        var = Path(scratch)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("INFUSE_", "DJANGO_"))}
        env["INFUSE_VAR_DIR"] = str(var)
        _setup(env)
        load = os.getloadavg()[0]
        print(
            f"ingest: whole processes, median of {arguments.rounds} interleaved rounds "
            f"(load average {load:.1f})"
        )
        for rows in arguments.rows:
            seconds = _measure(rows, arguments.rounds, var, env)
            median = {name: statistics.median(values) for name, values in seconds.items()}
            print(f"  {rows:,} rows")
            for name, value in median.items():
                every = ", ".join(f"{v:.2f}" for v in seconds[name])
                print(f"    {name:<8} {value:7.2f} s   (rounds: {every})")
            print(f"    ratio infuse / duckdb   {median['infuse'] / median['duckdb']:6.2f}x")
            print(f"    ratio pandas / infuse   {median['pandas'] / median['infuse']:6.2f}x")


if __name__ == "__main__":
    main()
