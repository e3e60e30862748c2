"""A quasi-experiment walked in Welsh in a real browser, each page checked with axe-core:
plan from past data → designed → register → launch → attach data → results → decision →
report (page and PDF)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import translation
from playwright.sync_api import Page, expect

from infuse.adaption.analysis import services
from infuse.adaption.registry.schemas import ExperimentIn
from infuse.adaption.registry.services import create_experiment
from tests.adaption.conftest import PROTOCOL
from tests.adaption.design.test_history import _history, _quasi
from tests.browser.test_shell import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def cy(text: str) -> str:
    """The Welsh the page shows for ``text`` (and proof that there is some)."""
    with translation.override("cy"):
        welsh = translation.gettext(text)
    assert welsh != text, f"no Welsh for {text!r}"
    return welsh


def test_a_difference_in_differences_from_plan_to_report_in_welsh(
    page: Page, live_server, make_dataset, make_person, axe_check
):
    officer = make_person("officer", email="ceri@cardiff.example")
    dataset, _panel = _history(make_dataset, officer)
    experiment = _quasi(make_experiment_for(officer), officer, "did", dataset)
    base = live_server.url
    sign_in(page, base, "ceri@cardiff.example")
    url = f"{base}/cy/experiments/{experiment.slug}/"

    page.goto(url)
    page.get_by_role("link", name=cy("Plan it from past data")).first.click()
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    axe_check(page)
    page.get_by_role("button", name=cy("Run placebo trials on past data")).click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        cy("Choose the columns with the council and the period")
    )
    axe_check(page)
    page.get_by_label(cy("Column naming the council")).select_option("council")
    page.get_by_label(cy("Column with the period")).select_option("year")
    page.get_by_label(cy("Periods the analysis will use after the intervention starts")).fill("3")
    page.get_by_role("button", name=cy("Run placebo trials on past data")).click()
    expect(page.get_by_role("status")).to_contain_text(cy("The placebo trials are running."))
    axe_check(page)
    call_command("worker", "--batch")
    page.reload()
    expect(page.get_by_role("heading", name=cy("The plan"), exact=True)).to_be_visible()
    expect(page.get_by_role("img", name=cy("Power curve"))).to_be_visible()
    expect(page.get_by_role("table", name=cy("Councils in the past data"))).to_contain_text(
        "Casnewydd"
    )
    axe_check(page)

    page.goto(url)
    expect(page.get_by_text(cy("Minimum detectable effect"))).to_be_visible()
    page.get_by_role("link", name=cy("Mark as designed")).click()
    page.get_by_role("button", name=cy("Mark as designed")).click()
    page.get_by_role("link", name=cy("Register the protocol")).first.click()
    # The form's page must be there before its fields are looked for (a click does not wait).
    expect(page.get_by_role("heading", level=1)).to_have_text(cy("Register the protocol"))
    for name, text in {**PROTOCOL, "randomisation_method": "", "randomisation_unit": ""}.items():
        field = page.locator(f"#id_{name}")
        if field.count():
            field.fill(text)
    page.get_by_role("button", name=cy("Register the protocol")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("1")
    axe_check(page)
    page.goto(url)
    page.get_by_role("link", name=cy("Launch"), exact=True).click()
    page.get_by_role("button", name=cy("Launch")).click()

    page.goto(f"{url}data/")
    axe_check(page)
    page.locator("#id_dataset").select_option(dataset.slug)
    page.locator("#id_outcome").fill("rate")
    page.locator("#id_cluster").fill("council")
    page.locator("#id_period").fill("year")
    page.get_by_role("button", name=cy("Run the analysis")).click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        cy("Give the first period of the intervention as a number")
    )
    axe_check(page)
    page.locator("#id_start").fill("2020")
    page.get_by_role("button", name=cy("Run the analysis")).click()
    call_command("worker", "--batch")
    page.goto(f"{url}results/")
    expect(page.get_by_role("heading", name=cy("Primary outcome"))).to_be_visible()
    axe_check(page)
    run = services.get_analysis(actor=officer, experiment=experiment)
    assert run.result["quasi"]["start"] == 2020

    page.goto(url)
    page.get_by_role("link", name=cy("Mark analysed")).click()
    page.get_by_role("button", name=cy("Mark analysed")).click()
    page.get_by_role("link", name=cy("Record the decision")).click()
    axe_check(page)
    page.locator("input[name=choice][value=adapt]").check()
    page.locator("#id_rationale").fill("Dim effaith glir eto; rhoi cynnig arall arni.")
    page.get_by_role("button", name=cy("Record the decision")).click()
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.get_by_role("heading", name=cy("Decision"), exact=True)).to_be_visible()
    expect(page.get_by_text("Dim effaith glir eto")).to_be_visible()
    axe_check(page)

    page.goto(f"{url}report/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    axe_check(page)
    pdf = page.request.get(f"{url}report.pdf")
    assert pdf.ok and pdf.body()[:5] == b"%PDF-"


def make_experiment_for(officer):
    def make(design: str, **extra):
        return create_experiment(
            actor=officer,
            experiment_in=ExperimentIn(
                title_en="Recycling hubs",
                title_cy="Hybiau ailgylchu",
                owner="cardiff",
                design=design,
                councils=extra.pop("councils"),
            ),
        )

    return make
