"""The Data Lab catalogue in a real browser, in English and Welsh, checked with axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_shell import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_adds_a_dataset_and_finds_it(page: Page, live_server, make_person, axe_check):
    make_person("officer", email="ceri@cardiff.example")
    sign_in(page, live_server.url, "ceri@cardiff.example")
    page.goto(live_server.url + "/data/")
    axe_check(page)
    page.get_by_role("link", name="Add a dataset").click()
    axe_check(page)
    page.get_by_role("button", name="Add the dataset").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the title in English")
    axe_check(page)
    page.get_by_label("Title in English").fill("Library visits")
    page.get_by_label("Title in Welsh").fill("Ymweliadau â llyfrgelloedd")
    page.get_by_label("Shared with the region").check()
    page.get_by_label("Transforming communities").check()
    page.get_by_label("A Wales of vibrant culture and thriving Welsh language").check()
    page.get_by_role("button", name="Add the dataset").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Library visits")
    axe_check(page)
    page.get_by_role("link", name="Cymraeg").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ymweliadau â llyfrgelloedd")
    axe_check(page)
    page.goto(live_server.url + "/cy/data/?q=llyfrgelloedd")
    expect(page.get_by_role("link", name="Ymweliadau â llyfrgelloedd")).to_be_visible()
    axe_check(page)
