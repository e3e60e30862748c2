"""The Adaption Lab in a real browser, in English and Welsh, each page checked with axe-core:
create → outcomes → design → register → randomise → allocation."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.adaption.conftest import PROTOCOL
from tests.browser.test_shell import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def both_languages(page: Page, axe_check) -> None:
    """Check the page as it is, then the same page in the other language."""
    axe_check(page)
    page.get_by_role("link", name="Cymraeg").click()
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    axe_check(page)
    page.get_by_role("link", name="English").click()
    # Wait for the English page: a check run mid-navigation finds no document.
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_an_experiment_from_entry_to_allocation(page: Page, live_server, make_person, axe_check):
    make_person("officer", email="ceri@cardiff.example")
    make_person("analyst", email="dafydd@cardiff.example")
    base = live_server.url
    sign_in(page, base, "ceri@cardiff.example")
    page.goto(base + "/experiments/")
    both_languages(page, axe_check)
    page.get_by_role("link", name="Add an experiment").click()
    page.get_by_role("button", name="Add the experiment").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the title in English")
    axe_check(page)
    page.get_by_label("Title, in English").fill("Warm hubs")
    page.get_by_label("Title, in Welsh").fill("Hybiau cynnes")
    page.get_by_label("Hypothesis, in English").fill("Warm hubs cut winter GP visits.")
    page.get_by_label("Stepped-wedge roll-out across councils").check()
    for council in ("Cardiff", "Newport", "Torfaen", "Bridgend"):
        page.get_by_label(council, exact=True).check()
    page.get_by_role("button", name="Add the experiment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Warm hubs")
    both_languages(page, axe_check)

    page.get_by_role("link", name="Set the outcomes").click()
    page.get_by_label("Outcome, in English").first.fill("GP visits per 1,000 over-65s")
    axe_check(page)
    page.get_by_role("button", name="Save the outcomes").click()

    page.get_by_role("link", name="Work out the power and size").first.click()
    page.get_by_label("yes or no (a proportion)").check()
    page.get_by_label("Proportion without the intervention").fill("0.30")
    page.get_by_label("Proportion with the intervention").fill("0.22")
    page.get_by_label("Intracluster correlation").fill("0.02")
    page.get_by_label("Number of steps").fill("2")
    page.get_by_role("button", name="Calculate").click()
    expect(page.get_by_role("img", name="Power curve")).to_be_visible()
    expect(
        page.get_by_role(
            "table", name="Roll-out schedule: council by period (the order is set by randomisation)"
        )
    ).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Save with the experiment").click()

    page.get_by_role("link", name="Mark as designed").click()
    page.get_by_role("button", name="Mark as designed").click()
    expect(page.locator(".govuk-tag").first).to_have_text("Designed")
    page.get_by_role("link", name="Register the protocol").first.click()
    axe_check(page)
    for name, text in PROTOCOL.items():
        label = {
            "hypotheses": "Hypotheses",
            "sample": "Sample and its size",
            "stopping_rule": "Stopping rule",
            "randomisation_method": "Randomisation method",
            "randomisation_unit": "Unit of randomisation",
            "analysis_plan": "Analysis plan",
            "exclusions": "Exclusions",
            "missing_data": "Missing data",
        }[name]
        page.get_by_label(f"{label}, in English", exact=True).fill(text)
    page.get_by_role("button", name="Register the protocol").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Protocol version 1")
    both_languages(page, axe_check)

    page.goto(base + "/account/")
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, base, "dafydd@cardiff.example")
    page.goto(base + "/experiments/warm-hubs/randomise/")
    axe_check(page)
    page.get_by_label("Seed (optional)").fill("20261129")
    page.get_by_role("button", name="Randomise now").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Allocation")
    expect(page.get_by_role("table", name="Roll-out schedule: council by period")).to_be_visible()
    both_languages(page, axe_check)

    # Launch, attach the outcome data, read the results, decide to scale, plan the scale-up.
    from django.core.management import call_command

    from tests.browser.test_journey_officer import outcome_data

    dataset = outcome_data("ceri@cardiff.example")
    page.goto(base + "/account/")
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, base, "ceri@cardiff.example")
    page.goto(base + "/experiments/warm-hubs/")
    page.get_by_role("link", name="Launch", exact=True).click()
    expect(page.get_by_text("This cannot be undone.")).to_be_visible()
    page.get_by_role("button", name="Launch").click()
    page.get_by_role("link", name="Attach outcome data and run the analysis").click()
    page.locator("#id_dataset").select_option(dataset.slug)
    page.locator("#id_outcome").fill("visit")
    page.locator("#id_cluster").fill("council")
    page.locator("#id_period").fill("period")
    page.get_by_role("button", name="Run the analysis").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("no column ‘visit’")
    axe_check(page)
    page.locator("#id_outcome").fill("visits")
    page.get_by_role("button", name="Run the analysis").click()
    expect(page.get_by_role("status")).to_be_visible()
    call_command("worker", "--batch")
    page.reload()
    expect(page.get_by_role("heading", name="Primary outcome")).to_be_visible()
    expect(page.get_by_role("img", name="Flow of units")).to_be_visible()
    both_languages(page, axe_check)
    page.goto(base + "/experiments/warm-hubs/")
    page.get_by_role("link", name="Mark analysed").click()
    page.get_by_role("button", name="Mark analysed").click()
    page.get_by_role("link", name="Record the decision").click()
    page.get_by_label("Scale").check()
    page.get_by_label("Rationale, in English").fill("Four fewer visits per person, consistently.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("heading", name="Decision", exact=True)).to_be_visible()
    both_languages(page, axe_check)
    page.get_by_role("link", name="Plan the scale-up").first.click()
    page.get_by_label("Merthyr Tydfil").fill("1")
    page.get_by_label("Caerphilly").fill("2")
    axe_check(page)
    page.get_by_role("button", name="Create the scale-up experiment").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Warm hubs")
    expect(page.locator(".govuk-tag").first).to_have_text("Draft")
    page.goto(base + "/experiments/warm-hubs/report/")
    both_languages(page, axe_check)
    assert page.request.get(base + "/experiments/warm-hubs/report.pdf").body()[:5] == b"%PDF-"
