"""Demo challenges for the Procurement Lab and the Challenge Fund, made through the services.

A decarbonisation challenge, zero-emission council fleet, whose phase 1 closed last week: three
demo suppliers bid, the bids were opened by two officers and the panel is part-way through
scoring. A smart waste challenge awarded two months ago: contract signed, first milestone
accepted and paid, the second still to come. And the loop's challenge, warm hubs for every
council: it cites the social prescribing indicator as evidence, follows the warm hubs
experiment's decision to scale, and its contract reports against that indicator. Every phase
has money allocated from the fund.

Bids can only be made while a phase is open and an award confirmed only after its standstill,
so the demo makes them while the phase is open and then moves the timetable into the past (the
only thing done outside the services: the demo needs a history that real time has not had).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.utils import timezone

from infuse.core.models import Person
from infuse.datalab.models import Indicator
from infuse.demo.datalab import HUBS_FOR_ALL, LOOP_INDICATOR
from infuse.fund import services as fund
from infuse.fund.schemas import AllocationIn
from infuse.procurement.bids import services as bids
from infuse.procurement.bids.schemas import BidIn
from infuse.procurement.challenges import services as challenges
from infuse.procurement.challenges.schemas import ChallengeIn, CriterionIn, PhaseIn
from infuse.procurement.contracts import outcome_evaluation
from infuse.procurement.contracts import services as contracts
from infuse.procurement.contracts.schemas import (
    CloseIn,
    ContractTermsIn,
    EvaluationIn,
    MilestoneIn,
)
from infuse.procurement.evaluation import services as evaluation
from infuse.procurement.evaluation.schemas import (
    AwardIn,
    DeclarationIn,
    ModerationIn,
    PanelIn,
    ScoreIn,
)
from infuse.procurement.models import Award, Bid, Challenge, Contract, Phase, SupplierProfile
from infuse.procurement.questions import services as questions
from infuse.procurement.questions.schemas import AnswerIn, QuestionIn
from infuse.procurement.social_value import services as social_value
from infuse.procurement.social_value.schemas import ReportIn, ReportLineIn
from infuse.procurement.suppliers import services as suppliers
from infuse.procurement.suppliers.schemas import SupplierIn
from infuse.procurement.suppliers.services import works_for

FLEET = "zero-emission-council-fleet"
BINS = "smart-waste-bins"
HUBS = "warm-hubs-for-every-council"
SUPPLIERS = [
    # email, name, company, Companies House number, postcode, SME, VCSE
    (
        "supplier@infuse.example",
        "Owen Hughes",
        "Dragon Data Cyf.",
        "13579246",
        "CF10 5BT",
        True,
        False,
    ),
    (
        "bids@greenfleet.example",
        "Megan Lewis",
        "Green Fleet Wales Ltd",
        "12845671",
        "NP20 2GH",
        True,
        False,
    ),
    (
        "hello@hydrovans.example",
        "Rhys Bowen",
        "Hydro Vans Cymru CIC",
        "14011223",
        "SA1 8PL",
        True,
        True,
    ),
]
CRITERIA = [
    ("quality", "Technical approach", "Dull technegol", 45, ""),
    ("quality", "Delivery plan and risks", "Cynllun cyflawni a risgiau", 15, ""),
    ("social_value", "Local jobs and skills", "Swyddi a sgiliau lleol", 10, "prosperous"),
    ("price", "Price", "Pris", 30, ""),
]


FLEET_CHALLENGE = {
    "title_en": "Zero-emission council fleet",
    "title_cy": "Fflyd cyngor allyriadau sero",
    "summary_en": "Ways for councils to run refuse and maintenance fleets with no "
    "tailpipe emissions, on today's depots and budgets.",
    "summary_cy": "Ffyrdd i gynghorau redeg fflydoedd sbwriel a chynnal a chadw heb "
    "allyriadau o'r bibell wacáu, ar ddepos a chyllidebau heddiw.",
    "problem_en": "Council vehicles are among the largest sources of the councils' "
    "own emissions. Heavy vehicles are hard to electrify: depots lack power, routes "
    "are long and vehicles are kept for years.",
    "problem_cy": "Mae cerbydau cynghorau ymhlith ffynonellau mwyaf allyriadau'r "
    "cynghorau eu hunain.",
    "councils": ["W06000016", "W06000022", "W06000015"],
    "themes": ["decarbonisation"],
    "goals": ["globally-responsible", "resilient", "prosperous"],
    "cpv_codes": ["34144900", "31158100"],  # electric vehicles; battery chargers
}
BINS_CHALLENGE = {
    "title_en": "Smart waste bins",
    "title_cy": "Biniau gwastraff clyfar",
    "summary_en": "Street bins that report when they are full, so crews empty the "
    "ones that need it.",
    "summary_cy": "Biniau stryd sy'n dweud pan fyddant yn llawn, fel bod criwiau'n "
    "gwagio'r rhai sydd angen.",
    "problem_en": "Crews empty half-full bins on fixed rounds while others overflow.",
    "problem_cy": "Mae criwiau'n gwagio biniau hanner llawn ar rowndiau sefydlog.",
    "councils": ["W06000015", "W06000014"],
    "themes": ["transforming-communities", "decarbonisation"],
    "goals": ["cohesive-communities", "globally-responsible"],
    "cpv_codes": ["34928480", "90511000"],  # waste bins; refuse collection services
}


# The loop's contract ran through the 2024-25 financial year, so the data shows what followed.
HUBS_RAN = (dt.date(2024, 4, 8), dt.date(2025, 3, 31))
HUBS_CHALLENGE = {
    "title_en": "Warm hubs for every council",
    "title_cy": "Hybiau cynnes i bob cyngor",
    "summary_en": "A referral and booking service that lets the five councils without warm "
    "hubs open them, with GPs and link workers referring people to them.",
    "summary_cy": "Gwasanaeth atgyfeirio ac archebu sy'n galluogi'r pum cyngor heb hybiau "
    "cynnes i'w hagor, gyda meddygon teulu a gweithwyr cyswllt yn atgyfeirio pobl atynt.",
    "problem_en": "Social prescribing referrals are lower in several councils than across the "
    "region, and the warm hubs experiment found that hubs raise wellbeing: the councils "
    "without hubs need a way to open them and fill them.",
    "problem_cy": "Mae atgyfeiriadau presgripsiynu cymdeithasol yn is mewn sawl cyngor nag ar "
    "draws y rhanbarth, a chanfu'r arbrawf hybiau cynnes fod hybiau'n codi llesiant: mae "
    "angen ffordd ar y cynghorau heb hybiau i'w hagor a'u llenwi.",
    "councils": sorted(HUBS_FOR_ALL),
    "themes": ["improving-public-health", "transforming-communities"],
    "goals": ["healthier", "cohesive-communities", "more-equal"],
    "cpv_codes": ["85320000", "72212000"],  # social services; application software
}

# What each bidder promises for the social value criterion (local jobs and skills), in turn:
# the measures' codes and quantities in their units.
PROMISES = [
    {
        "local-jobs": Decimal(3),
        "apprenticeship-weeks": Decimal(104),
        "local-supply-chain": Decimal(18_000),
    },
    {"local-jobs": Decimal(2), "sme-supply-chain": Decimal(25_000)},
    {"local-jobs": Decimal("1.5")},
]
# What the winner reports at each milestone it reaches (part of each promise).
DELIVERED = {
    "local-jobs": Decimal("1.5"),
    "apprenticeship-weeks": Decimal(40),
    "local-supply-chain": Decimal(7_250),
}


def _phase_in(budget_pence: int, contracts: int) -> PhaseIn:
    now = timezone.now()
    return PhaseIn(
        number=1,
        budget_pence=budget_pence,
        contracts_planned=contracts,
        opens_at=now - dt.timedelta(days=1),
        clarification_deadline=now + dt.timedelta(days=10),
        submission_deadline=now + dt.timedelta(days=20),
        evaluation_ends_on=(now + dt.timedelta(days=40)).date(),
        award_expected_on=(now + dt.timedelta(days=50)).date(),
    )


def _supplier(password: str, row: tuple[Any, ...]) -> Person:
    """A demo supplier, registered through the service (or the demo region's supplier person,
    whose company is given a profile)."""
    email, name, company, number, postcode, sme, vcse = row
    person = Person.objects.filter(email=email).first()
    if person is None:
        return suppliers.register_supplier(
            supplier_in=SupplierIn(
                email=email,
                full_name=name,
                password=password,
                name=company,
                address="Unit 1, Enterprise Park",
                postcode=postcode,
                companies_house_number=number,
                is_sme=sme,
                is_vcse=vcse,
            ),
            vouched=True,
        )
    SupplierProfile.objects.get_or_create(
        organisation=suppliers.supplier_of(person),
        defaults={
            "companies_house_number": number,
            "is_sme": sme,
            "is_vcse": vcse,
            "address": "Unit 1, Enterprise Park",
            "postcode": postcode,
        },
    )
    return person


def _challenge(buyer: Person, slug: str, fields: dict, budget: int, contracts: int) -> Phase:
    challenge = challenges.create_challenge(
        actor=buyer, challenge_in=ChallengeIn(owner="rhondda-cynon-taf", **fields)
    )
    assert challenge.slug == slug, challenge.slug  # the demo's links rely on it
    phase = challenges.save_phase(
        actor=buyer, challenge=challenge, phase_in=_phase_in(budget, contracts)
    )
    challenges.set_criteria(
        actor=buyer,
        phase=phase,
        criteria=[
            CriterionIn(kind=k, title_en=en, title_cy=cy, weight=w, goal=g)
            for k, en, cy, w, g in CRITERIA
        ],
    )
    challenges.publish_challenge(actor=buyer, challenge=challenge)
    return phase


def _bid(
    person: Person, phase: Phase, price_pence: int, angle: str, promises: dict[str, Decimal]
) -> Bid:
    answers = {
        str(c.pk): f"{angle} ({c.title_en.lower()}): what we would do, by when, and how we "
        "would show it worked."
        for c in phase.criteria.exclude(kind="price")
    }
    return bids.save_bid(
        actor=person,
        phase=phase,
        bid_in=BidIn(answers=answers, price_pence=price_pence, commitments=promises),
        submit=True,
    )


def _into_the_past(phase: Phase, days_ago: int) -> None:
    """Move a phase's timetable (and its bids' times) so that bids closed ``days_ago``."""
    now = timezone.now()
    closed = now - dt.timedelta(days=days_ago)
    Phase.objects.filter(pk=phase.pk).update(
        opens_at=closed - dt.timedelta(days=28),
        clarification_deadline=closed - dt.timedelta(days=10),
        submission_deadline=closed,
        evaluation_ends_on=(closed + dt.timedelta(days=14)).date(),
        award_expected_on=(closed + dt.timedelta(days=21)).date(),
    )
    Bid.objects.filter(phase=phase).update(submitted_at=closed - dt.timedelta(days=2))
    # Published when its phase opened, not when the demo was loaded.
    Challenge.objects.filter(pk=phase.challenge_id).update(
        published_at=closed - dt.timedelta(days=28)
    )


def _opened(phase: Phase, team: dict[str, Any]) -> None:
    """The panel chosen and the bids opened by two officers."""
    evaluation.assign_evaluators(
        actor=team["buyer"],
        phase=phase,
        panel_in=PanelIn(evaluators=[p.email for p in team["evaluators"]]),
    )
    bids.request_opening(actor=team["buyer"], phase=phase)
    bids.confirm_opening(actor=team["second"], phase=phase)


def _scored(evaluator: Person, bid: Bid, marks: dict[int, int], comment: str = "") -> None:
    evaluation.declare_interest(
        actor=evaluator, bid=bid, declaration_in=DeclarationIn(has_conflict=False)
    )
    evaluation.save_scores(
        actor=evaluator,
        bid=bid,
        scores=[ScoreIn(criterion=pk, score=mark, comment=comment) for pk, mark in marks.items()],
        submit=True,
    )


def _fleet(team: dict[str, Any], bidders: list[Person]) -> None:
    """In evaluation: three bids, opened by two officers, one of them scored so far."""
    phase = _challenge(team["buyer"], FLEET, FLEET_CHALLENGE, budget=25_000_000, contracts=2)
    fund.allocate(
        actor=team["manager"],
        allocation_in=AllocationIn(purpose=f"{FLEET}/1", amount_pence=25_000_000),
    )
    question = questions.ask_question(
        actor=bidders[1],
        phase=phase,
        question_in=QuestionIn(question="Are hydrogen vehicles in scope?"),
    )
    questions.answer_question(
        actor=team["buyer"],
        clarification=question,
        answer_in=AnswerIn(
            published_question_en="Are hydrogen vehicles in scope?",
            published_question_cy="A yw cerbydau hydrogen o fewn y cwmpas?",
            answer_en="Yes: any technology with no tailpipe emissions.",
            answer_cy="Ydyn: unrhyw dechnoleg heb allyriadau o'r bibell wacáu.",
        ),
    )
    for person, price, angle, promises in zip(
        bidders,
        (9_800_000, 11_500_000, 12_400_000),
        ("Depot charging as a service", "Battery retrofit of refuse lorries", "Hydrogen vans"),
        PROMISES,
        strict=True,
    ):
        _bid(person, phase, price, angle, promises)
    _into_the_past(phase, days_ago=5)
    phase.refresh_from_db()
    _opened(phase, team)
    first_bid = phase.received_bids().first()
    assert first_bid is not None
    marks = {c.pk: 3 for c in phase.criteria.exclude(kind="price")}
    _scored(team["evaluators"][0], first_bid, marks, "Credible and costed.")


def _awarded(
    phase: Phase, team: dict[str, Any], runs: tuple[dt.date, dt.date] | None = None
) -> Any:
    """Every bid scored and moderated, the award decided and confirmed: two months ago, with
    the contract running from 50 days ago, unless ``runs`` gives the contract's dates (then
    the award was decided ten days before it began)."""
    marks = {0: (4, 3, 3), 1: (3, 3, 2)}
    scored_criteria = list(phase.criteria.exclude(kind="price"))
    for i, bid in enumerate(phase.received_bids().order_by("pk")):
        given = {c.pk: m for c, m in zip(scored_criteria, marks[i], strict=True)}
        for evaluator in team["evaluators"]:
            _scored(evaluator, bid, given)
        for criterion_id, mark in given.items():
            evaluation.moderate(
                actor=team["buyer"],
                bid=bid,
                moderation_in=ModerationIn(
                    criterion=criterion_id, score=mark, rationale="Panel agreed."
                ),
            )
    award = evaluation.award_phase(
        actor=team["buyer"],
        phase=phase,
        award_in=AwardIn(rationale="The highest quality at the lower price."),
    )
    today = timezone.localdate()
    starts, ends = runs or (today - dt.timedelta(days=50), today + dt.timedelta(days=250))
    ago = timezone.now() - dt.timedelta(days=(today - starts).days + 10)
    Award.objects.filter(pk=award.pk).update(decided_at=ago, standstill_ends_at=ago)
    award.refresh_from_db()
    (contract,) = contracts.confirm_award(
        actor=team["buyer"],
        award=award,
        terms=[
            ContractTermsIn(bid=bid.pk, starts_on=starts, ends_on=ends)
            for bid in award.winners.all()
        ],
    )
    # Signed when the standstill ended, not when the demo was loaded (the register says when).
    Contract.objects.filter(pk=contract.pk).update(signed_at=ago)
    contract.refresh_from_db()
    return contract


Milestone = tuple[str, str, int, int]  # English, Welsh, due in days from today, pence


def _delivered(
    team: dict[str, Any],
    bidders: list[Person],
    phase: Phase,
    bids_made: list[tuple[int, str]],
    milestones: list[Milestone],
    *,
    runs: tuple[dt.date, dt.date] | None = None,
    paid: int = 1,
) -> Any:
    """Two bids, awarded, the contract's milestones set, the first ``paid`` accepted and paid
    (bids closed 70 days ago, or 30 days before the contract's ``runs``)."""
    for person, (price, angle), promises in zip(bidders[:2], bids_made, PROMISES[:2], strict=True):
        _bid(person, phase, price, angle, promises)
    closed = 70 if runs is None else (timezone.localdate() - runs[0]).days + 30
    _into_the_past(phase, days_ago=closed)
    phase.refresh_from_db()
    _opened(phase, team)
    contract = _awarded(phase, team, runs)
    made = [
        contracts.add_milestone(
            actor=team["buyer"],
            contract=contract,
            milestone_in=MilestoneIn(
                title_en=en,
                title_cy=cy,
                due_on=timezone.localdate() + dt.timedelta(days=days),
                amount_pence=pence,
            ),
        )
        for en, cy, days, pence in milestones
    ]
    winner = next(b for b in bidders if works_for(b, contract.supplier_id))
    kpis = {kpi.measure.code for kpi in contract.kpis.select_related("measure")}
    for milestone in made[:paid]:
        social_value.report_delivery(
            actor=winner,
            milestone=milestone,
            report_in=ReportIn(
                lines=[
                    ReportLineIn(
                        measure=code,
                        delivered=quantity,
                        evidence="Payroll and supplier invoices, kept for the buyer to check.",
                    )
                    for code, quantity in DELIVERED.items()
                    if code in kpis
                ]
            ),
        )
        accepted = contracts.accept_milestone(actor=team["buyer"], milestone=milestone)
        contracts.pay_milestone(actor=team["manager"], milestone=accepted)
    return contract


def _bins(team: dict[str, Any], bidders: list[Person]) -> None:
    """Awarded with a contract, the first milestone accepted and paid, the second to come."""
    phase = _challenge(team["buyer"], BINS, BINS_CHALLENGE, budget=12_000_000, contracts=1)
    fund.allocate(
        actor=team["manager"],
        allocation_in=AllocationIn(purpose=f"{BINS}/1", amount_pence=12_000_000),
    )
    _delivered(
        team,
        bidders,
        phase,
        [(8_900_000, "Fill sensors on existing bins"), (10_200_000, "Solar compacting bins")],
        [
            (
                "Sensors fitted to 200 bins",
                "Synwyryddion wedi'u gosod ar 200 o finiau",
                -10,
                3_500_000,
            ),
            ("Six months of collection data", "Chwe mis o ddata casglu", 180, 5_400_000),
        ],
    )


def _hubs_for_all(team: dict[str, Any], bidders: list[Person]) -> None:
    """The loop: the social prescribing indicator shows the gap, the warm hubs experiment
    decided to scale, and this challenge buys the service that takes hubs to the other five
    councils; its contract reports against the same indicator, and the fund has paid the
    first milestone."""
    fields = {**HUBS_CHALLENGE, "evidence_indicators": [LOOP_INDICATOR]}
    phase = _challenge(team["buyer"], HUBS, fields, budget=15_000_000, contracts=1)
    fund.allocate(
        actor=team["manager"],
        allocation_in=AllocationIn(purpose=f"{HUBS}/1", amount_pence=15_000_000),
    )
    today = timezone.localdate()
    contract = _delivered(
        team,
        bidders,
        phase,
        [(11_800_000, "Referral and booking for hubs"), (13_400_000, "Hub network in a box")],
        [
            (
                "Referral service live in five councils",
                "Gwasanaeth atgyfeirio'n fyw mewn pum cyngor",
                (HUBS_RAN[0] - today).days + 90,
                4_000_000,
            ),
            (
                "A year of referrals reported",
                "Blwyddyn o atgyfeiriadau wedi'u hadrodd",
                (HUBS_RAN[1] - today).days,
                7_000_000,
            ),
        ],
        runs=HUBS_RAN,
        paid=2,
    )
    contracts.link_outcomes(actor=team["buyer"], contract=contract, indicators=[LOOP_INDICATOR])
    # Its work done and paid for, the buyer closed it: the register says it was completed.
    contracts.close_contract(
        actor=team["buyer"], contract=contract, close_in=CloseIn(outcome="complete")
    )
    Contract.objects.filter(pk=contract.pk).update(
        closed_at=dt.datetime.combine(HUBS_RAN[1], dt.time(12), tzinfo=dt.UTC)
    )
    # Delivered, with the data from after it: did it work? (Run by the loader's task worker.)
    outcome_evaluation.evaluate_outcome(
        actor=team["buyer"],
        contract=contract,
        evaluation_in=EvaluationIn(indicator=LOOP_INDICATOR, method="did"),
    )


def load_demo_challenges(password: str, report: Callable[[str], None]) -> None:
    """Create the two demo challenges if they are not there yet."""
    team = {
        "buyer": Person.objects.get(email="procurement@infuse.example"),
        "second": Person.objects.get(email="procurement2@infuse.example"),
        "evaluators": [
            Person.objects.get(email="evaluator@infuse.example"),
            Person.objects.get(email="evaluator2@infuse.example"),
        ],
        "manager": Person.objects.get(email="fund@infuse.example"),
    }
    bidders = [_supplier(password, row) for row in SUPPLIERS]
    if not Challenge.objects.filter(slug=FLEET).exists():
        report("Procurement: zero-emission council fleet (in evaluation)")
        _fleet(team, bidders)
    if not Challenge.objects.filter(slug=BINS).exists():
        report("Procurement: smart waste bins (awarded, first milestone paid)")
        _bins(team, bidders)
    # The loop's challenge cites the Data Lab's indicator: made once the demo data is there.
    if (
        not Challenge.objects.filter(slug=HUBS).exists()
        and Indicator.objects.filter(slug=LOOP_INDICATOR).exists()
    ):
        report("Procurement: warm hubs for every council (the loop: evidence to contract)")
        _hubs_for_all(team, bidders)
