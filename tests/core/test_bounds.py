"""Every number sent to the platform has a range: out of it is a 400 naming the field, in the
person's language, and the database refuses money out of range whatever code writes it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from pydantic import ValidationError

from infuse.adaption.design.schemas import DesignIn
from infuse.core.bounds import MAX_PENCE
from infuse.fund.models import Allocation, Fund
from tests.clients import api_for

pytestmark = pytest.mark.django_db
JSON = "application/json"
HUGE = 2**63  # one more than a signed 64-bit column holds


def _refused(response, field):
    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    problems = {p["field"]: p["message"] for p in response.json()["errors"]}
    assert field in problems, problems
    return problems[field]


def test_an_allocation_too_large_for_any_column_is_a_400_in_welsh(make_challenge, make_person):
    challenge = make_challenge()
    api = api_for(make_person("fund_manager"))
    response = api.post(
        "/api/v1/fund/allocations",
        {"purpose": f"{challenge.slug}/1", "amount_pence": HUGE},
        content_type=JSON,
        HTTP_ACCEPT_LANGUAGE="cy",
    )
    message = _refused(response, "amount_pence")
    assert message == "Rhowch swm o £10,000,000,000 neu lai"


def test_a_phase_budget_too_large_is_a_400_and_the_phase_is_unchanged(make_challenge, buyer):
    challenge = make_challenge(publish=False)
    now = timezone.now()
    phase = {
        "number": 1,
        "budget_pence": HUGE,
        "contracts_planned": HUGE,
        "opens_at": now.isoformat(),
        "clarification_deadline": (now + dt.timedelta(days=5)).isoformat(),
        "submission_deadline": (now + dt.timedelta(days=10)).isoformat(),
        "evaluation_ends_on": (now + dt.timedelta(days=20)).date().isoformat(),
        "award_expected_on": (now + dt.timedelta(days=25)).date().isoformat(),
    }
    response = api_for(buyer).put(
        f"/api/v1/procurement/challenges/{challenge.slug}/phases/1", phase, content_type=JSON
    )
    assert _refused(response, "budget_pence") == "Enter an amount of £10,000,000,000 or less"
    assert _refused(response, "contracts_planned") == "Enter a number of 1,000,000 or less"
    assert challenge.phases.get(number=1).budget_pence == 10_000_000


def test_a_bid_price_of_ten_to_the_4000_is_refused_before_it_is_sealed(
    make_challenge,
    make_supplier,
):
    challenge = make_challenge()
    supplier = make_supplier()
    response = api_for(supplier).put(
        f"/api/v1/procurement/challenges/{challenge.slug}/phases/1/bid",
        f'{{"answers": {{}}, "price_pence": 1{"0" * 4000}}}',
        content_type=JSON,
    )
    _refused(response, "price_pence")
    assert not challenge.phases.get(number=1).bids.exists()


@pytest.mark.parametrize("value", ["1e400", "NaN", "Infinity"])
def test_design_numbers_must_be_finite(value):
    with pytest.raises(ValidationError):
        DesignIn.model_validate_json(f'{{"effect": {value}}}')


def test_the_database_refuses_money_out_of_range(make_challenge):
    fund = Fund.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Fund.objects.filter(pk=fund.pk).update(paid_pence=MAX_PENCE + 1)
    challenge = make_challenge()
    allocation = Allocation(fund=fund, phase=challenge.phases.get(), amount_pence=MAX_PENCE + 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        allocation.save()


def test_a_standard_deviation_too_small_to_divide_by_is_refused_on_its_field(make_person):
    """5e-324 passed the finite-number check and made the standard error underflow to 0 (a 500)."""
    from infuse.adaption.design import power
    from infuse.core.errors import InvalidInput

    with pytest.raises(InvalidInput) as raised:
        power.calculate(
            "individual_rct",
            DesignIn(effect=0.2, sd=5e-324, size=100, solve_for="power"),
            n_councils=4,
        )
    assert [p.field for p in raised.value.problems] == ["sd"]
