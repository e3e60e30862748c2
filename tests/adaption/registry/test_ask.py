"""'Ask them to do it': the officer asks the analysts an experiment's randomisation waits on;
they are told once a day per asker, and nobody can be asked about a step that waits on nobody."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from infuse.core.models import Notification
from tests.adaption.conftest import registered
from tests.clients import signed_in_as

pytestmark = pytest.mark.django_db


def test_the_officer_asks_the_analyst_to_randomise(
    make_experiment: Callable[..., Any], officer: Any, make_person: Callable[..., Any]
) -> None:
    experiment = registered(make_experiment, officer)
    client = signed_in_as(officer)
    page = f"/experiments/{experiment.slug}/"
    # Nobody can randomise yet: no button, and asking anyway says who can give the role.
    assert "Ask them to do it" not in client.get(page).text
    refused = client.post(f"{page}ask-them/", {"step": "randomise"}, follow=True)
    assert "a programme administrator can give the role" in refused.text

    analyst = make_person("analyst", full_name="Alys Bevan", preferred_language="cy")
    shown = client.get(page).text
    assert "Ask them to do it" in shown and 'value="randomise"' in shown
    answer = client.post(f"{page}ask-them/", {"step": "randomise"})
    assert answer.status_code == 302 and answer["Location"] == f"{page}#steps"
    told = client.get(page).text
    assert "We have asked Alys Bevan" in told
    [news] = Notification.objects.filter(person=analyst)
    assert news.topic == Notification.Topic.STEP_WAITING and news.url == f"{page}#steps"
    assert experiment.title in news.body_en and officer.full_name in news.subject_en
    assert news.subject_cy != news.subject_en and "Mae " in news.subject_cy
    # A second ask the same day is not sent again, and the officer is told so.
    client.post(f"{page}ask-them/", {"step": "randomise"})
    assert "You asked Alys Bevan today already" in client.get(page).text
    assert Notification.objects.filter(person=analyst).count() == 1
    # The analyst reads it and goes straight to the experiment.
    opened = signed_in_as(analyst).get(f"/account/messages/{news.pk}/")
    assert opened["Location"] == f"{page}#steps"
    # Once the analyst randomises, the officer who asked hears that it is done (once).
    from infuse.adaption.randomisation.schemas import RandomiseIn
    from infuse.adaption.randomisation.services import randomise

    randomise(actor=analyst, experiment=experiment, randomise_in=RandomiseIn(seed=3))
    [done] = Notification.objects.filter(person=officer, key__startswith="done:")
    assert done.subject_en == f"Done as you asked: Randomise, the experiment “{experiment.title}”"
    assert "Alys Bevan has taken the step you asked for" in done.body_en
    assert not Notification.objects.filter(person=analyst, key__startswith="done:").exists()


def test_a_step_that_is_the_readers_own_or_done_cannot_be_asked_about(
    make_experiment: Callable[..., Any], officer: Any
) -> None:
    experiment = registered(make_experiment, officer)
    client = signed_in_as(officer)
    for step in ("register", "launch", "no-such-step"):
        answer = client.post(f"/experiments/{experiment.slug}/ask-them/", {"step": step})
        assert answer.status_code == 302
        assert "does not wait on anyone now" in client.get(answer["Location"]).text
    assert not Notification.objects.exists()


def test_registering_tells_the_analysts_that_randomisation_waits_on_them(
    make_experiment: Callable[..., Any], officer: Any, make_person: Callable[..., Any]
) -> None:
    analyst = make_person("analyst", full_name="Alys Bevan")
    experiment = registered(make_experiment, officer)
    [news] = Notification.objects.filter(person=analyst, topic=Notification.Topic.STEP_WAITING)
    # the subject names the experiment too: a list of messages tells them apart
    assert news.subject_en == f"A step waits on you: Randomise, the experiment “{experiment.title}”"
    assert news.key == f"next:experiment:{experiment.pk}:randomise"
    assert experiment.title in news.body_en and news.url == f"/experiments/{experiment.slug}/"
    assert not Notification.objects.filter(person=officer).exists()  # never the one who acted
