"""A procurement officer goes from a council's spending file to a draft challenge by links and
buttons alone: upload Manchester's payments, read them as payments, see what the region buys,
find a supplier Salford pays too, and draft a challenge from it, in English and Welsh, each page
checked with axe-core and at 320 px."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from tests.browser.test_adaption import both_languages
from tests.browser.test_region import fits_at_320px
from tests.browser.test_shell import sign_in
from tests.procurement.spend.conftest import FILES
from tests.reference_data import shared

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def buyer(make_person):
    from infuse.core import services
    from infuse.core.models import Organisation

    person = make_person(email="prynu@cardiff.example")
    cardiff = Organisation.objects.get(slug="cardiff")
    for role in ("analyst", "procurement_officer"):
        services.grant_membership(actor=None, person=person, organisation=cardiff, role=role)
    return person


@pytest.fixture
def salford(buyer, make_dataset):
    """Salford's payments, read already: the second buyer the opportunity needs."""
    from infuse.datalab.ingest.services import upload_file
    from infuse.procurement.spend import services
    from infuse.procurement.spend.schemas import SpendMappingIn

    path, mapping = FILES["salford"]
    dataset = make_dataset("Salford payments", actor=buyer, visibility="public")
    upload_file(
        actor=buyer, dataset=dataset, chunks=[shared(path).read_bytes()], original_name="s.csv"
    )
    call_command("worker", "--batch")
    services.map_spend(actor=buyer, dataset=dataset, mapping_in=SpendMappingIn(**mapping))
    call_command("worker", "--batch")


def test_from_a_spending_file_to_a_draft_challenge(
    page: Page, live_server, buyer, salford, make_dataset, axe_check, settings, tmp_path
):
    make_dataset("Manchester payments", actor=buyer, visibility="public")
    sign_in(page, live_server.url, buyer.email)
    page.goto(live_server.url + "/data/datasets/manchester-payments/")
    page.get_by_role("link", name="Upload data").first.click()
    page.get_by_label("Data file").set_input_files(str(shared(FILES["manchester"][0])))
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.get_by_role("heading", name="Check how the file is read")).to_be_visible()
    page.get_by_role("button", name="Convert the file read like this").click()
    call_command("worker", "--batch")
    expect(page.get_by_role("heading", name="Version 1 added")).to_be_visible(timeout=15_000)

    page.get_by_role("link", name="Manchester payments").first.click()
    page.get_by_role("link", name="Read as payments").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Read as payments")
    axe_check(page)
    page.get_by_role("button", name="Save and read the payments").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Choose the column that holds the date or period paid"
    )
    assert page.title().startswith("Error:")
    axe_check(page)
    page.get_by_label("Date or period paid").select_option("Payment Date")
    page.get_by_label("Supplier’s name").select_option("Beneficiary Name")
    page.get_by_label("Amount").select_option("Amount")
    page.get_by_label("Service or department (optional)").select_option("Organisational Unit")
    page.get_by_label("Buyer’s name (optional)").fill("Manchester City Council")
    page.get_by_role("button", name="Save and read the payments").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Manchester payments")
    call_command("worker", "--batch")
    page.get_by_role("link", name="Check again").click()
    expect(page.get_by_text("3,719 of 3,719 rows")).to_be_visible()
    axe_check(page)
    fits_at_320px(page)

    page.get_by_role("link", name="See what the region buys").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What the region buys")
    expect(page.get_by_role("row", name="Manchester City Council")).to_be_visible()
    both_languages(page, axe_check)
    fits_at_320px(page)

    page.get_by_role("link", name="Where councils could buy together").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Where councils could buy together")
    both_languages(page, axe_check)
    fits_at_320px(page)
    first = page.locator(".govuk-summary-card").filter(has=page.get_by_role("button")).first
    supplier = first.locator(".govuk-summary-card__title").inner_text()
    first.get_by_role("button", name="Draft a challenge from this").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Buying together from")
    expect(page.get_by_text(supplier).first).to_be_visible()
    expect(page.get_by_text("A draft challenge is made with the evidence attached")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Cymraeg").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Prynu gyda'n gilydd gan")
    axe_check(page)


def test_a_buyer_resolves_suppliers_and_confirms_categories_in_the_demo(
    page: Page, live_server, demo, axe_check
):
    sign_in(page, live_server.url, "procurement@infuse.example")
    page.get_by_role("link", name="Procurement Lab").first.click()
    page.get_by_role("link", name="What the region buys").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What the region buys")
    page.get_by_role("link", name="1 possible match to check").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Possible matches")
    both_languages(page, axe_check)
    fits_at_320px(page)
    page.get_by_role("button", name="Join them").click()
    expect(
        page.get_by_text("Joined: the two are now one supplier in every figure.")
    ).to_be_visible()
    expect(page.get_by_text("No possible matches wait for a decision.")).to_be_visible()

    page.get_by_role("link", name="Back to the suppliers").click()
    page.get_by_role("link", name="Severn Facilities Management").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Severn Facilities Management")
    expect(page.get_by_role("cell", name="Joined by a procurement officer")).to_be_visible()
    both_languages(page, axe_check)
    fits_at_320px(page)
    page.get_by_role("group", name="Is it a small or medium-sized enterprise").get_by_label(
        "Yes"
    ).check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("What is known of the supplier is saved")).to_be_visible()

    page.get_by_role("link", name="Suppliers").first.click()
    page.get_by_role("link", name="What the region buys").click()
    page.get_by_role("link", name="Categories of spending").click()
    page.get_by_role("link", name="Suggested").click()
    both_languages(page, axe_check)
    fits_at_320px(page)
    card = page.locator(".govuk-summary-card").filter(has_text="Facilities Management").first
    card.get_by_role("button").click()
    expect(page.get_by_text("“Facilities Management” is mapped.")).to_be_visible()
