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
    page.get_by_label("Title, in English").fill("Library visits")
    page.get_by_label("Title, in Welsh").fill("Ymweliadau â llyfrgelloedd")
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


def test_upload_profile_and_indicator_pages(
    page: Page, live_server, make_person, axe_check, tmp_path, settings
):
    from django.core.management import call_command

    settings.DATA_DIR = tmp_path / "data"
    make_person("analyst", email="dafydd@cardiff.example")
    sign_in(page, live_server.url, "dafydd@cardiff.example")
    page.goto(live_server.url + "/data/datasets/new/")
    page.get_by_label("Title, in English").fill("Smoking survey")
    page.get_by_label("Title, in Welsh").fill("Arolwg ysmygu")
    page.get_by_label("Public", exact=True).check()
    page.get_by_role("button", name="Add the dataset").click()
    page.get_by_role("link", name="Upload data").click()
    axe_check(page)
    data = tmp_path / "smoking.csv"
    data.write_text(
        "council,surveyed_on,smokers,surveyed\nCardiff,2023-05-01,30,200\n"
        "Newport,2023-06-01,10,150\nTorfaen,2023-07-01,12,90\n"
    )
    page.get_by_label("Data file").set_input_files(str(data))
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("heading", name="Check how the file is read")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Convert the file read like this").click()
    expect(page.get_by_role("status")).to_be_visible()
    axe_check(page)
    call_command("worker", "--batch")  # the page polls and reloads itself when done
    expect(page.get_by_role("heading", name="Version 1 added")).to_be_visible(timeout=15_000)
    axe_check(page)
    page.get_by_role("link", name="Smoking survey").first.click()
    page.get_by_role("link", name="Version 1").click()
    expect(page.get_by_role("heading", name="Columns")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Smoking survey").first.click()
    page.get_by_role("link", name="Add an indicator").click()
    axe_check(page)
    page.get_by_label("Title, in English").fill("Adults who smoke")
    page.get_by_label("Title, in Welsh").fill("Oedolion sy'n ysmygu")
    page.get_by_label("Numerator", exact=True).select_option("sum")
    page.get_by_role("group", name="Columns for the numerator").get_by_label("smokers").check()
    page.get_by_role("group", name="Denominator: add up these columns").get_by_label(
        "surveyed", exact=True
    ).check()
    page.get_by_label("Column that names the council").select_option("council")
    page.get_by_label("Column with the date or period").select_option("surveyed_on")
    page.get_by_label("Unit", exact=True).select_option("percentage")
    page.get_by_label("Lower is better", exact=True).check()
    page.get_by_role("button", name="Add the indicator").click()
    call_command("worker", "--batch")
    page.reload()
    expect(
        page.get_by_role("table", name="2023-24").get_by_role("rowheader", name="Torfaen")
    ).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Cymraeg").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Oedolion sy'n ysmygu")
    axe_check(page)
