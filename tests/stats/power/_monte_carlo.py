"""Monte-Carlo tolerance shared by the simulated-power tests."""

from __future__ import annotations

import math


def _within(sim: float, truth: float, n: int, extra: float = 0.0) -> bool:
    """|sim - truth| within 4 Monte-Carlo standard errors (plus any stated approximation)."""
    return abs(sim - truth) <= 4 * math.sqrt(truth * (1 - truth) / n) + extra


N_SIM = 20_000
