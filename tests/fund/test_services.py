"""The Challenge Fund never over-commits: allocations, commitments and payments, also when two
are made at the same moment (threads with their own database connections)."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from infuse.core.errors import Conflict, PermissionDenied
from infuse.fund import services
from infuse.fund.models import Allocation, Commitment, Fund
from infuse.fund.schemas import AllocationIn
from infuse.procurement.models import Award, Bid, Contract, Milestone

POUND = 100


def _to(phase, amount_pence):
    """The allocation of ``amount_pence`` to ``phase``, as the pages, API and CLI give it."""
    return AllocationIn(purpose=f"{phase.challenge.slug}/{phase.number}", amount_pence=amount_pence)


@pytest.fixture
def manager(make_person):
    return make_person("fund_manager", email="money@ccr.example")


@pytest.fixture
def fund():
    return Fund.objects.get(slug="challenge-fund")


def _contract(phase, supplier_person, value_pence, buyer):
    """An awarded contract for ``phase`` (award and evaluation are the procurement services'
    business; here only the money matters)."""
    from infuse.procurement.suppliers import services as suppliers

    organisation = suppliers.supplier_of(supplier_person)
    bid = Bid.objects.create(phase=phase, supplier=organisation, sealed=b"x", created_by=buyer)
    award = Award.objects.create(
        phase=phase,
        rationale="Best value",
        decided_by=buyer,
        standstill_ends_at=timezone.now(),
        status=Award.Status.CONFIRMED,
    )
    return Contract.objects.create(
        award=award,
        bid=bid,
        supplier=organisation,
        value_pence=value_pence,
        starts_on=dt.date(2026, 12, 1),
        ends_on=dt.date(2027, 6, 30),
    )


def test_financial_years_run_april_to_march():
    assert services.financial_year(dt.date(2026, 3, 31)) == "2025-26"
    assert services.financial_year(dt.date(2026, 4, 1)) == "2026-27"
    assert services.financial_year(dt.date(2099, 12, 1)) == "2099-00"


@pytest.mark.django_db
def test_the_ten_million_fund_exists_with_its_years(fund):
    assert fund.total_pence == 10_000_000 * POUND
    assert services.financial_years(fund) == ["2025-26", "2026-27", "2027-28", "2028-29"]


@pytest.mark.django_db
def test_allocations_stay_within_the_fund(fund, manager, make_challenge, buyer):
    phase = make_challenge().phases.get()
    with pytest.raises(PermissionDenied):
        services.allocate(actor=buyer, allocation_in=_to(phase, POUND))
    services.allocate(actor=manager, allocation_in=_to(phase, 9_000_000 * POUND))
    other = make_challenge(title="Smart bins").phases.get()
    with pytest.raises(Conflict) as over:
        services.allocate(actor=manager, allocation_in=_to(other, 1_000_001 * POUND))
    assert "£1,000,000 is unallocated" in str(over.value.message)
    services.allocate(actor=manager, allocation_in=_to(other, 1_000_000 * POUND))
    services.allocate(actor=manager, allocation_in=_to(phase, 8_000_000 * POUND))  # reduce
    fund.refresh_from_db()
    assert fund.allocated_pence == 9_000_000 * POUND


@pytest.mark.django_db
def test_commitments_and_payments_stay_within_what_is_there(
    fund, manager, make_challenge, make_supplier, buyer
):
    phase = make_challenge().phases.get()
    services.allocate(actor=manager, allocation_in=_to(phase, 100_000 * POUND))
    first = _contract(phase, make_supplier(), 60_000 * POUND, buyer)
    second = _contract(phase, make_supplier(), 50_000 * POUND, buyer)
    services.commit(
        actor=buyer, contract=first, purpose_id=first.award.phase_id, amount_pence=60_000 * POUND
    )
    with pytest.raises(Conflict) as over:
        services.commit(
            actor=buyer,
            contract=second,
            purpose_id=second.award.phase_id,
            amount_pence=50_000 * POUND,
        )
    assert "£40,000 is left" in str(over.value.message)
    with pytest.raises(Conflict):
        services.allocate(actor=manager, allocation_in=_to(phase, 59_999 * POUND))
    milestone = Milestone.objects.create(
        contract=first,
        title_en="Prototype",
        due_on=dt.date(2027, 2, 1),
        amount_pence=20_000 * POUND,
    )
    with pytest.raises(Conflict):
        services.pay(actor=manager, milestone=milestone)  # not accepted yet
    milestone.accepted_at = timezone.now()
    milestone.save()
    payment = services.pay(actor=manager, milestone=milestone, paid_on=dt.date(2027, 4, 2))
    assert payment.financial_year == "2027-28"
    with pytest.raises(Conflict):
        services.pay(actor=manager, milestone=milestone)
    fund.refresh_from_db()
    assert (fund.allocated_pence, fund.committed_pence, fund.paid_pence) == (
        100_000 * POUND,
        60_000 * POUND,
        20_000 * POUND,
    )
    rows = services.portfolio(actor=manager, fund=fund)
    assert rows["theme"][0].key == "decarbonisation"
    assert rows["theme"][0].committed_pence == 60_000 * POUND
    assert {r.key for r in rows["council"]} == {"W06000022", "W06000015"}
    assert [r.paid_pence for r in rows["financial_year"] if r.key == "2027-28"] == [20_000 * POUND]


@pytest.mark.django_db
def test_the_database_itself_refuses_an_overdrawn_allocation(fund, manager, make_challenge):
    phase = make_challenge().phases.get()
    allocation = services.allocate(actor=manager, allocation_in=_to(phase, 10 * POUND))
    with pytest.raises(IntegrityError), transaction.atomic():
        Allocation.objects.filter(pk=allocation.pk).update(committed_pence=11 * POUND)


def _at_once(*calls):
    """Run the calls in threads that start together and each hold their transaction open a
    moment after changing, so the changes really overlap (on PostgreSQL both transactions run
    at once; SQLite makes the second wait for the first); return what each did."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[object] = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout=10)
            with transaction.atomic():
                outcomes[i] = call()
                time.sleep(0.3)
        except Exception as error:
            outcomes[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_commitments_at_the_same_moment_never_exceed_the_allocation(
    fund, manager, make_challenge, make_supplier, buyer
):
    phase = make_challenge().phases.get()
    services.allocate(actor=manager, allocation_in=_to(phase, 100_000 * POUND))
    first = _contract(phase, make_supplier(), 60_000 * POUND, buyer)
    second = _contract(phase, make_supplier(), 60_000 * POUND, buyer)
    outcomes = _at_once(
        lambda: services.commit(
            actor=buyer,
            contract=first,
            purpose_id=first.award.phase_id,
            amount_pence=60_000 * POUND,
        ),
        lambda: services.commit(
            actor=buyer,
            contract=second,
            purpose_id=second.award.phase_id,
            amount_pence=60_000 * POUND,
        ),
    )
    made = [o for o in outcomes if isinstance(o, Commitment)]
    refused = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(made) == 1 and len(refused) == 1, outcomes
    allocation = Allocation.objects.get(phase=phase)
    assert allocation.committed_pence == 60_000 * POUND
    assert Commitment.objects.count() == 1
    fund.refresh_from_db()
    assert fund.committed_pence == 60_000 * POUND


@pytest.mark.django_db(transaction=True)
def test_two_allocations_at_the_same_moment_never_exceed_the_fund(fund, manager, make_challenge):
    one = make_challenge().phases.get()
    two = make_challenge(title="Smart bins").phases.get()
    outcomes = _at_once(
        lambda: services.allocate(actor=manager, allocation_in=_to(one, 6_000_000 * POUND)),
        lambda: services.allocate(actor=manager, allocation_in=_to(two, 6_000_000 * POUND)),
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["Allocation", "Conflict"], outcomes
    fund.refresh_from_db()
    assert fund.allocated_pence == 6_000_000 * POUND
    assert Allocation.objects.count() == 1
