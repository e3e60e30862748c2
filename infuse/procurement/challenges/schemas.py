"""Input and output of the challenge use cases: a challenge, its phases, criteria and documents.
Money in pence; instants in ISO 8601 with their offset (UTC in answers)."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Schema

from infuse.core.bounds import Count, Pence
from infuse.procurement.models import Challenge, Clarification, Criterion, Phase, PriceFormula


class ChallengeIn(Schema):
    """A draft challenge: the problem, who runs it (an organisation's slug) and its tags."""

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
    evidence_datasets: list[str] = []  # Data Lab slugs
    evidence_indicators: list[str] = []
    cpv_codes: list[str] = []  # what it buys: CPV codes ("72212000"), the main one first

    @classmethod
    def of(cls, challenge: Challenge) -> ChallengeIn:
        """The challenge as it is stored, for an edit page."""
        return cls(
            title_en=challenge.title_en,
            title_cy=challenge.title_cy or "",
            owner=challenge.owner.slug,
            councils=list(challenge.councils.values_list("gss_code", flat=True)),
            summary_en=challenge.summary_en or "",
            summary_cy=challenge.summary_cy or "",
            problem_en=challenge.problem_en or "",
            problem_cy=challenge.problem_cy or "",
            themes=list(challenge.themes.values_list("code", flat=True)),
            goals=list(challenge.goals.values_list("code", flat=True)),
            evidence_datasets=list(challenge.evidence_datasets.values_list("slug", flat=True)),
            evidence_indicators=list(challenge.evidence_indicators.values_list("slug", flat=True)),
            cpv_codes=list(challenge.cpv_codes),
        )


class PhaseIn(Schema):
    """A phase's money and timetable (instants with their offset)."""

    number: Count
    budget_pence: Pence
    contracts_planned: Count = 1
    opens_at: datetime
    clarification_deadline: datetime
    submission_deadline: datetime
    evaluation_ends_on: date
    award_expected_on: date
    price_formula: str = PriceFormula.LOWEST_OVER_BID


class DeadlineChangeIn(Schema):
    """A later deadline for bids (and, if given, for questions), with the reason bidders read."""

    submission_deadline: datetime
    reason_en: str
    clarification_deadline: datetime | None = None
    reason_cy: str = ""


class CriterionIn(Schema):
    """One evaluation criterion; weights of a phase total 100."""

    kind: str
    title_en: str
    weight: Count
    title_cy: str = ""
    guidance_en: str = ""
    guidance_cy: str = ""
    goal: str = ""  # a well-being goal code (social value measures)

    @classmethod
    def of(cls, criterion: Criterion) -> CriterionIn:
        return cls(
            kind=criterion.kind,
            title_en=criterion.title_en,
            title_cy=criterion.title_cy or "",
            guidance_en=criterion.guidance_en or "",
            guidance_cy=criterion.guidance_cy or "",
            weight=criterion.weight,
            goal=criterion.goal.code if criterion.goal else "",
        )


class DocumentIn(Schema):
    """A document published with the challenge (the file comes beside it)."""

    title_en: str
    title_cy: str = ""


class CriterionOut(CriterionIn):
    id: int | None = None

    @classmethod
    def of(cls, criterion: Criterion) -> CriterionOut:
        return cls(id=criterion.pk, **CriterionIn.of(criterion).model_dump())


class ClarificationOut(Schema):
    question: str
    answer: str
    answered_at: datetime

    @classmethod
    def of(cls, clarification: Clarification) -> ClarificationOut:
        assert clarification.answered_at is not None
        return cls(
            question=clarification.published_question_en,
            answer=clarification.answer_en,
            answered_at=clarification.answered_at,
        )


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
    criteria: list[CriterionOut]
    clarifications: list[ClarificationOut]

    @classmethod
    def of(cls, phase: Phase) -> PhaseOut:
        return cls(
            number=phase.number,
            ocid=phase.ocid,
            state=phase.state,
            budget_pence=phase.budget_pence,
            contracts_planned=phase.contracts_planned,
            opens_at=phase.opens_at,
            clarification_deadline=phase.clarification_deadline,
            submission_deadline=phase.submission_deadline,
            evaluation_ends_on=phase.evaluation_ends_on,
            award_expected_on=phase.award_expected_on,
            price_formula=phase.price_formula,
            criteria=[CriterionOut.of(c) for c in phase.criteria.select_related("goal")],
            clarifications=[ClarificationOut.of(c) for c in phase.published_clarifications()],
        )


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
    cpv_codes: list[str]
    published_at: datetime | None
    phases: list[PhaseOut]

    @classmethod
    def of(cls, challenge: Challenge) -> ChallengeOut:
        return cls(
            slug=challenge.slug,
            title_en=challenge.title_en,
            title_cy=challenge.title_cy or "",
            summary_en=challenge.summary_en or "",
            summary_cy=challenge.summary_cy or "",
            problem_en=challenge.problem_en or "",
            problem_cy=challenge.problem_cy or "",
            owner=challenge.owner.slug,
            councils=sorted(challenge.councils.values_list("gss_code", flat=True)),
            themes=sorted(challenge.themes.values_list("code", flat=True)),
            goals=sorted(challenge.goals.values_list("code", flat=True)),
            cpv_codes=list(challenge.cpv_codes),
            published_at=challenge.published_at,
            phases=[PhaseOut.of(phase) for phase in challenge.phases.all()],
        )
