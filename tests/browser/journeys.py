"""A person's walk through the platform, as the journey tests take it: start at the home page,
in English or in Welsh, and from there only follow links and press buttons (never type an
address), checking every page with axe-core and that it is in the language chosen.

The words a journey looks for are the interface's English, put through the site's own
translations, so one journey reads both languages (``Journey.t``)."""

from __future__ import annotations

import os
import re
from typing import Any

from django.utils import translation
from playwright.sync_api import Locator, Page, expect

from tests.conftest import PASSWORD

# Each journey runs in both languages; CI's second (PostgreSQL) pass runs them in Welsh only
# (the language never reaches the database), which keeps that pass inside its time.
LANGUAGES = os.environ.get("INFUSE_JOURNEY_LANGUAGES", "en,cy").split(",")


class Journey:
    """One person's journey in one language, on a live server."""

    def __init__(self, page: Page, base: str, language: str, axe_check: Any) -> None:
        self.page, self.base, self.language, self.axe_check = page, base, language, axe_check

    def t(self, english: str, **values: str) -> str:
        """The interface's words in the journey's language (``values`` fill ``%(name)s``)."""
        with translation.override(self.language):
            text = translation.gettext(english)
        return text % values if values else text

    def tc(self, context: str, english: str) -> str:
        """Words the interface translates by their context (``pgettext``)."""
        with translation.override(self.language):
            return translation.pgettext(context, english)

    def check(self) -> None:
        """The page is axe-clean and in the journey's language."""
        expect(self.page.locator("html")).to_have_attribute("lang", self.language)
        self.axe_check(self.page)

    def start(self) -> None:
        """The home page, switched to Welsh by its link for a Welsh journey."""
        self.page.goto(self.base + "/")
        if self.language == "cy":
            self.page.get_by_role("link", name="Cymraeg").click()
        self.check()

    def sign_in(self, email: str) -> None:
        self.link(self.t("Sign in"))
        self.page.get_by_label(self.t("Email address")).fill(email)
        self.page.get_by_label(self.t("Password")).fill(PASSWORD)
        self.button(self.t("Sign in"))

    def sign_out(self) -> None:
        self.button(self.t("Sign out"))

    def find(self, role: str, name: str | re.Pattern[str], *, exact: bool = False) -> Locator:
        return self.page.get_by_role(role, name=name, exact=exact).first  # type: ignore[arg-type]

    def link(self, name: str | re.Pattern[str], *, exact: bool = False) -> None:
        """Follow the first link of that name, then check the page it opens."""
        self.find("link", name, exact=exact).click()
        self.check()

    def button(self, name: str | re.Pattern[str], *, exact: bool = False) -> None:
        self.find("button", name, exact=exact).click()
        self.check()

    def messages(self) -> None:
        """The header's messages link (its name carries the unread count)."""
        self.link(re.compile("^" + re.escape(self.t("Messages"))))

    def fill(self, label: str, text: str, *, exact: bool = False) -> None:
        self.page.get_by_label(label, exact=exact).fill(text)

    def heading(self, text: str | re.Pattern[str]) -> None:
        expect(self.page.get_by_role("heading", level=1)).to_have_text(text)

    def sees(self, text: str) -> None:
        expect(self.page.get_by_text(text).first).to_be_visible()

    def waits_for(self, text: str) -> None:
        """Background work's page reloads itself when the work is done; a person who sees it
        has not after a few seconds presses its "Check again" link."""
        shown = self.page.get_by_text(text).first
        try:
            expect(shown).to_be_visible(timeout=5_000)
        except AssertionError:
            self.find("link", self.t("Check again")).click()
            expect(shown).to_be_visible(timeout=30_000)
        self.check()

    def banner(self, text: str) -> None:
        expect(self.page.locator(".govuk-notification-banner").first).to_contain_text(text)


def in_english(label: str, journey: Journey) -> str:
    """A bilingual form's English field ("Title, in English"), in the journey's language."""
    return journey.t("{label}, in English").format(label=journey.t(label))


def in_welsh(label: str, journey: Journey) -> str:
    return journey.t("{label}, in Welsh").format(label=journey.t(label))
