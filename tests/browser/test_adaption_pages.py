"""Every Adaption Lab page on the demo region, public and signed in, in English and Welsh:
each axe-clean and translated."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_shell import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HUBS = "/experiments/community-warm-hubs-roll-out/"
WASTE = "/experiments/online-booking-for-bulky-waste/"


PUBLIC = [
    "/experiments/",
    "/experiments/?result=effect&design=stepped_wedge",
    HUBS,
    HUBS + "design/",
    HUBS + "protocol/1/",
    HUBS + "allocation/",
    HUBS + "results/",
    HUBS + "report/",
    WASTE,
    WASTE + "allocation/",
]
SIGNED_IN = [
    "/experiments/new/",
    WASTE + "data/",
    WASTE + "protocol/",
    HUBS + "scale-up/",
]


@pytest.mark.parametrize("person", ["", "data@infuse.example"], ids=["public", "data"])
def test_every_page_in_both_languages(page: Page, live_server, demo, axe_check, person):
    if person:
        sign_in(page, live_server.url, person)
    for path in PUBLIC + (SIGNED_IN if person else []):
        texts = {}
        for prefix, language in (("", "en"), ("/cy", "cy")):
            response = page.goto(live_server.url + prefix + path)
            assert response is not None and response.ok, f"{prefix}{path}: {response.status}"
            expect(page.locator("html")).to_have_attribute("lang", language)
            texts[language] = page.locator("main").inner_text()
            axe_check(page)
        assert texts["en"] != texts["cy"], f"{path} is the same in Welsh"
