"""Importing OCDS releases in bounded memory, against reading the same file with a plain
``json`` loop.

A release package of ``--releases`` releases (default 100,000) is made from the 201 shared
Contracts Finder releases, each copy under its own ocid and id (about 300 MB at 100,000). Each
variant runs in a fresh process, which reports its peak resident memory (``ru_maxrss``) and
time:

- ``json.load``: the whole package loaded, then a loop over its releases;
- ``stream``: the platform's reader (ijson over the file), the same loop;
- ``import``: the platform's whole import into a new SQLite database — store, compile per ocid,
  compute every red flag — with its progress reported.

Prints the figures and the ratios against ``json.load``. Never asserts.

Usage: .venv/bin/python bench/ocds_import.py [--releases 100000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "ocds" / "contracts-finder" / "releases.jsonl"
CHILD = "INFUSE_BENCH_OCDS_VARIANT"


def generate(path: Path, count: int) -> None:
    """A release package of ``count`` releases, written as it is made (never all in memory)."""
    base = [json.loads(line) for line in SHARED.read_text(encoding="utf-8").splitlines()]
    with path.open("w", encoding="utf-8") as handle:
        handle.write('{"uri": "bench", "version": "1.1", "releases": [\n')
        for index in range(count):
            release = dict(base[index % len(base)])
            copy = index // len(base)
            release["ocid"] = f"{release['ocid']}-{copy}"
            release["id"] = f"{release['id']}-{copy}"
            handle.write(("," if index else "") + json.dumps(release) + "\n")
        handle.write("]}\n")


def child(variant: str, path: Path) -> None:
    started = time.perf_counter()
    count = 0
    if variant == "json.load":
        with path.open("rb") as handle:
            for _release in json.load(handle)["releases"]:
                count += 1
    elif variant == "stream":
        sys.path.insert(0, str(ROOT))
        from infuse.procurement.redflags import reading

        refusals = reading.Refusals()
        with path.open("rb") as handle:
            for _release in reading.releases(handle, path.name, refusals):
                count += 1
    else:
        count, started = _import(path)  # the clock starts after set-up (migrations)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"count": count, "seconds": seconds, "peak_mb": peak_mb}))


def _import(path: Path) -> tuple[int, float]:
    sys.path.insert(0, str(ROOT))
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "infuse.settings")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from infuse.core import services as core
    from infuse.core.models import Organisation, Person
    from infuse.procurement.redflags import services

    person = Person.objects.create_user(email="bench@example.invalid")
    core.grant_membership(
        actor=None,
        person=person,
        organisation=Organisation.objects.get(slug="newport"),
        role="procurement_officer",
    )
    size = path.stat().st_size
    reported = []
    started = time.perf_counter()
    with path.open("rb") as handle:
        summary = services.import_releases(
            actor=person, stream=handle, name=path.name, advance=lambda done: reported.append(done)
        )
    print(
        f"  progress reported {len(reported)} times, last at {reported[-1] / size:.0%} of the file",
        file=sys.stderr,
    )
    return summary.releases, started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--releases", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="infuse-bench-ocds-") as directory:
        path = Path(directory) / "package.json"
        generate(path, args.releases)
        print(
            f"ocds_import: {args.releases:,} releases, {path.stat().st_size / 1e6:,.0f} MB "
            "release package, one process per variant"
        )
        results = {}
        for variant in ("json.load", "stream", "import"):
            env = {**os.environ, CHILD: variant, "INFUSE_VAR_DIR": str(Path(directory) / "var")}
            done = subprocess.run(
                [sys.executable, __file__, str(path)], env=env, capture_output=True, text=True
            )
            if done.returncode:
                print(done.stderr[-2000:])
                raise SystemExit(done.returncode)
            sys.stderr.write(done.stderr)
            results[variant] = json.loads(done.stdout.strip().splitlines()[-1])
            found = results[variant]
            print(
                f"  {variant:10} {found['count']:>9,} releases  "
                f"peak memory {found['peak_mb']:7,.0f} MB  {found['seconds']:7.1f} s"
            )
        plain = results["json.load"]
        for variant in ("stream", "import"):
            found = results[variant]
            print(
                f"  ratio {variant} / json.load   memory {found['peak_mb'] / plain['peak_mb']:.2f}x"
                f"   time {found['seconds'] / plain['seconds']:.2f}x"
            )


if __name__ == "__main__":
    if os.environ.get(CHILD):
        child(os.environ[CHILD], Path(sys.argv[1]))
    else:
        main()
