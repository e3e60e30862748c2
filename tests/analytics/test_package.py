"""The analytics layer's public names load their modules on first use."""

import infuse.analytics
from tests.imports import loaded_by


def test_naming_the_analytics_layer_imports_no_engine():
    """Services name ``infuse.analytics`` at import time; Ibis, pandas and DuckDB's Python
    package load only when something is computed (a fresh interpreter shows it)."""
    assert loaded_by("infuse.analytics", {"ibis", "pandas", "duckdb"}) == []


def test_every_public_name_resolves():
    for name in infuse.analytics.__all__:
        assert getattr(infuse.analytics, name) is not None, name
