"""The Data Lab's people, each from the home page by links and buttons alone, in English and in
Welsh: a member of the public finds a council's open data and downloads it; a data publisher
adds a dataset, uploads its file, follows the upload until it is accepted, and reads the
version's profile."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from tests.browser.journeys import LANGUAGES, Journey, in_english, in_welsh

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_public_finds_open_data_and_downloads_it(page, live_server, demo, axe_check, language):
    from infuse.datalab.models import Dataset

    open_data = Dataset.objects.filter(visibility="public").order_by("slug").first()
    j = Journey(page, live_server.url, language, axe_check)
    j.start()
    j.link(j.t("Data Lab"))
    j.fill(j.t("Search datasets"), open_data.title_en.split()[0])
    j.button(j.t("Search"), exact=True)
    j.link(open_data.title_cy if language == "cy" else open_data.title_en)
    j.link(j.t("Version %(number)s", number=str(open_data.latest_version.number)))
    with j.page.expect_download() as download:
        j.find("link", "CSV", exact=True).click()
    assert download.value.path().read_text().splitlines()[0].count(",") >= 2


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_data_publisher_adds_a_dataset_and_its_first_version(
    page, live_server, make_person, axe_check, tmp_path, language
):
    publisher = make_person("officer", email="ceri@cardiff.example")
    table = tmp_path / "bins.csv"
    table.write_text("council,period,missed_bins\nW06000015,2024-25,120\nW06000022,2024-25,80\n")
    j = Journey(page, live_server.url, language, axe_check)
    j.start()
    j.sign_in(publisher.email)
    j.link(j.t("Data Lab"))
    j.link(j.t("Add a dataset"))
    j.fill(in_english("Title", j), "Missed bin collections")
    j.fill(in_welsh("Title", j), "Casgliadau biniau a fethwyd")
    j.fill(in_english("Area covered", j), "Cardiff and Newport")
    j.page.get_by_label(j.t("Public"), exact=True).check()
    j.button(j.t("Add the dataset"))
    j.heading("Casgliadau biniau a fethwyd" if language == "cy" else "Missed bin collections")
    j.link(j.t("Upload data"))
    j.page.locator("input[type=file]").set_input_files(table)
    j.button(j.t("Upload"), exact=True)
    j.heading(j.t("Check how the file is read"))
    j.button(j.t("Convert the file read like this"))
    call_command("worker", "--batch")  # the task queue's worker, as in production
    j.waits_for(j.t("Accepted"))
    read = j.t("Read version %(number)s: its columns and a profile of their values", number="1")
    j.link(read)
    j.sees("missed_bins")
