"""The Procurement Lab's services: challenges, suppliers, clarifications, sealed bids, opening."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from infuse.core import files
from infuse.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from infuse.core.models import Person
from infuse.procurement import sealing
from infuse.procurement.bids import services as bidding
from infuse.procurement.bids.schemas import BidIn
from infuse.procurement.challenges import services as challenges
from infuse.procurement.challenges.schemas import PhaseIn
from infuse.procurement.evaluation import services as evaluation
from infuse.procurement.evaluation.schemas import DeclarationIn, PanelIn
from infuse.procurement.models import Bid, Challenge, Phase
from infuse.procurement.questions import services as questions
from infuse.procurement.questions.schemas import AnswerIn, QuestionIn
from infuse.procurement.suppliers import services as suppliers
from infuse.procurement.suppliers.schemas import InvitationIn, JoinIn, SupplierIn
from tests.conftest import PASSWORD as PASSWORD_OF_FIXTURES
from tests.procurement.conftest import criteria_fields

pytestmark = pytest.mark.django_db


def _phase(challenge: Challenge) -> Phase:
    return challenge.phases.get(number=1)


def _answers(phase: Phase, text: str = "We convert vans to hydrogen") -> dict[str, str]:
    return {str(c.pk): f"{text} ({c.title_en})" for c in phase.criteria.exclude(kind="price")}


# --- Challenges ---------------------------------------------------------------------------------


def test_criteria_must_weigh_100_with_price_and_social_value(make_challenge, buyer):
    challenge = make_challenge(publish=False)
    phase = _phase(challenge)
    wrong = criteria_fields()
    wrong[0].weight = 45
    with pytest.raises(InvalidInput) as refused:
        challenges.set_criteria(actor=buyer, phase=phase, criteria=wrong)
    assert "add up to 95%" in str(refused.value.problems[0].message)
    no_goal = criteria_fields()
    no_goal[1].goal = ""
    no_price = [c for c in criteria_fields() if c.kind != "price"]
    no_price[0].weight = 90
    for fields, text in ((no_goal, "well-being goal"), (no_price, "price")):
        with pytest.raises(InvalidInput) as refused:
            challenges.set_criteria(actor=buyer, phase=phase, criteria=fields)
        assert any(text in str(p.message) for p in refused.value.problems)


def test_a_draft_is_hidden_until_published_and_then_fixed(make_challenge, buyer, make_person):
    challenge = make_challenge(publish=False)
    public = AnonymousUser()
    with pytest.raises(NotFound):
        challenges.get_challenge(actor=public, slug=challenge.slug)
    assert challenges.get_challenge(actor=make_person("officer"), slug=challenge.slug)
    assert challenge.phases.get().state == Phase.State.DRAFT
    challenges.publish_challenge(actor=buyer, challenge=challenge)
    assert challenges.get_challenge(actor=public, slug=challenge.slug) == challenge
    assert challenge.phases.get().state == Phase.State.OPEN
    with pytest.raises(Conflict):
        challenges.set_criteria(actor=buyer, phase=_phase(challenge), criteria=criteria_fields())


def test_publishing_needs_welsh_and_a_future_deadline(make_challenge, buyer):
    challenge = make_challenge(publish=False)
    challenge.summary_cy = ""
    challenge.save()
    with pytest.raises(InvalidInput) as refused:
        challenges.publish_challenge(actor=buyer, challenge=challenge)
    assert "in Welsh" in str(refused.value.problems[0].message)


def test_a_timetable_out_of_order_is_refused(make_challenge, buyer):
    challenge = make_challenge(publish=False)
    now = timezone.now()
    with pytest.raises(InvalidInput) as refused:
        challenges.save_phase(
            actor=buyer,
            challenge=challenge,
            phase_in=PhaseIn(
                number=2,
                budget_pence=100,
                contracts_planned=1,
                opens_at=now,
                clarification_deadline=now + dt.timedelta(days=9),
                submission_deadline=now + dt.timedelta(days=3),
                evaluation_ends_on=now.date(),
                award_expected_on=now.date(),
            ),
        )
    assert {p.field for p in refused.value.problems} >= {"submission_deadline"}


def test_only_procurement_officers_of_the_owner_or_programme_run_a_challenge(
    make_challenge, make_person, second_buyer
):
    challenge = make_challenge(publish=False)
    cardiff_officer = make_person("officer")
    with pytest.raises(PermissionDenied):
        challenges.publish_challenge(actor=cardiff_officer, challenge=challenge)
    challenges.publish_challenge(actor=second_buyer, challenge=challenge)  # the programme team


# --- Suppliers ----------------------------------------------------------------------------------


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


# --- Clarifications -----------------------------------------------------------------------------


def test_questions_are_private_and_answers_public_without_the_asker(
    make_challenge, make_supplier, buyer
):
    challenge = make_challenge()
    phase = _phase(challenge)
    asker = make_supplier("Asking Ltd")
    asked = questions.ask_question(
        actor=asker, phase=phase, question_in=QuestionIn(question="Asking Ltd wants to know: LPG?")
    )
    assert list(phase.published_clarifications()) == []
    questions.answer_question(
        actor=buyer,
        clarification=asked,
        answer_in=AnswerIn(
            published_question_en="Are LPG vehicles in scope?",
            published_question_cy="A yw cerbydau LPG o fewn y cwmpas?",
            answer_en="No: zero emission at the tailpipe only.",
            answer_cy="Na: allyriadau sero o'r bibell wacáu yn unig.",
        ),
    )
    published = phase.published_clarifications().get()
    assert published.published_question_en == "Are LPG vehicles in scope?"
    assert "Asking" not in published.published_question_en + published.answer_en
    with time_machine.travel(phase.clarification_deadline), pytest.raises(Conflict) as late:
        questions.ask_question(
            actor=asker, phase=phase, question_in=QuestionIn(question="One more?")
        )
    assert "Questions closed" in str(late.value.message)


# --- Sealed bids --------------------------------------------------------------------------------


def test_bid_contents_are_never_in_the_database_or_on_disk_in_plaintext(
    make_challenge, make_supplier
):
    challenge = make_challenge()
    phase = _phase(challenge)
    supplier = make_supplier()
    secret = "Hydrogen retrofit with Welsh-built fuel cells"
    bid = bidding.save_bid(
        actor=supplier,
        phase=phase,
        bid_in=BidIn(answers=_answers(phase, secret), price_pence=987_654_32),
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
    phase = _phase(challenge)
    supplier = make_supplier()
    bid = bidding.save_bid(
        actor=supplier, phase=phase, bid_in=BidIn(answers=_answers(phase), price_pence=5000)
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
    phase = _phase(challenge)
    supplier = make_supplier()
    bid = bidding.save_bid(
        actor=supplier, phase=phase, bid_in=BidIn(answers=_answers(phase), price_pence=100)
    )
    with time_machine.travel(phase.submission_deadline - dt.timedelta(seconds=1), tick=False):
        bidding.save_bid(
            actor=supplier, phase=phase, bid_in=BidIn(answers=_answers(phase), price_pence=90)
        )
        bidding.submit_bid(actor=supplier, bid=bid)
    with time_machine.travel(phase.submission_deadline, tick=False):
        for change in (
            lambda: bidding.save_bid(
                actor=supplier, phase=phase, bid_in=BidIn(answers=_answers(phase), price_pence=80)
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
    phase = _phase(make_challenge())
    supplier = make_supplier()
    bid = bidding.save_bid(actor=supplier, phase=phase, bid_in=BidIn(answers={}, price_pence=None))
    with pytest.raises(InvalidInput) as incomplete:
        bidding.submit_bid(actor=supplier, bid=bid)
    assert {p.field for p in incomplete.value.problems} == {
        f"answer_{c.pk}" for c in phase.criteria.exclude(kind="price")
    } | {"price"}


def test_suppliers_see_only_their_own_bids(make_challenge, make_supplier):
    phase = _phase(make_challenge())
    first, second = make_supplier(), make_supplier()
    bid = bidding.save_bid(
        actor=first, phase=phase, bid_in=BidIn(answers=_answers(phase), price_pence=100)
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
    phase = _phase(make_challenge())
    first, second = make_supplier(), make_supplier()
    a = bidding.save_bid(
        actor=first, phase=phase, bid_in=BidIn(answers=_answers(phase), price_pence=100)
    )
    b = bidding.save_bid(actor=second, phase=phase, bid_in=BidIn(answers={}, price_pence=200))
    Bid.objects.filter(pk=b.pk).update(sealed=a.sealed)
    b.refresh_from_db()
    with pytest.raises(sealing.SealError):
        bidding.read_bid(actor=second, bid=b)


def test_rotating_the_master_key_keeps_every_bid_readable(make_challenge, make_supplier, settings):
    phase = _phase(make_challenge())
    supplier = make_supplier()
    bid = bidding.save_bid(
        actor=supplier, phase=phase, bid_in=BidIn(answers=_answers(phase), price_pence=42)
    )
    old = list(settings.BID_KEYS)
    new = sealing.parse_keys(sealing.new_master_key("k2"))
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


def test_bad_master_keys_are_named_at_start_up():
    with pytest.raises(ValueError, match="32-byte key"):
        sealing.parse_keys("k1:c2hvcnQ")
    with pytest.raises(ValueError, match="32-byte key"):
        sealing.parse_keys(":" + sealing.new_master_key("x").split(":")[1])
    assert Person  # imported for type context in other tests


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


def test_a_submitted_bid_emptied_later_no_longer_counts(make_challenge, make_supplier):
    phase = _phase(make_challenge())
    supplier = make_supplier()
    bid = bidding.save_bid(
        actor=supplier, phase=phase, bid_in=BidIn(answers=_answers(phase), price_pence=500)
    )
    bidding.submit_bid(actor=supplier, bid=bid)
    bidding.save_bid(
        actor=supplier, phase=phase, bid_in=BidIn(answers=_answers(phase), price_pence=None)
    )
    bid.refresh_from_db()
    assert bid.submitted_at is None and not phase.received_bids().exists()
    bidding.save_bid(
        actor=supplier, phase=phase, bid_in=BidIn(answers=_answers(phase), price_pence=400)
    )
    bid.refresh_from_db()
    assert bid.submitted_at is None  # saving does not submit; submitting does
    bidding.submit_bid(actor=supplier, bid=bid)
    bidding.save_bid(
        actor=supplier, phase=phase, bid_in=BidIn(answers=_answers(phase), price_pence=450)
    )
    bid.refresh_from_db()
    assert bid.submitted_at is not None  # still complete: still submitted


def test_evaluators_learn_nothing_of_bids_before_the_opening(
    make_challenge, make_supplier, make_person, buyer, second_buyer
):
    phase = _phase(make_challenge())
    evaluator = make_person("evaluator")
    evaluation.assign_evaluators(
        actor=buyer, phase=phase, panel_in=PanelIn(evaluators=[p.email for p in [evaluator]])
    )
    supplier = make_supplier()
    draft = bidding.save_bid(
        actor=supplier, phase=phase, bid_in=BidIn(answers={}, price_pence=None)
    )
    from django.test import Client

    web = Client()
    web.force_login(evaluator)
    assert web.get(f"/procurement/bids/{draft.pk}/evaluate/").status_code == 404
    with time_machine.travel(phase.submission_deadline + dt.timedelta(hours=1)):
        bidding.request_opening(actor=buyer, phase=phase)
        bidding.confirm_opening(actor=second_buyer, phase=phase)
        # Opened, but this draft was never submitted: it is not in the competition.
        assert web.get(f"/procurement/bids/{draft.pk}/evaluate/").status_code in (302, 404)
        with pytest.raises(NotFound):
            evaluation.declare_interest(
                actor=evaluator, bid=draft, declaration_in=DeclarationIn(has_conflict=False)
            )


def test_those_who_run_a_challenge_cannot_sit_on_its_panel(make_challenge, buyer, second_buyer):
    from infuse.core import services as core
    from infuse.core.models import Organisation

    phase = _phase(make_challenge())
    core.grant_membership(
        actor=None,
        person=second_buyer,
        organisation=Organisation.objects.get(slug="bridgend"),
        role="evaluator",
    )
    with pytest.raises(InvalidInput) as refused:
        evaluation.assign_evaluators(
            actor=buyer, phase=phase, panel_in=PanelIn(evaluators=[p.email for p in [second_buyer]])
        )
    assert "cannot score it" in str(refused.value.problems[0].message)
