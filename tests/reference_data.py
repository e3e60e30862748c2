"""The reference data of ``../shared/data`` (read-only, never copied into the repository)."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def shared(relative: str) -> Path:
    """A reference file by its path under ``shared/data``; the test fails, naming it, when the
    file is missing (CI always has it)."""
    path = SHARED_DATA / relative
    if not path.is_file():
        pytest.fail(f"Reference data file missing: {path} (CI always has ../shared/data)")
    return path
