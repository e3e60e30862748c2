"""The analytics layer's public names load their modules on first use."""

import subprocess
import sys

import infuse.analytics


def test_naming_the_analytics_layer_imports_no_engine():
    """Services name ``infuse.analytics`` at import time; Ibis, pandas and DuckDB's Python
    package load only when something is computed (a fresh interpreter shows it)."""
    probe = (
        "import sys, infuse.analytics; "
        "print(sorted({'ibis', 'pandas', 'duckdb'} & set(sys.modules)))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert loaded.strip() == "[]"


def test_every_public_name_resolves():
    for name in infuse.analytics.__all__:
        assert getattr(infuse.analytics, name) is not None, name
