"""News for people: once per key, in both languages, only to those who can act on it; their
messages page, their choices, and alerts for new challenges matched by theme, goal, council."""

from __future__ import annotations

import pytest
from django.utils import translation

from infuse.core.models import Council, Notification, Theme, WellbeingGoal
from infuse.core.notifications import News, alerted_by, notify, save_alert
from tests.clients import signed_in_as

pytestmark = pytest.mark.django_db


def news(key: str = "k") -> News:
    return News(
        topic=Notification.Topic.WORK_DONE,
        key=key,
        subject=lambda: f"Subject {translation.get_language()}",
        body=lambda: f"Body {translation.get_language()}",
        url="/data/",
    )


def test_news_is_written_in_both_languages_once_per_person_and_key(make_person):
    person = make_person("officer")
    [made] = notify([person, person], news())
    assert (made.subject_en, made.subject_cy) == ("Subject en", "Subject cy")
    assert (made.body_en, made.body_cy) == ("Body en", "Body cy")
    assert notify([person], news()) == []
    assert len(notify([person], news("other"))) == 1


def test_nobody_inactive_or_unconfirmed_is_told(make_person):
    gone = make_person("officer", is_active=False)
    unconfirmed = make_person("supplier", email_confirmed_at=None)
    assert notify([gone, unconfirmed], news()) == []


def test_the_messages_page_shows_ones_own_in_the_pages_language(make_person):
    person, other = make_person("officer"), make_person("analyst")
    [mine] = notify([person], news("mine"))
    [theirs] = notify([other], news("theirs"))
    client = signed_in_as(person)
    page = client.get("/cy/account/messages/")
    assert "Subject cy" in page.text and "Body cy" in page.text and "Newydd" in page.text
    assert 'infuse-header__count">(1<' in page.text  # the header counts what is unread
    # Someone else's message does not open, and says so.
    refused = client.get(f"/account/messages/{theirs.pk}/", follow=True)
    assert "not one of yours" in refused.text
    theirs.refresh_from_db()
    assert theirs.read_at is None
    client.post("/account/messages/read/")
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert "infuse-header__count" not in client.get("/account/messages/").text


def test_choices_set_the_email_language_topics_and_the_alert(make_person):
    person = make_person("supplier")
    client = signed_in_as(person)
    form = client.get("/account/messages/choices/")
    assert form.status_code == 200 and "Language of your emails" in form.text
    assert "A step waits on you" not in form.text  # a supplier is offered only its topics
    answer = client.post(
        "/account/messages/choices/",
        {
            "language": "cy",
            "emails": [Notification.Topic.OUTCOME, Notification.Topic.NEW_CHALLENGE],
            "alert": "yes",
            "themes": ["decarbonisation"],
            "councils": ["W06000015"],
        },
        follow=True,
    )
    assert "Your choices are saved." in answer.text
    person.refresh_from_db()
    assert person.preferred_language == "cy"
    assert Notification.Topic.OUTCOME not in person.emails_off
    assert Notification.Topic.QUESTION_ANSWERED in person.emails_off
    assert Notification.Topic.STEP_WAITING not in person.emails_off  # not offered: unchanged
    alert = person.subscription
    assert [t.code for t in alert.themes.all()] == ["decarbonisation"]
    assert [c.gss_code for c in alert.councils.all()] == ["W06000015"]
    # Stopping the alert removes it; a missing answer is an error on its field.
    client.post("/account/messages/choices/", {"language": "en", "alert": "no"})
    person.refresh_from_db()
    assert not hasattr(person, "subscription") or person.subscription is None
    wrong = client.post("/account/messages/choices/", {"language": "en"})
    assert wrong.status_code == 400 and "Error:" in wrong.text


def test_an_alert_matches_on_every_kind_it_chose_and_anything_it_left_open(make_person):
    cardiff = Council.objects.get(slug="cardiff")
    newport = Council.objects.get(slug="newport")
    carbon = Theme.objects.get(code="decarbonisation")
    health = Theme.objects.get(code="improving-public-health")
    healthier = WellbeingGoal.objects.first()
    anything, carbon_cardiff, health_only = (make_person("supplier") for _ in range(3))
    save_alert(person=anything, wanted=True)
    save_alert(person=carbon_cardiff, wanted=True, themes=[carbon], councils=[cardiff])
    save_alert(person=health_only, wanted=True, themes=[health])

    def matched(themes, goals, councils):
        return set(
            alerted_by(
                themes={t.pk for t in themes},
                goals={g.pk for g in goals},
                councils={c.pk for c in councils},
            )
        )

    assert matched([carbon], [healthier], [cardiff, newport]) == {anything, carbon_cardiff}
    assert matched([carbon], [], [newport]) == {anything}
    assert matched([health, carbon], [], [cardiff]) == {anything, carbon_cardiff, health_only}
