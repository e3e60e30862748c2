"""The tally of a randomisation test: how many draws were at least as extreme as the observed
statistic, their moments, and the confidence interval found by inverting the test.

Split from ``inference.py`` to keep each module readable; nothing here is public API.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from infuse.stats._common import FloatArray

__all__: list[str] = []

#: Relative tolerance within which a draw's statistic counts as a tie with the observed one.
TIE_RTOL = 1e-9


@dataclass
class Tally:
    """Running count of draws at least as extreme as the observed statistic, their first two
    moments, and (for a test-inverted interval) the draws themselves."""

    observed: float
    alternative: str
    keep: bool
    count: int = 0
    total: int = 0
    s1: float = 0.0
    s2: float = 0.0
    stored_t: list[FloatArray] = field(default_factory=list)
    stored_b: list[FloatArray] = field(default_factory=list)

    def add(self, t: FloatArray, b: FloatArray | None) -> None:
        """One chunk of statistics ``t`` (and of the assignment's own statistic ``b``)."""
        if self.keep:
            assert b is not None
            self.stored_t.append(t)
            self.stored_b.append(b)
        self.total += t.size
        finite = t[np.isfinite(t)]
        self.s1 += float(finite.sum())
        self.s2 += float((finite**2).sum())
        observed = self.observed
        tol = TIE_RTOL * max(1.0, abs(observed))
        if self.alternative == "two-sided":
            self.count += int(np.count_nonzero(np.abs(t) >= abs(observed) - tol))
        elif self.alternative == "greater":
            self.count += int(np.count_nonzero(t >= observed - tol))
        else:
            self.count += int(np.count_nonzero(t <= observed + tol))

    def p_value(self, exact: bool) -> tuple[float, float]:
        """The exact share, or the Monte-Carlo ``(1 + count) / (1 + B)`` and its standard
        error (Phipson & Smyth 2010)."""
        if exact:
            return self.count / self.total, 0.0
        p_value = (self.count + 1) / (self.total + 1)
        return p_value, math.sqrt(p_value * (1.0 - p_value) / self.total)

    def moments(self) -> tuple[float, float]:
        """Mean and standard deviation of the randomisation distribution (finite draws)."""
        mean = self.s1 / self.total
        return mean, math.sqrt(max(self.s2 / self.total - mean**2, 0.0))


def invert_test(
    observed: float, a: FloatArray, b: FloatArray, alpha: float, exact: bool, scale: float
) -> tuple[float, float]:
    """Endpoints of ``{tau: p(tau) > alpha}`` for the two-sided test of ``Y - tau Z``.

    ``p(tau) = share of |a_k - tau b_k| >= |observed - tau|``; it is highest near the estimate
    and falls away on both sides, so each endpoint is found by bisection between the estimate
    and a point far enough out to be rejected.
    """
    finite = np.isfinite(a) & np.isfinite(b)
    a, b = a[finite], b[finite]

    def p_at(tau: float) -> float:
        dev = abs(observed - tau)
        count = int(np.count_nonzero(np.abs(a - tau * b) >= dev - TIE_RTOL * max(1.0, dev)))
        return count / a.size if exact else (count + 1) / (a.size + 1)

    def endpoint(direction: float) -> float:
        inner = observed
        step = scale
        outer = observed + direction * step
        for _ in range(60):
            if p_at(outer) <= alpha:
                break
            inner = outer
            step *= 2.0
            outer = observed + direction * step
        else:
            return direction * math.inf
        for _ in range(100):
            mid = 0.5 * (inner + outer)
            if p_at(mid) > alpha:
                inner = mid
            else:
                outer = mid
            if abs(outer - inner) <= 1e-10 * max(1.0, abs(mid)):
                break
        return 0.5 * (inner + outer)

    return endpoint(-1.0), endpoint(1.0)
