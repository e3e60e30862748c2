"""Every Data Lab page, on the demo region, in English and Welsh: each axe-clean, each really
translated (its main content differs between the languages), and the chart controls, flags and
saved queries worked through the browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_shell import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def pages_for(person: str) -> list[str]:
    from infuse.datalab.models import DatasetUpload, Indicator

    lbw = Indicator.objects.get(slug="low-birth-weight")
    value = lbw.values.filter(council__gss_code="W06000019").first()
    if person == "analyst@infuse.example":  # Newport: fly-tipping's publisher
        rejected = DatasetUpload.objects.get(status=DatasetUpload.Status.REJECTED)
        return [
            "/data/datasets/fly-tipping-incidents/",
            "/data/datasets/fly-tipping-incidents/schema/",
            f"/data/uploads/{rejected.pk}/",
            "/data/datasets/fly-tipping-incidents/versions/1/",
        ]
    pages = [
        "/data/",
        "/data/?theme=decarbonisation&q=emissions",
        "/data/datasets/live-births-and-low-birth-weight/",
        "/data/datasets/live-births-and-low-birth-weight/versions/1/",
        "/data/indicators/low-birth-weight/",
        "/data/indicators/low-birth-weight/?council=W06000021&period=2019-20",
        "/data/indicators/social-prescribing-referrals-per-1000-adults/",
        "/data/indicators/community-hub-visits/",
    ]
    if person:
        pages += [
            "/data/datasets/new/",
            "/data/datasets/live-births-and-low-birth-weight/edit/",
            "/data/datasets/live-births-and-low-birth-weight/upload/",
            "/data/datasets/live-births-and-low-birth-weight/schema/",
            "/data/datasets/live-births-and-low-birth-weight/indicators/new/",
            f"/data/indicators/low-birth-weight/values/{value.pk}/flag/",
            "/data/sql/",
        ]
    return pages


@pytest.mark.parametrize(
    "person",
    ["", "data@infuse.example", "analyst@infuse.example"],
    ids=["public", "data", "newport"],
)
def test_every_page_in_both_languages(page: Page, live_server, demo, axe_check, person):
    if person:
        sign_in(page, live_server.url, person)
    for path in pages_for(person):
        texts = {}
        for prefix, language in (("", "en"), ("/cy", "cy")):
            response = page.goto(live_server.url + prefix + path)
            assert response is not None and response.ok, f"{prefix}{path}: {response.status}"
            expect(page.locator("html")).to_have_attribute("lang", language)
            texts[language] = page.locator("main").inner_text()
            axe_check(page)
        assert texts["en"] != texts["cy"], f"{path} is the same in Welsh"


def test_charts_flags_and_saved_queries_in_welsh(page: Page, live_server, demo, axe_check):
    sign_in(page, live_server.url, "data@infuse.example")
    page.goto(live_server.url + "/cy/data/indicators/low-birth-weight/")
    expect(page.get_by_role("heading", name="Tuedd o'i gymharu â'r rhanbarth")).to_be_visible()
    page.get_by_label("Cyngor", exact=True).select_option(label="Sir Fynwy")
    page.get_by_role("button", name="Dangos").first.click()
    expect(page.get_by_role("table", name="Sir Fynwy a'r rhanbarth, fesul cyfnod")).to_be_visible()
    expect(
        page.get_by_role("img", name="Tuedd: Sir Fynwy o'i gymharu â'r rhanbarth")
    ).to_be_visible()
    page.get_by_label("Cyfnod", exact=True).select_option("2020-21")
    page.locator("#funnel ~ form button").click()
    expect(page.get_by_role("heading", name="Plot twndis, 2020-21")).to_be_visible()
    expect(page.get_by_role("img", name="Plot twndis")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Newid y nodyn ar gyfer Blaenau Gwent, 2024-25").click()
    page.get_by_label("Dros dro").check()
    page.get_by_role("button", name="Cadw'r nodyn").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Nodyn wedi'i gadw.")
    expect(page.get_by_role("cell", name="Dros dro").first).to_be_visible()
    axe_check(page)
    page.goto(live_server.url + "/cy/data/sql/")
    page.get_by_role("link", name="Emissions by sector in the region, latest year").click()
    page.get_by_role("button", name="Rhedeg yr ymholiad").click()
    expect(page.get_by_role("columnheader", name="kt_co2e")).to_be_visible()
    expect(page.get_by_role("cell", name="Transport")).to_be_visible()
    axe_check(page)
    page.get_by_label("Ymholiad", exact=True).fill("COPY (SELECT 1) TO '/tmp/x.csv'")
    page.get_by_role("button", name="Rhedeg yr ymholiad").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    axe_check(page)
