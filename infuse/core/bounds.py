"""Bounded numbers for input schemas: every number a person or a client sends has a range.

Why: an unbounded integer reached the database as 2^63 pence and answered 500, and a bid price
of 10^4000 pence was stored and then broke the page that showed it. The bounds are in the
schemas, so the API documents them (OpenAPI ``minimum``/``maximum``), forms and commands refuse
them with the field named, and nothing out of range reaches a service.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

# The largest amount of money anything on the platform may hold: £10 billion. Far above any
# council contract or fund, far below what a 64-bit column holds even when a million are summed.
MAX_PENCE = 1_000_000_000_000
# A seed, an id or a count the engine accepts: anything a signed 64-bit column holds.
MAX_WHOLE = 2**63 - 1

Pence = Annotated[int, Field(ge=0, le=MAX_PENCE)]
"""An amount of money in pence, from nothing to MAX_PENCE."""

PositivePence = Annotated[int, Field(ge=1, le=MAX_PENCE)]
"""An amount of money in pence that must be more than nothing."""

Whole = Annotated[int, Field(ge=0, le=MAX_WHOLE)]
"""A whole number that is never negative (ids, seeds, counts)."""

Count = Annotated[int, Field(ge=0, le=1_000_000)]
"""A small whole number a person types: a phase, a weight, a score, rows to skip, steps."""

Number = Annotated[float, Field(ge=-1e12, le=1e12, allow_inf_nan=False)]
"""A finite measurement (an effect, a standard deviation): no infinities, no NaN."""

Proportion = Annotated[float, Field(gt=0, lt=1, allow_inf_nan=False)]
"""A probability or a proportion strictly between 0 and 1."""
