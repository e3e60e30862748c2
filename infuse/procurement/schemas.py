"""API schemas of the Procurement Lab and the Challenge Fund. Money in pence, instants in
ISO 8601 with their offset (UTC in answers)."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Schema


class ChallengeIn(Schema):
    title_en: str
    title_cy: str
    owner: str  # organisation slug
    councils: list[str]  # GSS codes
    summary_en: str = ""
    summary_cy: str = ""
    problem_en: str = ""
    problem_cy: str = ""
    themes: list[str] = []
    goals: list[str] = []
    evidence_datasets: list[str] = []
    evidence_indicators: list[str] = []


class PhaseIn(Schema):
    number: int
    budget_pence: int
    contracts_planned: int = 1
    opens_at: datetime
    clarification_deadline: datetime
    submission_deadline: datetime
    evaluation_ends_on: date
    award_expected_on: date
    price_formula: str = "lowest_over_bid"


class CriterionIO(Schema):
    id: int | None = None
    kind: str
    title_en: str
    title_cy: str = ""
    guidance_en: str = ""
    guidance_cy: str = ""
    weight: int
    goal: str = ""


class ClarificationOut(Schema):
    question: str
    answer: str
    answered_at: datetime


class PhaseOut(Schema):
    number: int
    ocid: str
    state: str
    budget_pence: int
    contracts_planned: int
    opens_at: datetime
    clarification_deadline: datetime
    submission_deadline: datetime
    evaluation_ends_on: date
    award_expected_on: date
    price_formula: str
    criteria: list[CriterionIO]
    clarifications: list[ClarificationOut]


class ChallengeOut(Schema):
    slug: str
    title_en: str
    title_cy: str
    summary_en: str
    summary_cy: str
    problem_en: str
    problem_cy: str
    owner: str
    councils: list[str]
    themes: list[str]
    goals: list[str]
    published_at: datetime | None
    phases: list[PhaseOut]


class SupplierIn(Schema):
    email: str
    full_name: str
    password: str
    name: str
    address: str
    postcode: str
    companies_house_number: str = ""
    is_sme: bool = False
    is_vcse: bool = False


class QuestionIn(Schema):
    question: str


class AnswerIn(Schema):
    published_question_en: str
    answer_en: str
    published_question_cy: str = ""
    answer_cy: str = ""


class BidIn(Schema):
    answers: dict[str, str] = {}  # criterion id → answer
    price_pence: int | None = None


class BidOut(Schema):
    id: int
    supplier: str
    submitted_at: datetime | None
    withdrawn_at: datetime | None
    answers: dict[str, str]
    price_pence: int | None
    documents: list[dict]


class OpeningOut(Schema):
    requested_by: str
    requested_at: datetime
    confirmed_by: str | None
    confirmed_at: datetime | None


class PanelIn(Schema):
    evaluators: list[str]  # emails


class DeclarationIn(Schema):
    has_conflict: bool
    details: str = ""


class ScoreIn(Schema):
    criterion: int
    score: int
    comment: str = ""


class ModerationIn(Schema):
    criterion: int
    score: int
    rationale: str


class AwardIn(Schema):
    rationale: str


class ContractTermsIn(Schema):
    bid: int
    starts_on: date
    ends_on: date


class MilestoneIn(Schema):
    title_en: str
    due_on: date
    amount_pence: int
    title_cy: str = ""


class Done(Schema):
    id: int
    status: str
