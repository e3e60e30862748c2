"""The Procurement Lab in a real browser, every page checked with axe-core, in English and
Welsh: publish → clarify → bid → deadline → two-person opening → declare → score → moderate →
award → contract → pay. The server's clock is moved (time-machine) past the deadline and the
standstill; the browser only ever sees what the server says."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.test_adaption import both_languages
from tests.browser.test_shell import sign_in
from tests.conftest import PASSWORD


def fill_date(page: Page, legend: str, day: dt.date) -> None:
    """Type a date into the GOV.UK date input named ``legend``, box by box, as people do."""
    group = page.get_by_role("group", name=legend, exact=True)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_out(page: Page, base: str) -> None:
    page.goto(base + "/account/")
    page.get_by_role("button", name="Sign out").click()


def test_from_publishing_to_payment_in_the_browser(
    page: Page, live_server, make_person, axe_check, mailoutbox
):
    from infuse.core import services
    from infuse.core.models import Organisation
    from infuse.procurement.models import Challenge, Phase

    make_person("procurement_officer", email="buyer@newport.example")
    second = make_person(email="second@ccr.example")
    services.grant_membership(
        actor=None,
        person=second,
        organisation=Organisation.objects.get(slug="ccr-programme"),
        role="procurement_officer",
    )

    make_person("evaluator", email="gareth@bridgend.example", full_name="Gareth Price")
    make_person("fund_manager", email="sian@ccr.example", full_name="Siân Davies")
    base = live_server.url
    today = timezone.localdate()

    # The buyer writes the challenge, its phase and criteria, and publishes it.
    sign_in(page, base, "buyer@newport.example")
    page.goto(base + "/procurement/")
    both_languages(page, axe_check)
    page.get_by_role("link", name="Add a challenge").click()
    page.get_by_label("Title, in English").fill("Gully sensors")
    page.get_by_label("Title, in Welsh").fill("Synwyryddion cwteri")
    page.get_by_label("Summary, in English").fill("Know when gullies block.")
    page.get_by_label("Summary, in Welsh").fill("Gwybod pan fydd cwteri'n blocio.")
    page.get_by_label("Problem statement, in English").fill("Blocked gullies flood streets.")
    page.get_by_label("Newport", exact=True).check()
    page.get_by_label("Transforming communities").check()
    page.get_by_label("What it buys, as CPV codes").fill("34993000, 38221000-0")
    axe_check(page)
    page.get_by_role("button", name="Add the challenge").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gully sensors")
    page.get_by_role("link", name="Add phase 1").click()
    page.get_by_label("Budget, in pounds").fill("£20,000")
    fill_date(page, "Opens on", today)
    page.locator("#id_opens_time").fill("00:00")
    fill_date(page, "Questions close on", today + dt.timedelta(days=3))
    fill_date(page, "Bids close on", today + dt.timedelta(days=5))
    fill_date(page, "Evaluation ends on", today + dt.timedelta(days=15))
    fill_date(page, "Award expected on", today + dt.timedelta(days=20))
    axe_check(page)
    page.get_by_role("button", name="Save the phase").click()
    rows = [
        ("quality", "Approach", "60", ""),
        ("social_value", "Local jobs", "10", "A prosperous Wales"),
        ("price", "Price", "30", ""),
    ]
    for i, (kind, title, weight, goal) in enumerate(rows):
        page.locator(f"#id_criterion-{i}-kind").select_option(kind)
        page.locator(f"#id_criterion-{i}-title_en").fill(title)
        page.locator(f"#id_criterion-{i}-weight").fill(weight)
        if goal:
            page.locator(f"#id_criterion-{i}-goal").select_option(label=goal)
    axe_check(page)
    page.get_by_role("button", name="Save the criteria").click()
    page.get_by_role("link", name="Publish the challenge").first.click()
    expect(page.get_by_text("This cannot be undone.")).to_be_visible()
    page.get_by_role("button", name="Publish the challenge").click()
    expect(page.locator(".govuk-notification-banner").first).to_contain_text("published")
    both_languages(page, axe_check)
    slug = Challenge.objects.get().slug
    sign_out(page, base)

    # The fund manager allocates money to the phase.
    sign_in(page, base, "sian@ccr.example")
    page.goto(base + "/fund/allocations/new/")
    page.get_by_label("Amount, in pounds").fill("20,000")
    axe_check(page)
    page.get_by_role("button", name="Save the allocation").click()
    both_languages(page, axe_check)
    sign_out(page, base)

    # A supplier registers, asks a question and bids.
    page.goto(base + "/procurement/suppliers/register/")
    page.get_by_label("Your full name").fill("Nia Jones")
    page.get_by_label("Your email address").fill("nia@sensors.example")
    page.get_by_label("Choose a password").fill(PASSWORD)
    page.get_by_label("Organisation name").fill("Sensors Cymru Ltd")
    page.get_by_label("Companies House number (if it has one)").fill("12345678")
    page.get_by_label("Address", exact=True).fill("1 Quay Street, Cardiff")
    page.get_by_label("Postcode").fill("CF10 1EU")
    page.get_by_label("We are a small or medium-sized enterprise").check()
    axe_check(page)
    page.get_by_role("button", name="Register").click()
    # Nothing can be done until the emailed link is opened: the banner says so.
    expect(page.locator(".govuk-notification-banner").first).to_contain_text("emailed you a link")
    expect(page.get_by_role("button", name="Send the link again")).to_be_visible()
    axe_check(page)
    link = re.search(r"https?://\S+", mailoutbox[-1].body).group(0)
    page.goto(link)
    axe_check(page)
    page.get_by_role("button", name="Confirm my email address").click()
    expect(page.locator(".govuk-notification-banner").first).to_contain_text("confirmed")
    page.goto(f"{base}/procurement/challenges/{slug}/")
    page.get_by_role("link", name="Ask a question").click()
    page.get_by_label("Your question").fill("Sensors Cymru asks: is battery power allowed?")
    axe_check(page)
    page.get_by_role("button", name="Send the question").click()
    page.get_by_role("link", name="Start a bid").click()
    page.get_by_label("Approach").fill("Ultrasonic level sensors on 300 gullies.")
    page.get_by_label("Local jobs").fill("Two apprentices from Newport.")
    page.get_by_role("button", name="Save and check your bid").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your price")
    axe_check(page)
    page.locator(".govuk-error-summary").get_by_role("link", name="Enter your price").click()
    expect(page.get_by_label("Approach")).to_have_value("Ultrasonic level sensors on 300 gullies.")
    page.get_by_label("Your price, in pounds (excluding VAT)").fill("15,000")
    # The social value it promises, on the measures the phase's criterion serves.
    page.get_by_label("Local people employed on the contract").fill("two")
    page.get_by_role("button", name="Save and check your bid").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("like 12 or 1,200.5")
    expect(page.get_by_label("Your price, in pounds (excluding VAT)")).to_have_value("15,000")
    page.get_by_label("Local people employed on the contract").fill("2")
    page.get_by_label("Spent with suppliers in the region").fill("£5,000")
    page.get_by_role("button", name="Save and check your bid").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your bid before you submit it")
    expect(page.get_by_text("Spent with suppliers in the region: £5,000 (pounds)")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Submit the bid").click()
    expect(page.get_by_text("Submitted", exact=True)).to_be_visible()
    both_languages(page, axe_check)
    sign_out(page, base)
    # A second bidder, through the services (its pages are the ones just walked).
    from infuse.procurement.bids import services as bidding
    from infuse.procurement.bids.schemas import BidIn
    from infuse.procurement.suppliers import services as suppliers
    from infuse.procurement.suppliers.schemas import SupplierIn

    rival = suppliers.register_supplier(
        supplier_in=SupplierIn(
            email="bids@rival.example",
            full_name="Rhys Rival",
            password=PASSWORD,
            name="Rival Sensors Ltd",
            address="2 Dock Road",
            postcode="NP20 2AB",
        ),
        vouched=True,
    )
    open_phase = Phase.objects.get()
    answers = {str(c.pk): "Radar sensors" for c in open_phase.criteria.exclude(kind="price")}
    rival_bid = bidding.save_bid(
        actor=rival, phase=open_phase, bid_in=BidIn(answers=answers, price_pence=1_800_000)
    )
    bidding.submit_bid(actor=rival, bid=rival_bid)

    # The buyer answers, publicly, without naming who asked.
    sign_in(page, base, "buyer@newport.example")
    page.goto(f"{base}/procurement/challenges/{slug}/phases/1/questions/")
    axe_check(page)
    page.get_by_role("link", name="Answer").click()
    page.get_by_label("The question as published, in English").fill("Is battery power allowed?")
    page.get_by_label("Answer, in English").fill("Yes, with a five-year life.")
    axe_check(page)
    page.get_by_role("button", name="Publish the answer").click()
    page.goto(f"{base}/procurement/challenges/{slug}/")
    expect(page.get_by_text("Is battery power allowed?")).to_be_visible()
    expect(page.get_by_text("Sensors Cymru asks")).to_have_count(0)
    sign_out(page, base)

    phase = Phase.objects.get()
    with time_machine.travel(phase.submission_deadline + dt.timedelta(hours=1)):
        sign_in(page, base, "buyer@newport.example")  # a new day: sign in afresh
        page.goto(f"{base}/procurement/challenges/{slug}/")
        page.get_by_role("link", name="Open the bids").first.click()
        page.get_by_role("button", name="Ask to open the bids").click()
        page.get_by_role("link", name="Choose the panel").first.click()
        page.get_by_label("Gareth Price").check()
        axe_check(page)
        page.get_by_role("button", name="Save the panel").click()
        sign_out(page, base)
        sign_in(page, base, "second@ccr.example")
        page.goto(f"{base}/procurement/challenges/{slug}/")
        page.get_by_role("link", name="Open the bids").first.click()
        page.get_by_role("button", name="Confirm the opening").click()
        expect(page.get_by_text("Bids opened on")).to_be_visible()
        both_languages(page, axe_check)
        sign_out(page, base)

        # The evaluator declares, reads and scores.
        sign_in(page, base, "gareth@bridgend.example")
        page.goto(f"{base}/procurement/challenges/{slug}/phases/1/evaluation/")
        both_languages(page, axe_check)
        for bidder, seen in (("Sensors Cymru Ltd", "Ultrasonic"), ("Rival Sensors Ltd", "Radar")):
            page.goto(f"{base}/procurement/challenges/{slug}/phases/1/evaluation/")
            page.get_by_role("link", name=bidder).click()
            expect(page.get_by_text(seen)).to_have_count(0)
            page.get_by_label("No", exact=True).check()
            axe_check(page)
            page.get_by_role("button", name="Make the declaration").click()
            expect(page.get_by_text(seen).first).to_be_visible()
            page.locator("input[name^=score_][value='3']").first.check()
            page.locator("input[name^=score_][value='2']").last.check()
            axe_check(page)
            page.get_by_role("button", name="Submit my scores").click()
            expect(page.get_by_role("table", name="Scores on the panel")).to_be_visible()
        both_languages(page, axe_check)
        sign_out(page, base)

        # The buyer moderates and decides the award.
        sign_in(page, base, "buyer@newport.example")
        for bidder in ("Sensors Cymru Ltd", "Rival Sensors Ltd"):
            page.goto(f"{base}/procurement/challenges/{slug}/phases/1/evaluation/")
            page.get_by_role("link", name=f"Moderate {bidder}").click()
            for criterion, score in (("Approach", "3"), ("Local jobs", "2")):
                form = page.locator("form").filter(has_text=f"Save the consensus for {criterion}")
                form.locator(f"input[type=radio][value='{score}']").check()
                form.get_by_label("Why the panel agreed this score").fill("Agreed")
                form.get_by_role("button").click()
            axe_check(page)
        page.goto(f"{base}/procurement/challenges/{slug}/phases/1/evaluation/")
        expect(
            page.get_by_role("table", name="Sensitivity: each weight moved by 10 points")
        ).to_be_visible()
        both_languages(page, axe_check)
        page.get_by_label("Reasons for the award").fill("The only bid, and a good one.")
        page.get_by_role("button", name="Decide the award").click()
        expect(page.get_by_text("Standstill ends")).to_be_visible()
        both_languages(page, axe_check)
        sign_out(page, base)
        sign_in(page, base, "nia@sensors.example")
        page.goto(f"{base}/procurement/bids/")
        page.get_by_role("link", name="Feedback").click()
        expect(page.get_by_text("Your bid was successful.")).to_be_visible()
        both_languages(page, axe_check)
        sign_out(page, base)

    award = phase.awards.get()
    with time_machine.travel(award.standstill_ends_at + dt.timedelta(hours=1)):
        sign_in(page, base, "buyer@newport.example")
        page.goto(f"{base}/procurement/challenges/{slug}/phases/1/award/")
        fill_date(page, "Contract starts on", dt.date(2027, 2, 1))
        fill_date(page, "Contract ends on", dt.date(2027, 7, 31))
        axe_check(page)
        page.get_by_role("button", name="Confirm the award and make the contracts").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Contract with Sensors Cymru Ltd")
        page.get_by_label("Milestone, in English").fill("Sensors fitted")
        fill_date(page, "Due on", dt.date(2027, 4, 1))
        page.get_by_label("Payment, in pounds").fill("5,000")
        page.get_by_role("button", name="Add the milestone").click()
        contract_url = page.url.split("#")[0]
        sign_out(page, base)
        # The supplier reports what the milestone's work delivered, with its evidence.
        sign_in(page, base, "nia@sensors.example")
        page.goto(contract_url)
        page.get_by_role("link", name="Report social value Sensors fitted").click()
        jobs = page.get_by_role("group", name="Local people employed on the contract")
        jobs.get_by_label("Delivered in this milestone’s work").fill("1")
        page.get_by_role("button", name="Save the report").click()
        expect(page.locator(".govuk-error-summary")).to_contain_text("can be checked")
        axe_check(page)
        jobs = page.get_by_role("group", name="Local people employed on the contract")
        jobs.get_by_label("How it can be checked").fill("Payroll for March")
        page.get_by_role("button", name="Save the report").click()
        expect(page.locator(".govuk-notification-banner").first).to_contain_text(
            "Social value reported"
        )
        expect(page.get_by_role("table", name="A prosperous Wales")).to_contain_text("1")
        both_languages(page, axe_check)
        sign_out(page, base)
        sign_in(page, base, "buyer@newport.example")
        page.goto(contract_url)
        page.get_by_role("link", name="Accept the work Sensors fitted").click()
        expect(page.get_by_text("counts as delivered: Local people employed")).to_be_visible()
        page.get_by_role("button", name="Accept the work").click()
        both_languages(page, axe_check)
        sign_out(page, base)
        sign_in(page, base, "sian@ccr.example")
        page.goto(contract_url)
        page.get_by_role("link", name="Pay Sensors fitted").click()
        page.get_by_role("button", name="Record the payment").click()
        expect(page.get_by_text("Payment recorded.")).to_be_visible()
        both_languages(page, axe_check)
        page.goto(base + "/fund/")
        expect(page.get_by_role("table", name="By challenge")).to_contain_text("Gully sensors")
        both_languages(page, axe_check)
        sign_out(page, base)
    # Anyone reads the contract in the register: what it buys, promised against delivered.
    page.goto(base + "/procurement/")
    page.get_by_role("link", name="The contract register").click()
    page.get_by_label("What is bought (CPV division)").select_option("34")
    page.get_by_role("button", name="Apply the filter").click()
    page.get_by_role("link", name="Gully sensors – Phase 1: feasibility").click()
    expect(page.get_by_text("34993000 (in the division")).to_be_visible()
    delivered = page.get_by_role("table", name="A prosperous Wales")
    expect(delivered.get_by_role("row", name="Local people employed")).to_contain_text("50%")
    both_languages(page, axe_check)
