"""Procurement fixtures: officers of Newport and the programme team, suppliers registered through
the service, and a published challenge whose phase 1 is open for bids."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from tests.conftest import PASSWORD

NEWPORT = "W06000022"
CARDIFF = "W06000015"


@pytest.fixture
def buyer(make_person: Callable[..., Any]) -> Any:
    return make_person("procurement_officer", email="buyer@newport.example")


@pytest.fixture
def second_buyer(make_person: Callable[..., Any]) -> Any:
    """A second authorised officer for the two-person rule (programme team)."""
    from infuse.core import services
    from infuse.core.models import Organisation

    person = make_person(email="second@ccr.example")
    services.grant_membership(
        actor=None,
        person=person,
        organisation=Organisation.objects.get(slug="ccr-programme"),
        role="procurement_officer",
    )
    return person


@pytest.fixture
def make_supplier() -> Callable[..., Any]:
    from infuse.core import confirmation
    from infuse.procurement.suppliers import services as suppliers
    from infuse.procurement.suppliers.schemas import SupplierIn

    count = 0

    def make(name: str = "", *, confirmed: bool = True, **extra: Any) -> Any:
        """A registered supplier; ``confirmed`` opens the emailed link, as the person would."""
        nonlocal count
        count += 1
        person = suppliers.register_supplier(
            supplier_in=SupplierIn(
                email=f"bids{count}@supplier{count}.example",
                full_name=f"Bidder {count}",
                password=PASSWORD,
                name=name or f"Green Fleet {count} Ltd",
                address="1 Dock Road, Newport",
                postcode="NP20 2AB",
                companies_house_number=f"{count:08d}",
                is_sme=True,
                **extra,
            )
        )
        return confirmation.confirm(confirmation.token_for(person)) if confirmed else person

    return make


CRITERIA = [
    ("quality", "Technical approach", 50, ""),
    ("social_value", "Local jobs and skills", 10, "prosperous"),
    ("price", "Price", 40, ""),
]


def criteria_fields() -> list[Any]:
    from infuse.procurement.challenges.schemas import CriterionIn

    return [
        CriterionIn(kind=k, title_en=t, title_cy=f"{t} (cy)", weight=w, goal=g)
        for k, t, w, g in CRITERIA
    ]


@pytest.fixture
def make_challenge(buyer: Any) -> Callable[..., Any]:
    """A challenge (published by default) with phase 1 open: questions for 5 days, bids 10."""
    from infuse.procurement.challenges import services as challenges
    from infuse.procurement.challenges.schemas import ChallengeIn, PhaseIn

    def make(*, publish: bool = True, title: str = "Zero-emission council fleet", **extra: Any):
        challenge = challenges.create_challenge(
            actor=buyer,
            challenge_in=ChallengeIn(
                title_en=title,
                title_cy="Fflyd cyngor allyriadau sero",
                owner="newport",
                councils=[NEWPORT, CARDIFF],
                summary_en="Vans that emit nothing.",
                summary_cy="Faniau nad ydynt yn allyrru dim.",
                problem_en="Council fleets burn diesel.",
                problem_cy="Mae fflydoedd cynghorau yn llosgi disel.",
                themes=["decarbonisation"],
                goals=["resilient", "globally-responsible"],
                cpv_codes=["34144900"],
            ),
        )
        now = timezone.now()
        phase = challenges.save_phase(
            actor=buyer,
            challenge=challenge,
            phase_in=PhaseIn(
                number=1,
                budget_pence=extra.get("budget_pence", 10_000_000),
                contracts_planned=extra.get("contracts_planned", 2),
                opens_at=now - dt.timedelta(days=1),
                clarification_deadline=now + dt.timedelta(days=5),
                submission_deadline=now + dt.timedelta(days=10),
                evaluation_ends_on=(now + dt.timedelta(days=20)).date(),
                award_expected_on=(now + dt.timedelta(days=25)).date(),
            ),
        )
        challenges.set_criteria(actor=buyer, phase=phase, criteria=criteria_fields())
        if publish:
            challenges.publish_challenge(actor=buyer, challenge=challenge)
        challenge.refresh_from_db()
        return challenge

    return make


@pytest.fixture
def manager(make_person: Callable[..., Any]) -> Any:
    """The programme's fund manager, who allocates and pays Challenge Fund money."""
    return make_person("fund_manager", email="money@ccr.example")


@pytest.fixture
def promised(make_challenge, make_supplier, make_person, buyer, second_buyer) -> Any:
    """A contract made from a winning bid that promised social value, through the services:
    two bids with promises, opened, scored, awarded, confirmed, and two milestones set."""
    import time_machine

    from infuse.procurement.contracts import services as contracting
    from infuse.procurement.contracts.schemas import MilestoneIn
    from tests.procurement.flows import (
        LOSER,
        POUND,
        WINNER,
        bids_in,
        confirmed,
        the_second_bid_wins,
    )

    manager = make_person("fund_manager", email="money@ccr.example")
    phase, bids = bids_in(
        make_challenge,
        make_supplier,
        manager,
        [60_000 * POUND, 80_000 * POUND],
        promises=[LOSER, WINNER],
    )
    evaluator = make_person("evaluator", email="eval@bridgend.example")
    award = the_second_bid_wins(phase, bids, buyer, second_buyer, evaluator)
    with time_machine.travel(award.standstill_ends_at + dt.timedelta(hours=2)):
        contract = confirmed(award, buyer, bids[1])
    milestones = [
        contracting.add_milestone(
            actor=buyer,
            contract=contract,
            milestone_in=MilestoneIn(
                title_en=title, due_on=due, amount_pence=amount * POUND, title_cy=f"{title} (cy)"
            ),
        )
        for title, due, amount in (
            ("Prototype", dt.date(2027, 3, 1), 30_000),
            ("Roll-out", dt.date(2027, 9, 1), 50_000),
        )
    ]
    return SimpleNamespace(
        phase=phase,
        contract=contract,
        milestones=milestones,
        winner=bids[1].person,
        loser=bids[0].person,
        buyer=buyer,
        manager=manager,
        evaluator=evaluator,
    )
