"""Demo challenges for the Procurement Lab and the Challenge Fund, made through the services.

A decarbonisation challenge, zero-emission council fleet, whose phase 1 closed last week: three
demo suppliers bid, the bids were opened by two officers and the panel is part-way through
scoring. And a smart waste challenge awarded two months ago: contract signed, first milestone
accepted and paid, the second still to come. Both phases have money allocated from the fund.

Bids can only be made while a phase is open and an award confirmed only after its standstill,
so the demo makes them while the phase is open and then moves the timetable into the past (the
only thing done outside the services: the demo needs a history that real time has not had).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.utils import timezone

from infuse.core.models import Organisation, Person

if TYPE_CHECKING:
    from infuse.procurement.models import Bid, Phase
    from infuse.procurement.services import PhaseFields

FLEET = "zero-emission-council-fleet"
BINS = "smart-waste-bins"
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


def _phase_fields(budget_pence: int, contracts: int) -> PhaseFields:
    from infuse.procurement.services import PhaseFields

    now = timezone.now()
    return PhaseFields(
        number=1,
        budget_pence=budget_pence,
        contracts_planned=contracts,
        opens_at=now - dt.timedelta(days=1),
        clarification_deadline=now + dt.timedelta(days=10),
        submission_deadline=now + dt.timedelta(days=20),
        evaluation_ends_on=(now + dt.timedelta(days=40)).date(),
        award_expected_on=(now + dt.timedelta(days=50)).date(),
    )


def _suppliers(password: str) -> list[Person]:
    from infuse.procurement import services
    from infuse.procurement.models import SupplierProfile

    people = []
    for email, name, company, number, postcode, sme, vcse in SUPPLIERS:
        person = Person.objects.filter(email=email).first()
        if (
            person is not None
            and SupplierProfile.objects.filter(organisation__memberships__person=person).exists()
        ):
            people.append(person)
            continue
        if person is None:
            person = services.register_supplier(
                email=email,
                full_name=name,
                password=password,
                fields=services.SupplierFields(
                    name=company,
                    address="Unit 1, Enterprise Park",
                    postcode=postcode,
                    companies_house_number=number,
                    is_sme=sme,
                    is_vcse=vcse,
                ),
            )
        else:  # the demo region's supplier person: give its company a profile
            organisation = services.supplier_of(person)
            SupplierProfile.objects.get_or_create(
                organisation=organisation,
                defaults={
                    "companies_house_number": number,
                    "is_sme": sme,
                    "is_vcse": vcse,
                    "address": "Unit 1, Enterprise Park",
                    "postcode": postcode,
                },
            )
        people.append(person)
    return people


def _challenge(buyer: Person, slug: str, fields: dict, budget: int, contracts: int) -> Phase:
    from infuse.procurement import services

    challenge = services.create_challenge(
        actor=buyer,
        fields=services.ChallengeFields(
            owner=Organisation.objects.get(slug="rhondda-cynon-taf"), **fields
        ),
    )
    assert challenge.slug == slug, challenge.slug  # the demo's links rely on it
    phase = services.save_phase(
        actor=buyer,
        challenge=challenge,
        fields=_phase_fields(budget, contracts),
    )
    services.set_criteria(
        actor=buyer,
        phase=phase,
        criteria=[
            services.CriterionFields(kind=k, title_en=en, title_cy=cy, weight=w, goal=g)
            for k, en, cy, w, g in CRITERIA
        ],
    )
    services.publish_challenge(actor=buyer, challenge=challenge)
    return phase


def _bid(person: Person, phase: Phase, price_pence: int, angle: str) -> Bid:
    from infuse.procurement import services

    answers = {
        str(c.pk): f"{angle} ({c.title_en.lower()}): what we would do, by when, and how we "
        "would show it worked."
        for c in phase.criteria.exclude(kind="price")
    }
    bid = services.save_bid(actor=person, phase=phase, answers=answers, price_pence=price_pence)
    return services.submit_bid(actor=person, bid=bid)


def _into_the_past(phase: Phase, days_ago: int) -> None:
    """Move a phase's timetable (and its bids' times) so that bids closed ``days_ago``."""
    from infuse.procurement.models import Bid as BidRow
    from infuse.procurement.models import Phase as PhaseRow

    now = timezone.now()
    closed = now - dt.timedelta(days=days_ago)
    PhaseRow.objects.filter(pk=phase.pk).update(
        opens_at=closed - dt.timedelta(days=28),
        clarification_deadline=closed - dt.timedelta(days=10),
        submission_deadline=closed,
        evaluation_ends_on=(closed + dt.timedelta(days=14)).date(),
        award_expected_on=(closed + dt.timedelta(days=21)).date(),
    )
    BidRow.objects.filter(phase=phase).update(submitted_at=closed - dt.timedelta(days=2))


def load_demo_challenges(password: str, report: Callable[[str], None]) -> None:
    """Create the two demo challenges if they are not there yet."""
    from infuse.fund import services as fund
    from infuse.fund.schemas import AllocationIn
    from infuse.procurement import services
    from infuse.procurement.models import Award, Challenge

    buyer = Person.objects.get(email="procurement@infuse.example")
    second = Person.objects.get(email="procurement2@infuse.example")
    evaluators = [
        Person.objects.get(email="evaluator@infuse.example"),
        Person.objects.get(email="evaluator2@infuse.example"),
    ]
    manager = Person.objects.get(email="fund@infuse.example")
    suppliers = _suppliers(password)

    if not Challenge.objects.filter(slug=FLEET).exists():
        report("Procurement: zero-emission council fleet (in evaluation)")
        phase = _challenge(
            buyer,
            FLEET,
            {
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
            },
            budget=25_000_000,
            contracts=2,
        )
        fund.allocate(
            actor=manager,
            allocation_in=AllocationIn(purpose=f"{FLEET}/1", amount_pence=25_000_000),
        )
        question = services.ask_question(
            actor=suppliers[1], phase=phase, question="Are hydrogen vehicles in scope?"
        )
        services.answer_question(
            actor=buyer,
            clarification=question,
            published_question_en="Are hydrogen vehicles in scope?",
            published_question_cy="A yw cerbydau hydrogen o fewn y cwmpas?",
            answer_en="Yes: any technology with no tailpipe emissions.",
            answer_cy="Ydyn: unrhyw dechnoleg heb allyriadau o'r bibell wacáu.",
        )
        for person, price, angle in zip(
            suppliers,
            (9_800_000, 11_500_000, 12_400_000),
            ("Depot charging as a service", "Battery retrofit of refuse lorries", "Hydrogen vans"),
            strict=True,
        ):
            _bid(person, phase, price, angle)
        _into_the_past(phase, days_ago=5)
        phase.refresh_from_db()
        services.assign_evaluators(actor=buyer, phase=phase, evaluators=evaluators)
        services.request_opening(actor=buyer, phase=phase)
        services.confirm_opening(actor=second, phase=phase)
        first_bid = services.received_bids(phase).first()
        assert first_bid is not None
        services.declare_interest(actor=evaluators[0], bid=first_bid, has_conflict=False)
        scored = {c.pk: (3, "Credible and costed.") for c in phase.criteria.exclude(kind="price")}
        services.save_scores(actor=evaluators[0], bid=first_bid, scores=scored)
        services.submit_scores(actor=evaluators[0], bid=first_bid)

    if not Challenge.objects.filter(slug=BINS).exists():
        report("Procurement: smart waste bins (awarded, first milestone paid)")
        phase = _challenge(
            buyer,
            BINS,
            {
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
            },
            budget=12_000_000,
            contracts=1,
        )
        fund.allocate(
            actor=manager,
            allocation_in=AllocationIn(purpose=f"{BINS}/1", amount_pence=12_000_000),
        )
        for person, price, angle in zip(
            suppliers[:2],
            (8_900_000, 10_200_000),
            ("Fill sensors on existing bins", "Solar compacting bins"),
            strict=True,
        ):
            _bid(person, phase, price, angle)
        _into_the_past(phase, days_ago=70)
        phase.refresh_from_db()
        services.assign_evaluators(actor=buyer, phase=phase, evaluators=evaluators)
        services.request_opening(actor=buyer, phase=phase)
        services.confirm_opening(actor=second, phase=phase)
        marks = {0: (4, 3, 3), 1: (3, 3, 2)}
        scored_criteria = list(phase.criteria.exclude(kind="price"))
        for i, bid in enumerate(services.received_bids(phase).order_by("pk")):
            for evaluator in evaluators:
                services.declare_interest(actor=evaluator, bid=bid, has_conflict=False)
                services.save_scores(
                    actor=evaluator,
                    bid=bid,
                    scores={c.pk: (m, "") for c, m in zip(scored_criteria, marks[i], strict=True)},
                )
                services.submit_scores(actor=evaluator, bid=bid)
            for criterion, mark in zip(scored_criteria, marks[i], strict=True):
                services.moderate(
                    actor=buyer, bid=bid, criterion=criterion, score=mark, rationale="Panel agreed."
                )
        award = services.award_phase(
            actor=buyer,
            phase=phase,
            rationale="The highest quality at the lower price.",
        )
        ago = timezone.now() - dt.timedelta(days=60)
        Award.objects.filter(pk=award.pk).update(decided_at=ago, standstill_ends_at=ago)
        award.refresh_from_db()
        (contract,) = services.confirm_award(
            actor=buyer,
            award=award,
            terms=[
                services.ContractTerms(
                    bid.pk,
                    timezone.localdate() - dt.timedelta(days=50),
                    timezone.localdate() + dt.timedelta(days=250),
                )
                for bid in award.winners.all()
            ],
        )
        first = services.add_milestone(
            actor=buyer,
            contract=contract,
            title_en="Sensors fitted to 200 bins",
            title_cy="Synwyryddion wedi'u gosod ar 200 o finiau",
            due_on=timezone.localdate() - dt.timedelta(days=10),
            amount_pence=3_500_000,
        )
        services.add_milestone(
            actor=buyer,
            contract=contract,
            title_en="Six months of collection data",
            title_cy="Chwe mis o ddata casglu",
            due_on=timezone.localdate() + dt.timedelta(days=180),
            amount_pence=5_400_000,
        )
        first = services.accept_milestone(actor=buyer, milestone=first)
        services.pay_milestone(actor=manager, milestone=first)
