"""Input and output of the red flag use cases."""

from __future__ import annotations

from ninja import Schema


class ReviewIn(Schema):
    """What a person found when they looked at a raised flag."""

    explanation: str


class ImportOut(Schema):
    releases: int
    new_releases: int
    processes: int
    refused: int
    first_refusals: list[dict[str, str]]
    raised: int


class FlagOut(Schema):
    id: int
    code: str
    name: str
    subject: str
    subject_name: str
    state: str
    state_name: str
    value: float | None
    evidence: dict[str, object]
    reason: str
    processes: list[str]


class DefinitionOut(Schema):
    code: str
    name: str
    definition: str
    threshold: str
    needs: list[str]
    about: str
    counts: dict[str, int]
