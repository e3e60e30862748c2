"""The region's pages in a real browser, reached from the home page by links alone, axe-checked
in English and Welsh, at desktop width and at 320 px without sideways scrolling."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_adaption import both_languages
from tests.browser.test_shell import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits_at_320px(page: Page) -> None:
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320, page.url
    page.set_viewport_size({"width": 1280, "height": 800})


def test_from_home_to_a_council_a_goal_and_a_theme_by_links(
    page: Page, live_server, demo, axe_check
):
    base = live_server.url
    page.goto(base + "/")
    both_languages(page, axe_check)
    fits_at_320px(page)
    page.get_by_role("link", name="The ten councils").click()
    page.get_by_role("link", name="Cardiff", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cardiff")
    both_languages(page, axe_check)
    fits_at_320px(page)
    page.get_by_role("link", name="Newport", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Newport")
    page.get_by_role("link", name="Home", exact=True).click()
    page.get_by_role("link", name="Well-being goals and themes").click()
    page.get_by_role("link", name="A healthier Wales").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("A healthier Wales")
    both_languages(page, axe_check)
    fits_at_320px(page)
    page.get_by_role("link", name="Decarbonisation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Decarbonisation")
    axe_check(page)
    page.get_by_role("link", name="Well-being goals and themes").click()
    axe_check(page)
    page.get_by_role("link", name="See the work of each council").click()
    both_languages(page, axe_check)
    page.get_by_role("link", name="Home", exact=True).click()
    page.get_by_role("link", name="About InFuSe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Innovation of Future Public Services"
    )
    both_languages(page, axe_check)
    fits_at_320px(page)
    page.get_by_role("link", name="What works").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What works")
    both_languages(page, axe_check)
    fits_at_320px(page)
    page.get_by_label("Council").select_option(label="Torfaen")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("link", name="Community warm hubs roll-out")).to_be_visible()


def test_an_officer_sees_regional_work_on_a_goal_page(page: Page, live_server, demo, axe_check):
    sign_in(page, live_server.url, "officer@infuse.example")
    page.goto(live_server.url + "/goals/")
    page.get_by_role("link", name="A healthier Wales").click()
    both_languages(page, axe_check)
    page.get_by_role("table").get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"/data/indicators/[a-z0-9-]+/$"))
