"""Input and output of the decisions' use cases: recording the decision (scale, adapt or stop)
and turning a decision to scale into a new stepped-wedge experiment."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema

from infuse.core.bounds import Count, Pence


class DecisionIn(Schema):
    """The decision and why; the evidence level defaults to the one the results suggest.
    Money in pence, ``cost_unit`` saying per what (for example "per GP visit avoided")."""

    choice: str
    rationale: str = ""  # in English; ``rationale_cy`` in Welsh; one of them is needed
    rationale_cy: str = ""
    evidence_level: Count | None = None
    cost_per_unit_pence: Pence | None = None
    cost_unit: str = ""


class DecisionOut(Schema):
    choice: str
    rationale: str  # in the language asked for (the other when only it was written)
    rationale_en: str | None
    rationale_cy: str | None
    evidence_level: int
    suggested_level: int
    cost_per_unit_pence: int | None
    cost_unit: str
    decided_at: datetime


class ScaleUpIn(Schema):
    """The councils the intervention rolls out to (GSS codes, in roll-out order) and the new
    experiment's title (by default, the scaled one's with "Scale-up:")."""

    councils: list[str]
    title_en: str = ""
    title_cy: str = ""
