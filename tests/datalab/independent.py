"""Figures worked out by hand for the Data Lab's tests, never by the code under test."""

from __future__ import annotations

import math

#: The region's ten councils, by the names the reference files use.
REGION = {
    "Blaenau Gwent",
    "Bridgend",
    "Caerphilly",
    "Cardiff",
    "Merthyr Tydfil",
    "Monmouthshire",
    "Newport",
    "Rhondda Cynon Taf",
    "Torfaen",
    "Vale of Glamorgan",
}

Z_95 = 1.959963984540054  # the 97.5th percentile of the standard normal distribution


def wilson_percent(x: float, n: float) -> tuple[float, float]:
    """Wilson's 95% score interval for x of n, as percentages (Wilson 1927, written out)."""
    p = x / n
    z2 = Z_95 * Z_95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z_95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return 100 * (centre - half), 100 * (centre + half)
