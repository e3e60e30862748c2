"""What importing something loads, seen from a fresh interpreter."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable


def loaded_by(module: str, watched: Iterable[str]) -> list[str]:
    """Which of ``watched`` are in ``sys.modules`` after ``import module`` in a new process."""
    probe = f"import sys, {module}; print(','.join(sorted({set(watched)!r} & set(sys.modules))))"
    output = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    return output.split(",") if output else []
