"""A procurement officer reviews a red flag by links and buttons alone: from the Procurement
Lab to the flags, a raised one, its procedure and evidence, and a recorded review, in English
and Welsh, each page checked with axe-core and at 320 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_adaption import both_languages
from tests.browser.test_region import fits_at_320px
from tests.browser.test_shell import sign_in
from tests.reference_data import shared

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def imported(make_person):
    from infuse.procurement.redflags import services

    officer = make_person("procurement_officer", email="caffael@newport.example")
    with shared("ocds/contracts-finder/releases.jsonl").open("rb") as stream:
        services.import_releases(actor=officer, stream=stream, name="releases.jsonl")
    return officer


def test_a_reviewer_goes_through_a_red_flag(page: Page, live_server, imported, axe_check):
    sign_in(page, live_server.url, imported.email)
    page.get_by_role("link", name="Procurement Lab").first.click()
    page.get_by_role("link", name="Red flags in contracting data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Red flags in contracting data")
    both_languages(page, axe_check)
    fits_at_320px(page)
    page.get_by_text("Contract value far above the estimate: 5 raised").click()
    page.get_by_role("link", name="See each “Contract value far above the estimate” raised").click()
    card = page.locator(".govuk-summary-card").filter(has_text="Stray Dog Collection")
    card.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Stray Dog Collection")
    expect(page.get_by_text("Value awarded", exact=True)).to_be_visible()
    both_languages(page, axe_check)
    fits_at_320px(page)
    flagged = page.locator(".govuk-summary-card").filter(has_text="Contract value far above")
    flagged.get_by_label("Reviewed: what did you find?").fill(
        "The contract covers three years; the estimate was for one."
    )
    flagged.get_by_role("button", name="Record the review").click()
    expect(page.get_by_text("Your review is recorded beside the flag.")).to_be_visible()
    expect(page.get_by_text("The contract covers three years")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Cymraeg").click()
    expect(page.get_by_text("Adolygwyd gan")).to_be_visible()
    axe_check(page)
