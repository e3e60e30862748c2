"""Sealed bids: never in plaintext, read by nobody before the two-person opening, locked by the
server's clock, complete when submitted, each supplier's own, and keys that can be rotated."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import override_settings

from infuse.core import files, keyring
from infuse.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from infuse.procurement import sealing
from infuse.procurement.bids import services as bidding
from infuse.procurement.bids.schemas import BidIn
from infuse.procurement.models import Bid, Phase
from infuse.procurement.suppliers import services as suppliers
from infuse.procurement.suppliers.schemas import InvitationIn, JoinIn
from tests.procurement.flows import answers_for, phase_of

pytestmark = pytest.mark.django_db


def test_bid_contents_are_never_in_the_database_or_on_disk_in_plaintext(
    make_challenge, make_supplier
):
    challenge = make_challenge()
    phase = phase_of(challenge)
    supplier = make_supplier()
    secret = "Hydrogen retrofit with Welsh-built fuel cells"
    bid = bidding.save_bid(
        actor=supplier,
        phase=phase,
        bid_in=BidIn(answers=answers_for(phase, secret), price_pence=987_654_32),
    )
    bidding.add_bid_document(
        actor=supplier,
        bid=bid,
        upload=files.Upload(
            "technical-proposal.txt", "text/plain", [b"TOP SECRET FUEL CELL DESIGN " * 50]
        ),
    )
    bidding.submit_bid(actor=supplier, bid=bid)
    with connection.cursor() as cursor:
        cursor.execute("SELECT sealed FROM procurement_bid WHERE id = %s", [bid.pk])
        (raw,) = cursor.fetchone()
        cursor.execute("SELECT * FROM procurement_biddocument WHERE bid_id = %s", [bid.pk])
        document_row = cursor.fetchone()
    raw = bytes(raw)
    for plaintext in (secret, "98765432", "technical-proposal", "Welsh-built"):
        assert plaintext.encode() not in raw
        assert plaintext.encode("utf-16-le") not in raw
    assert "technical-proposal" not in repr(document_row)
    on_disk = files.resolve(bid.documents.get().path).read_bytes()
    assert b"FUEL CELL" not in on_disk and len(on_disk) > 1000
    # The supplier reads it back whole.
    content = bidding.read_bid(actor=supplier, bid=bid)
    assert content.price_pence == 987_654_32 and secret in next(iter(content.answers.values()))


def test_nobody_reads_a_bid_before_the_two_person_opening(
    make_challenge, make_supplier, buyer, second_buyer, admin_person, make_person
):
    challenge = make_challenge()
    phase = phase_of(challenge)
    supplier = make_supplier()
    bid = bidding.save_bid(
        actor=supplier, phase=phase, bid_in=BidIn(answers=answers_for(phase), price_pence=5000)
    )
    bidding.submit_bid(actor=supplier, bid=bid)
    evaluator = make_person("evaluator")
    phase.evaluators.add(evaluator)
    for person in (buyer, second_buyer, admin_person, evaluator, AnonymousUser()):
        with pytest.raises(PermissionDenied):
            bidding.read_bid(actor=person, bid=bid)
    with pytest.raises(Conflict) as early:
        bidding.request_opening(actor=buyer, phase=phase)
    assert "after the deadline" in str(early.value.message)
    with time_machine.travel(phase.submission_deadline + dt.timedelta(minutes=1)):
        assert phase.state == Phase.State.CLOSED
        bidding.request_opening(actor=buyer, phase=phase)
        with pytest.raises(PermissionDenied):
            bidding.read_bid(actor=buyer, bid=bid)  # asked, not yet confirmed
        with pytest.raises(Conflict) as alone:
            bidding.confirm_opening(actor=buyer, phase=phase)
        assert "two-person rule" in str(alone.value.message)
        with pytest.raises(PermissionDenied):
            bidding.confirm_opening(actor=admin_person, phase=phase)
        bidding.confirm_opening(actor=second_buyer, phase=phase)
        phase.refresh_from_db()
        assert phase.state == Phase.State.EVALUATION
        assert bidding.read_bid(actor=buyer, bid=bid).price_pence == 5000
        with pytest.raises(PermissionDenied):
            bidding.read_bid(actor=admin_person, bid=bid)  # programme admins included
        with pytest.raises(PermissionDenied):
            bidding.read_bid(actor=evaluator, bid=bid)  # no conflict declaration yet
    from infuse.core.models import AuditEvent

    opened = AuditEvent.objects.filter(action__startswith="bids.open").order_by("pk")
    assert [e.action for e in opened] == ["bids.opening_requested", "bids.opened"]
    assert opened[0].actor == buyer and opened[1].actor == second_buyer


def test_the_server_clock_locks_bids_at_the_deadline(make_challenge, make_supplier):
    challenge = make_challenge()
    phase = phase_of(challenge)
    supplier = make_supplier()
    bid = bidding.save_bid(
        actor=supplier, phase=phase, bid_in=BidIn(answers=answers_for(phase), price_pence=100)
    )
    with time_machine.travel(phase.submission_deadline - dt.timedelta(seconds=1), tick=False):
        bidding.save_bid(
            actor=supplier, phase=phase, bid_in=BidIn(answers=answers_for(phase), price_pence=90)
        )
        bidding.submit_bid(actor=supplier, bid=bid)
    with time_machine.travel(phase.submission_deadline, tick=False):
        for change in (
            lambda: bidding.save_bid(
                actor=supplier,
                phase=phase,
                bid_in=BidIn(answers=answers_for(phase), price_pence=80),
            ),
            lambda: bidding.submit_bid(actor=supplier, bid=bid),
            lambda: bidding.withdraw_bid(actor=supplier, bid=bid),
            lambda: bidding.add_bid_document(
                actor=supplier, bid=bid, upload=files.Upload("late.pdf", "", [b"x"])
            ),
        ):
            with pytest.raises(Conflict) as late:
                change()
            assert "can no longer be made or changed" in str(late.value.message)
    latecomer = make_supplier()
    with (
        time_machine.travel(phase.submission_deadline + dt.timedelta(hours=1)),
        pytest.raises(Conflict),
    ):
        bidding.save_bid(actor=latecomer, phase=phase, bid_in=BidIn(answers={}, price_pence=1))
    assert bidding.read_bid(actor=supplier, bid=bid).price_pence == 90
    assert list(phase.received_bids()) == [bid]


def test_a_submitted_bid_answers_every_criterion_with_a_price(make_challenge, make_supplier):
    phase = phase_of(make_challenge())
    supplier = make_supplier()
    bid = bidding.save_bid(actor=supplier, phase=phase, bid_in=BidIn(answers={}, price_pence=None))
    with pytest.raises(InvalidInput) as incomplete:
        bidding.submit_bid(actor=supplier, bid=bid)
    assert {p.field for p in incomplete.value.problems} == {
        f"answer_{c.pk}" for c in phase.criteria.exclude(kind="price")
    } | {"price"}


def test_suppliers_see_only_their_own_bids(make_challenge, make_supplier):
    phase = phase_of(make_challenge())
    first, second = make_supplier(), make_supplier()
    bid = bidding.save_bid(
        actor=first, phase=phase, bid_in=BidIn(answers=answers_for(phase), price_pence=100)
    )
    bidding.save_bid(actor=second, phase=phase, bid_in=BidIn(answers={}, price_pence=200))
    assert bidding.own_bid(actor=second, phase=phase) != bid
    with pytest.raises(PermissionDenied):
        bidding.read_bid(actor=second, bid=bid)
    for change in (
        lambda: bidding.submit_bid(actor=second, bid=bid),
        lambda: bidding.withdraw_bid(actor=second, bid=bid),
        lambda: bidding.add_bid_document(
            actor=second, bid=bid, upload=files.Upload("x", "", [b"x"])
        ),
    ):
        with pytest.raises(NotFound):
            change()
    # A colleague of the first supplier works on the same bid.
    token = suppliers.invite_colleague(
        actor=first, invitation_in=InvitationIn(email="colleague@first.example")
    )
    colleague = suppliers.accept_invitation(
        token=token, join_in=JoinIn(full_name="Colleague", password="correct-horse-battery")
    )
    assert bidding.own_bid(actor=colleague, phase=phase) == bid
    assert bidding.read_bid(actor=colleague, bid=bid).price_pence == 100


def test_sealed_bytes_moved_to_another_bid_do_not_open(make_challenge, make_supplier):
    phase = phase_of(make_challenge())
    first, second = make_supplier(), make_supplier()
    a = bidding.save_bid(
        actor=first, phase=phase, bid_in=BidIn(answers=answers_for(phase), price_pence=100)
    )
    b = bidding.save_bid(actor=second, phase=phase, bid_in=BidIn(answers={}, price_pence=200))
    Bid.objects.filter(pk=b.pk).update(sealed=a.sealed)
    b.refresh_from_db()
    with pytest.raises(sealing.SealError):
        bidding.read_bid(actor=second, bid=b)


def test_rotating_the_master_key_keeps_every_bid_readable(make_challenge, make_supplier, settings):
    phase = phase_of(make_challenge())
    supplier = make_supplier()
    bid = bidding.save_bid(
        actor=supplier, phase=phase, bid_in=BidIn(answers=answers_for(phase), price_pence=42)
    )
    old = list(settings.BID_KEYS)
    new = keyring.parse_keys(keyring.new_key("k2"), "INFUSE_BID_KEYS")
    with override_settings(BID_KEYS=new + old):
        assert bidding.rotate_keys() == 1
        assert bidding.rotate_keys() == 0
    phase.challenge.refresh_from_db()
    assert phase.challenge.key_id == "k2"
    with override_settings(BID_KEYS=new):  # the old master key retired
        bid = Bid.objects.get(pk=bid.pk)
        assert bidding.read_bid(actor=supplier, bid=bid).price_pence == 42
    with override_settings(BID_KEYS=old), pytest.raises(sealing.SealError):
        bidding.read_bid(actor=supplier, bid=Bid.objects.get(pk=bid.pk))


def test_a_submitted_bid_emptied_later_no_longer_counts(make_challenge, make_supplier):
    phase = phase_of(make_challenge())
    supplier = make_supplier()
    bid = bidding.save_bid(
        actor=supplier, phase=phase, bid_in=BidIn(answers=answers_for(phase), price_pence=500)
    )
    bidding.submit_bid(actor=supplier, bid=bid)
    bidding.save_bid(
        actor=supplier, phase=phase, bid_in=BidIn(answers=answers_for(phase), price_pence=None)
    )
    bid.refresh_from_db()
    assert bid.submitted_at is None and not phase.received_bids().exists()
    bidding.save_bid(
        actor=supplier, phase=phase, bid_in=BidIn(answers=answers_for(phase), price_pence=400)
    )
    bid.refresh_from_db()
    assert bid.submitted_at is None  # saving does not submit; submitting does
    bidding.submit_bid(actor=supplier, bid=bid)
    bidding.save_bid(
        actor=supplier, phase=phase, bid_in=BidIn(answers=answers_for(phase), price_pence=450)
    )
    bid.refresh_from_db()
    assert bid.submitted_at is not None  # still complete: still submitted


def test_a_bid_id_is_not_found_for_anyone_who_may_not_know_it_exists(
    make_challenge, make_supplier, buyer
):
    """Another supplier gets the same answer for a real bid id as for a made-up one; the
    challenge's officers know bids exist, so they are told why they may not read one yet."""
    from tests.clients import api_for

    phase = phase_of(make_challenge())
    bid = bidding.save_bid(
        actor=make_supplier(), phase=phase, bid_in=BidIn(answers={}, price_pence=100)
    )
    other = api_for(make_supplier())
    assert other.get(f"/api/v1/procurement/bids/{bid.pk}").status_code == 404
    assert other.get("/api/v1/procurement/bids/999999").status_code == 404
    assert other.get(f"/api/v1/procurement/bids/{bid.pk}/feedback").status_code == 404
    assert api_for(buyer).get(f"/api/v1/procurement/bids/{bid.pk}").status_code == 403


def test_the_audit_log_says_nothing_of_a_sealed_bid_before_opening(make_challenge, make_supplier):
    from infuse.core.models import AuditEvent

    phase = phase_of(make_challenge())
    supplier = make_supplier()
    bid = bidding.save_bid(
        actor=supplier, phase=phase, bid_in=BidIn(answers=answers_for(phase), price_pence=100)
    )
    bidding.add_bid_document(
        actor=supplier,
        bid=bid,
        upload=files.Upload(name="plan.pdf", content_type="application/pdf", chunks=[b"%PDF-1.4"]),
    )
    for event in AuditEvent.objects.filter(object_type="procurement.bid"):
        assert set(event.after) <= {"phase", "supplier"}, (event.action, event.after)
