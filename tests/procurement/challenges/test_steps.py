"""A challenge's task lists: getting it ready and published (with a confirmation first), then
each phase from questions to contracts, with the steps that wait on someone else named."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.test import Client

from infuse.core.tasklist import StepStatus
from infuse.procurement.bids import services as bidding
from infuse.procurement.challenges.steps import phase_steps, preparation_steps
from infuse.procurement.models import Challenge
from tests.clients import signed_in_as
from tests.procurement.flows import bids_in

pytestmark = pytest.mark.django_db


def test_a_ready_draft_asks_to_confirm_before_it_is_published(
    make_challenge: Callable[..., Any], buyer: Any
) -> None:
    challenge = make_challenge(publish=False)
    tasks = preparation_steps(buyer, challenge)
    assert [s.status for s in tasks.steps] == [StepStatus.COMPLETED] * 3 + [StepStatus.NOT_STARTED]
    assert tasks.next_step is not None and tasks.next_step.key == "publish"
    web = signed_in_as(buyer)
    url = f"/procurement/challenges/{challenge.slug}/"
    page = web.get(url).content.decode()
    assert "Getting it ready" in page and f'href="{url}publish/"' in page
    asking = web.get(f"{url}publish/").content.decode()
    assert "Publish the challenge?" in asking and "This cannot be undone." in asking
    assert not Challenge.objects.get().is_published
    assert web.post(f"{url}publish/")["Location"] == f"{url}#steps"
    assert Challenge.objects.get().is_published


def test_a_draft_without_phases_says_what_comes_first(
    make_challenge: Callable[..., Any], buyer: Any, make_person: Callable[..., Any]
) -> None:
    challenge = make_challenge(publish=False)
    challenge.phases.all().delete()
    steps = {s.key: s for s in preparation_steps(buyer, challenge).steps}
    assert steps["phases"].status == StepStatus.NOT_STARTED
    assert steps["phases"].url.endswith("/phases/1/edit/")
    assert steps["criteria"].status == StepStatus.CANNOT_START
    assert steps["publish"].status == StepStatus.CANNOT_START
    # An evaluator of the region reads the steps but can take none of them.
    evaluator = make_person("evaluator")
    assert all(not s.url for s in preparation_steps(evaluator, challenge).steps)


def test_a_closed_phase_waits_on_the_opening_and_names_who_asked(
    make_challenge: Callable[..., Any],
    make_supplier: Callable[..., Any],
    manager: Any,
    buyer: Any,
    second_buyer: Any,
) -> None:
    phase, _bids = bids_in(make_challenge, make_supplier, manager, [50_000_00])
    steps = {s.key: s for s in phase_steps(buyer, phase).steps}
    assert steps["1-fund"].status == StepStatus.COMPLETED
    assert steps["1-open"].status == StepStatus.CANNOT_START
    assert "sealed until the deadline" in str(steps["1-open"].hint)
    with time_machine.travel(phase.submission_deadline + dt.timedelta(hours=1)):
        steps = {s.key: s for s in phase_steps(buyer, phase).steps}
        assert steps["1-open"].status == StepStatus.NOT_STARTED
        assert steps["1-open"].url.endswith("/phases/1/opening/")
        assert steps["1-evaluate"].status == StepStatus.CANNOT_START
        web = signed_in_as(buyer)
        asking = web.get(steps["1-open"].url).content.decode()
        assert "Ask to open the bids?" in asking and "second, different" in asking
        web.post(steps["1-open"].url)
        phase.refresh_from_db()
        mine = {s.key: s for s in phase_steps(buyer, phase).steps}["1-open"]
        assert not mine.yours and mine.url == "" and "You asked" in str(mine.hint)
        assert second_buyer.full_name in str(mine.who)  # who can confirm, by name
        again = signed_in_as(buyer).get(steps["1-open"].url, follow=True).content.decode()
        assert "two-person rule" in again and "Confirm the opening" not in again
        steps = {s.key: s for s in phase_steps(second_buyer, phase).steps}
        assert steps["1-open"].status == StepStatus.IN_PROGRESS
        assert buyer.full_name in str(steps["1-open"].hint)
        confirming = signed_in_as(second_buyer).get(steps["1-open"].url).content.decode()
        assert "Open the bids?" in confirming and "This cannot be undone." in confirming
        bidding.confirm_opening(actor=second_buyer, phase=phase)
        steps = {s.key: s for s in phase_steps(buyer, phase).steps}
        assert steps["1-open"].status == StepStatus.COMPLETED
        assert steps["1-evaluate"].status == StepStatus.CANNOT_START
        assert "panel must be chosen" in str(steps["1-evaluate"].hint)
        assert steps["1-panel"].url.endswith("/phases/1/evaluators/")


def test_the_public_and_suppliers_see_no_task_list(
    make_challenge: Callable[..., Any], make_supplier: Callable[..., Any]
) -> None:
    challenge = make_challenge()
    url = f"/procurement/challenges/{challenge.slug}/"
    assert "govuk-task-list" not in Client().get(url).content.decode()
    assert "govuk-task-list" not in signed_in_as(make_supplier()).get(url).content.decode()


def test_a_fund_manager_is_led_to_set_money_aside(
    make_challenge: Callable[..., Any], manager: Any
) -> None:
    challenge = make_challenge()
    fund_step = {s.key: s for s in phase_steps(manager, challenge.phases.get()).steps}["1-fund"]
    assert fund_step.status == StepStatus.NOT_STARTED and fund_step.yours
    assert fund_step.url == f"/fund/allocations/new/?purpose={challenge.slug}/1"
    form = signed_in_as(manager).get(fund_step.url).content.decode()
    assert f'value="{challenge.slug}/1" selected' in form


def test_the_panel_is_named_only_to_those_running_the_challenge_and_to_itself(
    make_challenge: Callable[..., Any], buyer: Any, make_person: Callable[..., Any]
) -> None:
    from infuse.procurement.evaluation.schemas import PanelIn
    from infuse.procurement.evaluation.services import assign_evaluators

    phase = make_challenge().phases.get()
    judge = make_person("evaluator", full_name="Gwen Judge")
    assign_evaluators(actor=buyer, phase=phase, panel_in=PanelIn(evaluators=[judge.email]))
    named = {s.key: s for s in phase_steps(buyer, phase).steps}["1-evaluate"]
    assert "Gwen Judge" in str(named.who)
    assert "Gwen Judge" in str(
        {s.key: s for s in phase_steps(judge, phase).steps}["1-evaluate"].who
    )
    officer = make_person("officer")  # another council's staff: the panel stays unnamed
    unnamed = {s.key: s for s in phase_steps(officer, phase).steps}["1-evaluate"]
    assert "Gwen Judge" not in str(unnamed.who)
