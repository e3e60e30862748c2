"""An email's unsubscribe link in a real browser: a page with one button, then a confirmation
that says what happens next; axe-clean in English and Welsh, and fitting 320 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from infuse.core import unsubscribe
from infuse.core.models import Notification
from tests.browser.test_adaption import both_languages
from tests.browser.test_region import fits_at_320px

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_stopping_one_topics_emails_from_the_link_in_an_email(
    page: Page, live_server, make_person, axe_check
):
    person = make_person("officer", email="ceri@cardiff.example")
    signed = unsubscribe.token(person, Notification.Topic.DEADLINE_CHANGED)
    page.goto(f"{live_server.url}/account/emails/stop/{signed}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Stop these emails")
    expect(page.get_by_text("Changed deadlines for bids")).to_be_visible()
    both_languages(page, axe_check)
    fits_at_320px(page)
    page.get_by_role("button", name="Stop these emails").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("These emails are turned off")
    expect(page.get_by_role("heading", name="What happens next")).to_be_visible()
    axe_check(page)
    fits_at_320px(page)
    person.refresh_from_db()
    assert person.emails_off == [Notification.Topic.DEADLINE_CHANGED]
    page.get_by_role("link", name="Go to your message choices").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to InFuSe")
