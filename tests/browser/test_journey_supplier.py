"""A supplier's journey, in English and in Welsh: from the home page they ask to hear of new
decarbonisation challenges; a buyer publishes one and the alert arrives by email (a real SMTP
server on loopback); its link opens the challenge; they ask a question, hear that it was
answered (their messages), read the answer, and bid — checked, then submitted."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.browser.journeys import LANGUAGES, Journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def publish_a_challenge(title: str) -> object:
    """A buyer (the demo's, in Rhondda Cynon Taf) publishes a decarbonisation challenge."""
    from infuse.core.models import Person
    from infuse.procurement.challenges import services
    from infuse.procurement.challenges.schemas import ChallengeIn, CriterionIn, PhaseIn

    buyer = Person.objects.get(email="procurement@infuse.example")
    challenge = services.create_challenge(
        actor=buyer,
        challenge_in=ChallengeIn(
            title_en=title,
            title_cy=f"{title} (cy)",
            owner="rhondda-cynon-taf",
            councils=["W06000016"],
            summary_en="Heat pumps for council depots.",
            summary_cy="Pympiau gwres ar gyfer depos y cyngor.",
            problem_en="Depots burn oil all winter.",
            themes=["decarbonisation"],
            goals=["globally-responsible"],
            cpv_codes=["72212000"],
        ),
    )
    now = timezone.now()
    phase = services.save_phase(
        actor=buyer,
        challenge=challenge,
        phase_in=PhaseIn(
            number=1,
            budget_pence=5_000_000,
            contracts_planned=1,
            opens_at=now - dt.timedelta(hours=1),
            clarification_deadline=now + dt.timedelta(days=5),
            submission_deadline=now + dt.timedelta(days=10),
            evaluation_ends_on=(now + dt.timedelta(days=20)).date(),
            award_expected_on=(now + dt.timedelta(days=25)).date(),
        ),
    )
    services.set_criteria(
        actor=buyer,
        phase=phase,
        criteria=[
            CriterionIn(kind="quality", title_en="Approach", title_cy="Dull", weight=60),
            CriterionIn(
                kind="social_value",
                title_en="Local jobs",
                title_cy="Swyddi lleol",
                weight=10,
                goal="prosperous",
            ),
            CriterionIn(kind="price", title_en="Price", title_cy="Pris", weight=30),
        ],
    )
    return services.publish_challenge(actor=buyer, challenge=challenge)


def answer_the_question() -> None:
    """The buyer publishes the question, reworded, and its answer, in both languages."""
    from infuse.core.models import Person
    from infuse.procurement.models import Clarification
    from infuse.procurement.questions.schemas import AnswerIn
    from infuse.procurement.questions.services import answer_question

    answer_question(
        actor=Person.objects.get(email="procurement@infuse.example"),
        clarification=Clarification.objects.get(phase__challenge__title_en="Low-carbon depots"),
        answer_in=AnswerIn(
            published_question_en="May a bid use air-source heat pumps?",
            answer_en="Yes, sized for each depot.",
            published_question_cy="A gaiff cais ddefnyddio pympiau gwres o'r aer?",
            answer_cy="Caiff, wedi'u maintioli ar gyfer pob depo.",
        ),
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_from_an_alert_to_a_submitted_bid(
    page, live_server, demo, axe_check, smtp_inbox, settings, language
):
    from infuse.core.models import Theme

    settings.SITE_URL = live_server.url
    j = Journey(page, live_server.url, language, axe_check)
    j.start()
    j.sign_in("supplier@infuse.example")

    # Choose the alert, and emails in the journey's language.
    j.messages()
    j.link(j.t("Choose which emails you get, their language, and alerts for new challenges"))
    j.page.get_by_label("Cymraeg" if language == "cy" else "English", exact=True).check()
    j.page.get_by_label(j.t("Yes"), exact=True).check()
    theme = Theme.objects.get(code="decarbonisation")
    j.page.get_by_label(theme.name_cy if language == "cy" else theme.name_en).check()
    j.button(j.t("Save your choices"))

    # A buyer publishes a matching challenge: the alert is emailed through the task queue.
    challenge = publish_a_challenge("Low-carbon depots")
    call_command("worker", "--batch")
    [alert] = [
        m
        for m in smtp_inbox.messages
        if "supplier@infuse.example" in str(m["To"]) and "Low-carbon depots" in str(m["Subject"])
    ]
    link = re.search(r"https?://\S+", alert.get_body(("plain",)).get_content()).group(0)
    j.page.goto(link)  # following the email's link, as the supplier would
    j.check()
    j.heading(str(challenge.title_cy if language == "cy" else challenge.title_en))

    # A question, then its answer, heard of in their messages.
    j.link(j.t("Ask a question"))
    j.fill(j.t("Your question"), "Can we use air-source heat pumps, or only ground-source?")
    j.button(j.t("Send the question"))
    answer_the_question()
    call_command("worker", "--batch")
    j.messages()
    j.link(
        re.compile(re.escape(str(challenge.title_cy if language == "cy" else challenge.title_en)))
    )
    j.sees(
        "Caiff, wedi'u maintioli ar gyfer pob depo."
        if language == "cy"
        else "Yes, sized for each depot."
    )

    # The bid: answers and price on one form, checked, then submitted.
    j.link(j.t("Start a bid"))
    j.fill("Dull" if language == "cy" else "Approach", "Air-source heat pumps at all four depots.")
    j.fill(
        "Swyddi lleol" if language == "cy" else "Local jobs", "Two apprentices from the valleys."
    )
    j.fill(j.t("Your price, in pounds (excluding VAT)"), "£42,500")
    j.button(j.t("Save and check your bid"))
    j.heading(j.t("Check your bid before you submit it"))
    j.sees("£42,500")
    j.button(j.t("Submit the bid"))
    j.sees(j.t("Submitted"))
