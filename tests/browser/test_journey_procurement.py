"""The Procurement Lab's people, each on their own journey from the home page, in English and
in Welsh, by links and buttons alone: the procurement officer writes and publishes a challenge;
the fund manager hears that money must be set aside for it and does so; an evaluator hears
that bids wait on the panel, declares no conflict and scores. What others do between the
journeys is done through the services, as those people would."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.journeys import LANGUAGES, Journey, in_english, in_welsh
from tests.browser.test_journey_supplier import publish_a_challenge

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Low-carbon depots"


def fill_date(j: Journey, legend: str, day: dt.date) -> None:
    group = j.page.get_by_role("group", name=j.t(legend), exact=True)
    group.get_by_label(j.t("Day")).fill(str(day.day))
    group.get_by_label(j.t("Month")).fill(str(day.month))
    group.get_by_label(j.t("Year")).fill(str(day.year))


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_procurement_officer_writes_and_publishes_a_challenge(
    page, live_server, make_person, axe_check, language
):
    from infuse.core.models import Council, Theme

    buyer = make_person("procurement_officer", email="buyer@newport.example")
    j = Journey(page, live_server.url, language, axe_check)
    today = timezone.localdate()
    j.start()
    j.sign_in(buyer.email)
    j.link(j.t("Procurement Lab"))
    j.link(j.t("Add a challenge"))
    j.fill(in_english("Title", j), "Gully sensors")
    j.fill(in_welsh("Title", j), "Synwyryddion cwteri")
    j.fill(in_english("Summary", j), "Know when gullies block.")
    j.fill(in_welsh("Summary", j), "Gwybod pan fydd cwteri'n blocio.")
    j.fill(in_english("Problem statement", j), "Blocked gullies flood streets.")
    j.fill(in_welsh("Problem statement", j), "Mae cwteri wedi'u blocio yn gorlifo strydoedd.")
    newport = Council.objects.get(name_en="Newport")
    j.page.get_by_label(newport.name_cy if language == "cy" else "Newport", exact=True).check()
    theme = Theme.objects.get(code="transforming-communities")
    j.page.get_by_label(theme.name_cy if language == "cy" else theme.name_en).check()
    j.fill(j.t("What it buys, as CPV codes"), "34993000")
    j.button(j.t("Add the challenge"))
    j.link(j.t("Add phase %(number)s", number="1"))
    j.fill(j.t("Budget, in pounds"), "£20,000")
    fill_date(j, "Opens on", today)
    j.page.locator("#id_opens_time").fill("00:00")
    fill_date(j, "Questions close on", today + dt.timedelta(days=3))
    fill_date(j, "Bids close on", today + dt.timedelta(days=5))
    fill_date(j, "Evaluation ends on", today + dt.timedelta(days=15))
    fill_date(j, "Award expected on", today + dt.timedelta(days=20))
    j.button(j.t("Save the phase"))
    rows = [
        ("quality", "Approach", "60"),
        ("social_value", "Local jobs", "10"),
        ("price", "Price", "30"),
    ]
    for i, (kind, title, weight) in enumerate(rows):
        j.page.locator(f"#id_criterion-{i}-kind").select_option(kind)
        j.page.locator(f"#id_criterion-{i}-title_en").fill(title)
        j.page.locator(f"#id_criterion-{i}-weight").fill(weight)
    j.page.locator("#id_criterion-1-goal").select_option("prosperous")
    j.button(j.t("Save the criteria"))
    j.link(j.t("Publish the challenge"))
    j.sees(j.t("This cannot be undone."))
    j.button(j.t("Publish the challenge"))
    j.heading("Synwyryddion cwteri" if language == "cy" else "Gully sensors")
    expect(j.page.get_by_text(j.t("Draft"), exact=True)).to_have_count(0)  # published


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_fund_manager_sets_money_aside_when_a_challenge_is_published(
    page, live_server, demo, axe_check, language
):
    j = Journey(page, live_server.url, language, axe_check)
    publish_a_challenge(TITLE)  # by the demo's buyer: the step now waits on the fund
    j.start()
    j.sign_in("fund@infuse.example")
    j.messages()
    j.link(re.compile(re.escape(j.t("Set aside money from the Challenge Fund"))))
    j.link(j.t("Set aside money from the Challenge Fund"))
    j.fill(j.t("Amount, in pounds"), "£40,000")
    j.button(j.t("Save the allocation"))
    j.sees("£40,000")


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_evaluator_hears_bids_wait_declares_and_scores(
    page, live_server, demo, axe_check, language
):
    from infuse.core.models import Person
    from infuse.fund import services as fund
    from infuse.fund.schemas import AllocationIn
    from infuse.procurement.bids import services as bidding
    from infuse.procurement.bids.schemas import BidIn
    from infuse.procurement.evaluation.schemas import PanelIn
    from infuse.procurement.evaluation.services import assign_evaluators

    challenge = publish_a_challenge(TITLE)
    phase = challenge.phases.get()
    buyer = Person.objects.get(email="procurement@infuse.example")
    fund.allocate(
        actor=Person.objects.get(email="fund@infuse.example"),
        allocation_in=AllocationIn(purpose=f"{challenge.slug}/1", amount_pence=5_000_000),
    )
    supplier = Person.objects.get(email="supplier@infuse.example")
    answers = {str(c.pk): "Heat pumps at every depot" for c in phase.criteria.exclude(kind="price")}
    bid = bidding.save_bid(
        actor=supplier, phase=phase, bid_in=BidIn(answers=answers, price_pence=4_000_000)
    )
    bidding.submit_bid(actor=supplier, bid=bid)
    with time_machine.travel(phase.submission_deadline + dt.timedelta(hours=1)):
        bidding.request_opening(actor=buyer, phase=phase)
        bidding.confirm_opening(
            actor=Person.objects.get(email="procurement2@infuse.example"), phase=phase
        )
        assign_evaluators(
            actor=buyer, phase=phase, panel_in=PanelIn(evaluators=["evaluator@infuse.example"])
        )

        j = Journey(page, live_server.url, language, axe_check)
        j.start()
        j.sign_in("evaluator@infuse.example")
        j.messages()
        j.link(
            re.compile(re.escape(challenge.title_cy if language == "cy" else challenge.title_en))
        )
        j.link(j.t("Score and moderate the bids"))
        j.link(bid.supplier.name)
        j.page.get_by_label(j.tc("a conflict of interest", "No"), exact=True).check()
        j.button(j.t("Make the declaration"))
        j.sees("Heat pumps at every depot")
        j.page.locator("input[name^=score_][value='3']").first.check()
        j.page.locator("input[name^=score_][value='2']").last.check()
        j.button(j.t("Submit my scores"))
        j.sees(j.t("Scores on the panel"))
