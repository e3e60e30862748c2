"""An officer's journey with an analyst's help, in English and in Welsh: from the home page, a
new stepped-wedge experiment is described, given its outcome, designed and registered; the
randomisation waits on an analyst, so the officer asks them from the task list; the analyst
hears of it in their messages and randomises; the officer launches, attaches the outcome data,
reads the results, records the decision and opens the trial report and its PDF. Only links and
buttons; every page axe-clean and in the journey's language."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.journeys import LANGUAGES, Journey, in_english, in_welsh

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COUNCILS = ("Cardiff", "Newport", "Torfaen", "Bridgend")
PROTOCOL = {
    "Hypotheses": "Warm hubs cut winter GP visits among the over-65s.",
    "Sample and its size": "Four councils, twelve people per council each period.",
    "Stopping rule": "None: the roll-out runs its two steps.",
    "Randomisation method": "A seeded random order of councils.",
    "Unit of randomisation": "Council",
    "Analysis plan": "Council-period means with period effects; CR2 errors.",
    "Missing data": "Complete-case analysis.",
}


def outcome_data(officer_email: str) -> Any:
    """The visits recorded after launch of the one stepped-wedge experiment (council, period,
    visits; four fewer once a council has switched), published in the Data Lab by the council
    that owns it."""
    from infuse.adaption.models import Experiment
    from infuse.core.models import Person
    from infuse.datalab.catalogue.schemas import DatasetIn
    from infuse.datalab.catalogue.services import create_dataset
    from infuse.datalab.ingest import services as data

    experiment = Experiment.objects.get()
    allocation = experiment.latest_allocation.result
    step = dict(zip(allocation["unit_ids"], allocation["steps"], strict=True))
    lines = ["council,period,visits"]
    for council, switch in step.items():
        for period in range(1, max(step.values()) + 2):
            on = period > switch
            lines += [f"{council},{period},{40 - 4 * on + n % 5 + period}" for n in range(12)]
    officer = Person.objects.get(email=officer_email)
    dataset = create_dataset(
        actor=officer,
        dataset_in=DatasetIn(
            title_en="GP visits",
            title_cy="Ymweliadau meddyg teulu",
            publisher=experiment.owner.slug,
        ),
    )
    data.upload_file(
        actor=officer, dataset=dataset, chunks=["\n".join(lines).encode()], original_name="v.csv"
    )
    call_command("worker", "--batch")
    return dataset


def describe(j: Journey) -> None:
    """The officer adds the experiment: titles, hypothesis, design and councils."""
    from infuse.core.models import Council

    j.link(j.t("Adaption Lab"))
    j.link(j.t("Add an experiment"))
    j.fill(in_english("Title", j), "Warm hubs")
    j.fill(in_welsh("Title", j), "Hybiau cynnes")
    j.fill(in_english("Hypothesis", j), "Warm hubs cut winter GP visits.")
    j.page.get_by_label(j.t("Stepped-wedge roll-out across councils")).check()
    for name in COUNCILS:
        council = Council.objects.get(name_en=name)
        label = council.name_cy if j.language == "cy" else council.name_en
        j.page.get_by_label(label, exact=True).check()
    j.button(j.t("Add the experiment"))
    j.heading("Hybiau cynnes" if j.language == "cy" else "Warm hubs")


def design_and_register(j: Journey) -> None:
    j.link(j.t("Name the outcomes and where their data comes from"))
    j.page.get_by_label(in_english("Outcome", j)).first.fill("GP visits per 1,000 over-65s")
    j.button(j.t("Save the outcomes"))
    j.link(j.t("Work out the power and size"))
    j.page.get_by_label(j.t("yes or no (a proportion)")).check()
    j.fill(j.t("Proportion without the intervention"), "30%")
    j.fill(j.t("Proportion with the intervention"), "22%")
    j.fill(j.t("Intracluster correlation"), "0.02")
    j.fill(j.t("Number of steps"), "2")
    j.button(j.t("Calculate"))
    expect(j.page.get_by_role("img", name=j.t("Power curve"))).to_be_visible()
    j.button(j.t("Save with the experiment"))
    j.link(j.t("Mark the design as done"))
    j.button(re.compile(j.t("Mark as designed")))
    j.link(j.t("Register the protocol"))
    for label, text in PROTOCOL.items():
        j.fill(in_english(label, j), text, exact=True)
    j.fill(in_welsh("Hypotheses", j), "Mae hybiau cynnes yn lleihau ymweliadau yn y gaeaf.")
    j.button(j.t("Register the protocol"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_from_a_new_experiment_to_its_report_with_an_analysts_randomisation(
    page, live_server, make_person, axe_check, language
):
    officer = make_person("officer", email="ceri@cardiff.example", full_name="Ceri Jones")
    make_person("analyst", email="alys@cardiff.example", full_name="Alys Bevan")
    officer.preferred_language = language
    officer.save(update_fields=["preferred_language"])
    j = Journey(page, live_server.url, language, axe_check)
    j.start()
    j.sign_in(officer.email)
    describe(j)
    design_and_register(j)

    # The officer may not randomise: the task list says who can, and asks them.
    j.find("link", re.compile(j.t("Warm hubs") if language == "en" else "Hybiau cynnes")).click()
    j.check()
    j.sees("Alys Bevan")
    j.button(j.t("Ask them to do it"))
    j.sees("Alys Bevan")
    j.sign_out()

    # The analyst hears of it, opens the experiment from the message and randomises.
    j.sign_in("alys@cardiff.example")
    j.messages()
    j.link(re.compile("Hybiau cynnes" if language == "cy" else "Warm hubs"))
    j.link(j.t("Randomise"), exact=True)
    j.button(re.compile(j.t("Randomise")))
    j.heading(j.t("Allocation"))
    j.sign_out()

    # The officer launches, attaches the outcome data and reads the results.
    dataset = outcome_data(officer.email)
    j.sign_in(officer.email)
    j.messages()
    j.link(re.compile("Hybiau cynnes" if language == "cy" else "Warm hubs"))
    j.link(j.t("Launch the experiment"))
    j.button(j.t("Launch"), exact=True)
    j.link(j.t("Attach the outcome data and run the analysis"))
    j.page.get_by_label(j.t("Dataset with the outcome data")).select_option(dataset.slug)
    j.fill(j.t("Column of the primary outcome"), "visits")
    j.fill(j.t("Column that names the council"), "council")
    j.fill(j.t("Column of the period"), "period")
    j.button(j.t("Run the analysis"))
    call_command("worker", "--batch")
    j.waits_for(j.t("Primary outcome"))
    j.sees("GP visits per 1,000 over-65s")  # the outcome by its name, not its column

    # The decision, then the trial report and its PDF.
    j.link(re.compile("Hybiau cynnes" if language == "cy" else "Warm hubs"))
    j.link(j.t("Mark the results as final"))
    j.button(j.t("Mark analysed"))
    j.link(j.t("Decide: scale, adapt or stop"))
    j.page.get_by_label(j.t("Scale up"), exact=True).check()
    j.fill(in_english("Rationale", j), "Four fewer visits per person, in every council.")
    j.button(j.t("Record the decision"))
    j.link(j.t("Trial report"))
    j.sees(j.t("Effect by council"))
    with j.page.expect_download() as download:
        j.find("link", re.compile(j.t("PDF"))).click()
    assert download.value.path().read_bytes()[:5] == b"%PDF-"
