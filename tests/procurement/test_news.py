"""What suppliers and the region's staff hear as a challenge moves: an answer to a question
reaches every supplier in the phase, each bidder hears their own outcome, alerts match new
challenges, and each step is announced to whoever it waits on, never to whoever acted."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from infuse.core.models import Notification, Theme
from infuse.core.notifications import save_alert
from infuse.procurement.bids import services as bidding
from infuse.procurement.bids.schemas import BidIn
from infuse.procurement.evaluation import services as evaluation
from infuse.procurement.evaluation.schemas import AwardCancelIn, AwardIn, ModerationIn, PanelIn
from infuse.procurement.questions import services as questions
from infuse.procurement.questions.schemas import AnswerIn, QuestionIn
from tests.procurement.flows import POUND, bids_in, open_bids, score_all

pytestmark = pytest.mark.django_db


def news_of(person, topic):
    return list(Notification.objects.filter(person=person, topic=topic))


def test_an_answer_reaches_the_asker_and_every_supplier_with_a_bid(
    make_challenge, make_supplier, buyer
):
    challenge = make_challenge()
    phase = challenge.phases.get()
    asker, drafting, elsewhere = make_supplier(), make_supplier(), make_supplier()
    clarification = questions.ask_question(
        actor=asker, phase=phase, question_in=QuestionIn(question="May we lease the vans?")
    )
    bidding.save_bid(actor=drafting, phase=phase, bid_in=BidIn(answers={}, price_pence=None))
    questions.answer_question(
        actor=buyer,
        clarification=clarification,
        answer_in=AnswerIn(published_question_en="May vans be leased?", answer_en="Yes."),
    )
    for person in (asker, drafting):
        [news] = news_of(person, Notification.Topic.QUESTION_ANSWERED)
        assert (
            challenge.title_en in news.subject_en
            and news.url == f"/procurement/challenges/{challenge.slug}/"
        )
        assert "Bids are due by" in news.body_en and "Rhaid cyflwyno cynigion" in news.body_cy
    assert news_of(elsewhere, Notification.Topic.QUESTION_ANSWERED) == []


def test_each_bidder_hears_their_own_outcome_and_the_standstill(
    make_challenge, make_supplier, make_person, buyer, second_buyer, manager
):
    phase, bids = bids_in(make_challenge, make_supplier, manager, [60_000 * POUND, 90_000 * POUND])
    evaluator = make_person("evaluator", email="panel@bridgend.example")
    evaluation.assign_evaluators(
        actor=buyer, phase=phase, panel_in=PanelIn(evaluators=[evaluator.email])
    )
    # The panel hears that scoring waits on them once the bids are open.
    with time_machine.travel(phase.submission_deadline + dt.timedelta(hours=1)):
        open_bids(phase, buyer, second_buyer)
        assert [n.subject_en for n in news_of(evaluator, Notification.Topic.STEP_WAITING)]
        score_all(evaluator, bids, phase, [(4, 4), (2, 2)])
        for bid in bids:
            for criterion in phase.criteria.exclude(kind="price"):
                evaluation.moderate(
                    actor=buyer,
                    bid=bid,
                    moderation_in=ModerationIn(criterion=criterion.pk, score=3, rationale="r"),
                )
        award = evaluation.award_phase(actor=buyer, phase=phase, award_in=AwardIn(rationale="Best"))
    winner, other = bids  # the cheaper bid wins on equal moderated scores
    [won] = news_of(winner.person, Notification.Topic.OUTCOME)
    [lost] = news_of(other.person, Notification.Topic.OUTCOME)
    assert "has been chosen" in won.subject_en and "standstill period" in won.body_en
    assert "another bid" in lost.body_en and "question the decision" in lost.body_en
    assert won.url == f"/procurement/bids/{winner.pk}/feedback/"
    day = award.standstill_ends_at.day
    assert f"{day} " in won.body_en and f"{day} " in won.body_cy
    # Withdrawn in its standstill: every bidder hears it, with the reason.
    with time_machine.travel(phase.submission_deadline + dt.timedelta(hours=2)):
        evaluation.cancel_award(
            actor=buyer, award=award, cancel_in=AwardCancelIn(reason="A challenge was upheld.")
        )
    for bid in bids:
        [withdrawn] = Notification.objects.filter(key=f"award-cancelled:{award.pk}:{bid.pk}")
        assert "A challenge was upheld." in withdrawn.body_en
        assert "(yn Saesneg)" in withdrawn.body_cy


def test_the_two_person_opening_asks_the_second_officer_not_the_first(
    make_challenge, make_supplier, buyer, second_buyer, manager
):
    phase, _bids = bids_in(make_challenge, make_supplier, manager, [60_000 * POUND])
    with time_machine.travel(phase.submission_deadline + dt.timedelta(hours=1)):
        bidding.request_opening(actor=buyer, phase=phase)
    # Publishing told the fund manager (not the buyers: no question waits on them yet).
    [money] = news_of(manager, Notification.Topic.STEP_WAITING)
    assert money.subject_en.startswith(
        "A step waits on you: Set aside money from the Challenge Fund, "
    )
    [asked] = news_of(second_buyer, Notification.Topic.STEP_WAITING)
    assert asked.subject_en.startswith("A step waits on you:")
    assert asked.subject_cy.startswith("Mae cam yn aros amdanoch chi:")
    assert asked.subject_cy != asked.subject_en.replace(
        "A step waits on you:", "Mae cam yn aros amdanoch chi:"
    )  # the step's own name is in Welsh too
    assert asked.url.endswith(f"#phase-{phase.number}-steps")
    assert news_of(buyer, Notification.Topic.STEP_WAITING) == []


def test_a_published_challenge_reaches_the_alerts_it_matches(
    make_challenge, make_supplier, make_person
):
    carbon = Theme.objects.get(code="decarbonisation")
    health = Theme.objects.get(code="improving-public-health")
    wants_carbon, wants_health, staff = make_supplier(), make_supplier(), make_person("officer")
    save_alert(person=wants_carbon, wanted=True, themes=[carbon])
    save_alert(person=wants_health, wanted=True, themes=[health])
    save_alert(person=staff, wanted=True)
    challenge = make_challenge()
    for person in (wants_carbon, staff):
        [news] = news_of(person, Notification.Topic.NEW_CHALLENGE)
        assert news.subject_en == f"New challenge: {challenge.title_en}"
        assert news.subject_cy == f"Her newydd: {challenge.title_cy}"
        assert "takes bids from" in news.body_en
    assert news_of(wants_health, Notification.Topic.NEW_CHALLENGE) == []
