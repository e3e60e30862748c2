"""A contract's task list: the buyer sets and accepts milestones (accepting asks first), the
fund manager is led to the payments waiting on them, and paying asks first too."""

from __future__ import annotations

import datetime as dt

import pytest

from infuse.core.tasklist import StepStatus
from infuse.fund import services as fund
from infuse.procurement.contracts import services
from infuse.procurement.contracts.schemas import MilestoneIn
from infuse.procurement.contracts.steps import contract_steps
from infuse.procurement.models import Milestone
from tests.clients import confirm, signed_in_as
from tests.procurement.flows import POUND, bids_in, signed_contract

pytestmark = pytest.mark.django_db


@pytest.fixture
def contract(make_challenge, make_supplier, manager, buyer):
    phase, bids = bids_in(make_challenge, make_supplier, manager, [50_000 * POUND])
    made = signed_contract(
        phase,
        bids[0],
        buyer,
        value_pence=50_000 * POUND,
        starts_on=dt.date(2027, 1, 1),
        ends_on=dt.date(2027, 6, 1),
    )
    fund.commit(actor=buyer, contract=made, purpose_id=phase.pk, amount_pence=50_000 * POUND)
    return made


def keyed(person, contract):
    return {step.key: step for step in contract_steps(person, contract).steps}


def test_the_buyer_is_led_from_milestones_to_acceptance(contract, buyer, manager):
    steps = keyed(buyer, contract)
    assert steps["milestones"].status == StepStatus.NOT_STARTED and steps["milestones"].yours
    assert steps["accept"].status == StepStatus.CANNOT_START
    assert "link an indicator first" in str(steps["evaluate"].hint).lower()
    services.add_milestone(
        actor=buyer,
        contract=contract,
        milestone_in=MilestoneIn(
            title_en="Pilot", due_on=dt.date(2027, 3, 1), amount_pence=20_000 * POUND
        ),
    )
    steps = keyed(buyer, contract)
    assert steps["milestones"].status == StepStatus.COMPLETED
    assert steps["accept"].status == StepStatus.NOT_STARTED
    assert steps["pay"].status == StepStatus.CANNOT_START
    assert "Fund managers" in str(steps["pay"].who) and manager.full_name in str(steps["pay"].who)

    milestone = Milestone.objects.get()
    early = signed_in_as(manager).get(f"/procurement/milestones/{milestone.pk}/pay/", follow=True)
    assert "Accept the milestone before paying it." in early.content.decode()  # no button
    assert "Record the payment" not in early.content.decode()
    web = signed_in_as(buyer)
    asking = web.get(f"/procurement/milestones/{milestone.pk}/accept/").content.decode()
    assert "Accept the work of ‘Pilot’?" in asking and "£20,000" in asking
    assert Milestone.objects.get().accepted_at is None  # asking changed nothing
    confirm(web, f"/procurement/milestones/{milestone.pk}/accept/")
    assert Milestone.objects.get().accepted_at is not None

    paying = keyed(manager, contract)["pay"]
    assert paying.status == StepStatus.NOT_STARTED and paying.yours
    assert paying.url.endswith("#milestones")
    assert "1 accepted and waiting for payment." in str(paying.hint)
    page = signed_in_as(manager).get(f"/procurement/milestones/{milestone.pk}/pay/")
    assert "Pay £20,000 for ‘Pilot’?" in page.content.decode()
    assert (
        signed_in_as(buyer).get(f"/procurement/milestones/{milestone.pk}/pay/").status_code == 403
    )


def test_only_those_running_or_paying_are_linked_to_the_contract(
    contract, buyer, manager, make_person
):
    from infuse.procurement.challenges.steps import phase_steps

    phase = contract.award.phase
    step = {s.key: s for s in phase_steps(buyer, phase).steps}["1-contracts"]
    assert step.url == f"/procurement/contracts/{contract.pk}/"
    evaluator = make_person("evaluator")
    assert {s.key: s for s in phase_steps(evaluator, phase).steps}["1-contracts"].url == ""
    assert signed_in_as(evaluator).get(step.url).status_code == 404
