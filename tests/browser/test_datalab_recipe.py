"""An analyst takes the StatsWales low birth weight export, saved by Excel (CRLF), from upload
to funnel plot by the platform's own steps: the check of how it is read, the recipe's suggested
area and year plus one sum, an indicator compared with Wales. A 2024 file is shaped by the same
recipe. In a real browser, checked with axe-core."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from tests.browser.test_shell import sign_in
from tests.reference_data import shared

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def births_file(tmp_path: Path, year: str) -> Path:
    raw = (
        shared("health/low_birth_weight.csv")
        .read_bytes()
        .replace(b"\r\n", b"\n")
        .replace(b"Year: 2023", f"Year: {year}".encode())
    )
    path = tmp_path / f"births-{year}.csv"
    path.write_bytes(raw.replace(b"\n", b"\r\n"))
    return path


def upload(page: Page, path: Path, axe_check) -> None:
    page.get_by_role("link", name="Upload data").first.click()
    page.get_by_label("Data file").set_input_files(str(path))
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.get_by_role("heading", name="Check how the file is read")).to_be_visible()
    expect(page.get_by_text("From line 7")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Convert the file read like this").click()
    expect(page.get_by_role("status")).to_be_visible()
    call_command("worker", "--batch")  # the page polls and reloads itself when done


def test_an_analyst_goes_from_the_statswales_file_to_a_funnel_plot(
    page: Page, live_server, make_person, make_dataset, axe_check, tmp_path, settings
):
    settings.DATA_DIR = tmp_path / "data"
    analyst = make_person("analyst", email="nia@cardiff.example")
    make_dataset("Births by weight", actor=analyst, visibility="public")
    sign_in(page, live_server.url, "nia@cardiff.example")
    page.goto(live_server.url + "/data/datasets/births-by-weight/")
    upload(page, births_file(tmp_path, "2023"), axe_check)
    expect(page.get_by_role("heading", name="Version 1 added")).to_be_visible(timeout=15_000)

    page.get_by_role("link", name="Births by weight").first.click()
    page.get_by_role("link", name="Shape the data (recipe)").click()
    expect(page.get_by_role("heading", name="Suggested from the file")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Add this step – Suggestion 1").click()  # the area
    expect(page.get_by_text("Step added.")).to_be_visible()
    page.get_by_role("button", name="Add this step – Suggestion 1").click()  # the year
    expect(page.get_by_text("‘2023’ in this version")).to_be_visible()
    page.get_by_role("link", name="Add a step").click()
    page.get_by_label("Add up columns into a new column").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Add the step").click()  # nothing chosen: said on the fields
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    axe_check(page)
    page.get_by_label("<2000g", exact=True).check()
    page.get_by_label("2000-2499g", exact=True).check()
    page.get_by_label("Name of the new column").fill("under_2500")
    page.get_by_role("button", name="Add the step").click()
    expect(page.get_by_role("heading", name="Recipe", exact=True)).to_be_visible()
    expect(page.get_by_role("columnheader", name="under_2500")).to_be_visible()
    axe_check(page)

    page.get_by_role("link", name="Add an indicator").click()
    page.get_by_label("Title, in English").fill("Births under 2,500 g")
    page.get_by_label("Title, in Welsh").fill("Genedigaethau dan 2,500 g")
    page.get_by_label("Numerator", exact=True).select_option("sum")
    page.get_by_role("group", name="Columns for the numerator").get_by_label(
        "under_2500", exact=True
    ).check()
    page.get_by_role("group", name="Denominator: add up these columns").get_by_label(
        "Total", exact=True
    ).check()
    page.get_by_label("Column that names the council").select_option("area")
    page.get_by_label("Column with the date or period").select_option("year")
    page.get_by_label("Periods").select_option("as_recorded")
    page.get_by_label("Unit", exact=True).select_option("percentage")
    page.get_by_label("Lower is better", exact=True).check()
    page.get_by_label("An area the data has rows for, such as Wales").check()
    page.get_by_label("The area, as the data names it").fill("Wales")
    page.get_by_role("button", name="Add the indicator").click()
    expect(page.get_by_role("heading", name="Births under 2,500 g")).to_be_visible()
    call_command("worker", "--batch")
    page.reload()
    league = page.get_by_role("table", name="2023")
    expect(league.get_by_role("columnheader", name="Compared with Wales")).to_be_visible()
    expect(league.get_by_role("rowheader", name="Cardiff", exact=True)).to_be_visible()
    expect(page.locator(".infuse-figure svg").last).to_be_visible()
    expect(page.get_by_text("around the value of Wales")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Cymraeg").click()
    expect(page.get_by_role("columnheader", name="O'i gymharu â Cymru").first).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="English").click()

    # A year on: the same recipe shapes the new file, and the indicator follows it.
    page.goto(live_server.url + "/data/datasets/births-by-weight/")
    upload(page, births_file(tmp_path, "2024"), axe_check)
    expect(page.get_by_role("heading", name="Version 2 added")).to_be_visible(timeout=15_000)
    call_command("worker", "--batch")
    page.goto(live_server.url + "/data/indicators/births-under-2500-g/")
    expect(page.get_by_role("table", name="2024")).to_be_visible()
