"""What importing something loads, seen from a fresh interpreter."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable

#: Libraries that cost hundreds of milliseconds and tens of megabytes to import: outside the
#: engine and the analytics layer (each lazy as a package), InFuSe names them through
#: ``infuse.core.lazy`` so only the code paths that use them load them.
HEAVY_LIBRARIES = frozenset(
    {
        "duckdb",
        "ibis",
        "numpy",
        "pandas",
        "pyarrow",
        "rdflib",
        "scipy",
        "sqlglot",
        "statsmodels",
        "weasyprint",
    }
)


def loaded_by(module: str, watched: Iterable[str]) -> list[str]:
    """Which of ``watched`` are in ``sys.modules`` after ``import module`` in a new process."""
    return loaded_after(f"import {module}", watched)


def loaded_after(code: str, watched: Iterable[str]) -> list[str]:
    """Which of ``watched`` are in ``sys.modules`` once ``code`` has run in a new process (the
    last line of the output names them, so ``code`` may print first)."""
    names = f"sorted({set(watched)!r} & set(sys.modules))"
    report = f"import sys; print(); print('loaded:' + ','.join({names}))"
    probe = f"{code}\n{report}"
    output = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    last = output.rstrip("\n").rpartition("\n")[2].removeprefix("loaded:")
    return last.split(",") if last else []
