"""Input of the contract use cases: the dates of each contract, and its milestones. Money in
pence."""

from __future__ import annotations

from datetime import date

from ninja import Schema

from infuse.core.bounds import Pence, Whole


class ContractTermsIn(Schema):
    """The dates of the contract with one winning bid."""

    bid: Whole
    starts_on: date
    ends_on: date


class MilestoneIn(Schema):
    title_en: str
    due_on: date
    amount_pence: Pence
    title_cy: str = ""


class EvaluationIn(Schema):
    """Evaluate one of the indicators the contract reports against (its slug), by
    "did" (difference in differences) or "synthetic_control"."""

    indicator: str
    method: str = "did"


class CpvIn(Schema):
    """What a contract buys, as CPV codes ("72212000" or "72212000-4"), the main one first."""

    codes: list[str]


class CloseIn(Schema):
    """Close a contract: "complete" (its work done as agreed, every milestone accepted) or
    "terminated" (ended early, with the reason in English and, optionally, Welsh)."""

    outcome: str
    reason_en: str = ""
    reason_cy: str = ""
