"""Supplier use cases: registration checks, colleagues joining by invitation, an invitation
that never opens someone else's account, and the list of the organisation's bids."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from infuse.core.errors import Conflict, InvalidInput
from infuse.procurement.bids import services as bidding
from infuse.procurement.bids.schemas import BidIn
from infuse.procurement.suppliers import services as suppliers
from infuse.procurement.suppliers.schemas import InvitationIn, JoinIn, SupplierIn
from tests.conftest import PASSWORD as PASSWORD_OF_FIXTURES
from tests.procurement.flows import POUND, signed_contract

pytestmark = pytest.mark.django_db


def test_supplier_registration_checks_what_it_is_told(make_supplier):
    with pytest.raises(InvalidInput) as refused:
        suppliers.register_supplier(
            supplier_in=SupplierIn(
                email="a@b.example",
                full_name="A",
                password="correct-horse-battery",
                name="",
                address="",
                postcode="CF1",
                companies_house_number="12",
            ),
        )
    assert {p.field for p in refused.value.problems} == {
        "name",
        "address",
        "postcode",
        "companies_house_number",
    }
    person = make_supplier("Dragon Vans Ltd")
    organisation = suppliers.supplier_of(person)
    assert organisation.supplier_profile.is_sme and organisation.kind == "supplier"
    with pytest.raises(InvalidInput) as duplicate:
        suppliers.register_supplier(
            supplier_in=SupplierIn(
                email="other@dragon.example",
                full_name="Other",
                password="correct-horse-battery",
                name="Dragon Vans",
                address="x",
                postcode="CF10 1AA",
                companies_house_number=organisation.supplier_profile.companies_house_number,
            ),
        )
    assert "invite you" in str(duplicate.value.problems[0].message)


def test_a_colleague_joins_by_invitation_once(make_supplier):
    person = make_supplier()
    token = suppliers.invite_colleague(
        actor=person, invitation_in=InvitationIn(email="Colleague@Supplier1.example")
    )
    colleague = suppliers.accept_invitation(
        token=token, join_in=JoinIn(full_name="Colleague", password="correct-horse-battery")
    )
    assert suppliers.supplier_of(colleague) == suppliers.supplier_of(person)
    with pytest.raises(Conflict):
        suppliers.accept_invitation(
            token=token, join_in=JoinIn(full_name="X", password="correct-horse-battery")
        )
    expired = suppliers.invite_colleague(
        actor=person, invitation_in=InvitationIn(email="late@supplier1.example")
    )
    with time_machine.travel(timezone.now() + dt.timedelta(days=15)), pytest.raises(Conflict):
        suppliers.accept_invitation(
            token=expired, join_in=JoinIn(full_name="X", password="correct-horse-battery")
        )


def test_an_invitation_never_opens_an_existing_account(make_supplier, buyer, make_person):
    """Inviting a council officer's email must not hand their account to the link's holder."""
    from infuse.core.permissions import forget_roles, roles_of

    supplier = make_supplier()
    token = suppliers.invite_colleague(
        actor=supplier, invitation_in=InvitationIn(email="buyer@newport.example")
    )
    with pytest.raises(Conflict) as refused:
        suppliers.accept_invitation(
            token=token, join_in=JoinIn(full_name="Mallory", password="x" * 20)
        )
    assert "sign in as buyer@newport.example" in str(refused.value.message)
    with pytest.raises(Conflict) as council:
        suppliers.accept_invitation(
            token=token, actor=buyer, join_in=JoinIn(full_name="", password="")
        )
    assert "cannot join a supplier" in str(council.value.message)
    forget_roles(buyer)
    assert "supplier" not in roles_of(buyer)
    buyer.refresh_from_db()
    assert buyer.check_password(PASSWORD_OF_FIXTURES)
    # Someone with an account and no other ties joins once signed in as themselves.
    loner = make_person(email="loner@elsewhere.example")
    again = suppliers.invite_colleague(
        actor=supplier, invitation_in=InvitationIn(email="loner@elsewhere.example")
    )
    assert (
        suppliers.accept_invitation(
            token=again, actor=loner, join_in=JoinIn(full_name="", password="")
        )
        == loner
    )
    assert suppliers.supplier_of(loner) == suppliers.supplier_of(supplier)


def test_a_suppliers_bids_say_in_one_question_whether_their_phases_were_decided(
    make_challenge, make_supplier, buyer
):
    """The supplier's list of bids links feedback where a phase has had an award decision:
    known with the bids themselves, however many there are."""
    supplier = make_supplier()
    phases = [make_challenge(title=f"Challenge {n}").phases.get() for n in range(3)]
    for phase in phases:
        answers = {str(c.pk): "Our plan" for c in phase.criteria.exclude(kind="price")}
        bid = bidding.save_bid(
            actor=supplier, phase=phase, bid_in=BidIn(answers=answers, price_pence=100 * POUND)
        )
        bidding.submit_bid(actor=supplier, bid=bid)
    decided = phases[1]
    signed_contract(
        decided,
        decided.bids.get(),
        buyer,
        value_pence=100 * POUND,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + dt.timedelta(days=90),
    )
    _organisation, bids = suppliers.supplier_bids(actor=supplier)
    with CaptureQueriesContext(connection) as asked:
        shown = {bid.phase_id: bid.phase_decided for bid in bids}
    assert len(asked.captured_queries) == 1
    assert shown == {phase.pk: phase.awards.exists() for phase in phases}
    assert list(shown.values()).count(True) == 1
