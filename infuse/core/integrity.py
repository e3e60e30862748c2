"""Integrity checks that `infuse audit verify` runs beside the audit chain.

Why a registry: each lab knows what in it must never change after the fact (a registered
protocol, an ingested version's bytes, a sealed bid) and how to check it; core runs the checks
without importing the labs (each registers its own from ``AppConfig.ready``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

Check = Callable[[], Iterable[str]]
"""Yields one plain sentence per problem found (nothing when all is well)."""

_CHECKS: dict[str, Check] = {}


def register(name: str, check: Check) -> None:
    """Add ``check`` under ``name`` (a phrase that completes "Checked …")."""
    _CHECKS[name] = check


def run_checks() -> dict[str, list[str]]:
    """Every registered check's problems, by its name."""
    return {name: list(check()) for name, check in _CHECKS.items()}
