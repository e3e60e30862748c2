"""The bilingual GOV.UK shell in a real browser: sign-in, Welsh, sign-out, progress, axe."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from infuse.core import services
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, base: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/account/sign-in/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_sign_in_switch_to_welsh_and_sign_out(page: Page, live_server, make_person):
    make_person("officer", email="ceri@cardiff.example", full_name="Ceri Jones")
    sign_in(page, live_server.url, "ceri@cardiff.example")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your work")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_role("link", name="Cymraeg").click()
    expect(page).to_have_url(re.compile(r"/cy/$"))
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.get_by_role("heading", level=1)).to_have_text("Eich gwaith")
    expect(page.get_by_role("link", name="Labordy Data").first).to_be_visible()

    page.get_by_role("button", name="Allgofnodi").click()
    expect(page.get_by_role("link", name="Mewngofnodi")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_wrong_password_shows_an_error_summary_linked_to_the_field(
    page: Page, live_server, axe_check
):
    sign_in(page, live_server.url, "nobody@cardiff.example", "not-the-password")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter a correct email address and password")
    axe_check(page)


def test_skip_link_is_the_first_thing_a_keyboard_reaches(page: Page, live_server):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"


def test_task_page_updates_itself_until_the_work_is_done(page: Page, live_server, make_person):
    admin = make_person("programme_admin", email="rhian@ccr.example")
    sign_in(page, live_server.url, "rhian@ccr.example")
    page.goto(live_server.url + "/audit/")
    page.get_by_role("button", name="Check the audit chain").click()
    expect(page.get_by_role("status")).to_contain_text("Waiting to start")
    call_command("worker", "--batch")  # the browser keeps polling meanwhile
    # No reload by the test: the page's own script sees the task finish.
    expect(page.get_by_role("heading", name="The audit chain is intact")).to_be_visible(
        timeout=15_000
    )
    assert admin.pk


PUBLIC_PAGES = [
    "/",
    "/cy/",
    "/accessibility/",
    "/cy/accessibility/",
    "/account/sign-in/",
    "/cy/account/sign-in/",
    "/account/password-reset/",
    "/account/password-reset/sent/",
    "/account/password-reset/MQ/bad/",
    "/account/password-reset/complete/",
    "/data/",
    "/experiments/",
    "/procurement/",
    "/fund/",
    "/cy/fund/",
    "/no-such-page/",
    "/cy/no-such-page/",
]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_have_no_serious_accessibility_violations(
    page: Page, live_server, path, axe_check
):
    page.goto(live_server.url + path)
    axe_check(page)


SIGNED_IN_PAGES = ["/", "/cy/", "/account/", "/cy/account/", "/audit/", "/cy/audit/"]


def test_signed_in_pages_have_no_serious_accessibility_violations(
    page: Page, live_server, make_person, axe_check
):
    admin = make_person("programme_admin", email="rhian@ccr.example")
    services.create_api_token(actor=admin, name="Nightly script")
    progress = services.start_audit_verification(actor=admin)
    sign_in(page, live_server.url, "rhian@ccr.example")
    for path in [*SIGNED_IN_PAGES, f"/tasks/{progress.pk}/", f"/cy/tasks/{progress.pk}/"]:
        page.goto(live_server.url + path)
        axe_check(page)
    page.goto(live_server.url + "/account/")
    page.get_by_role("button", name="Create token").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    axe_check(page)
    page.get_by_label("Token name").fill("Monthly indicators")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_text("it will not be shown again")).to_be_visible()
    axe_check(page)
