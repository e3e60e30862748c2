"""Telling the people a step waits on: when an action makes the step next (each step once),
and when someone presses "Ask them to do it" on the task list (once a day per asker).

Why the step is found again from the object's own task list: the button posts only the step's
key, and the people told are those the records say can take it now, never anyone a form
names. ``about`` names the object in the news's key ("experiment:12"), whatever the language
of the page the action came from.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from infuse.core.errors import Conflict
from infuse.core.models import Notification, Person
from infuse.core.notifications import News, Words, notify
from infuse.core.tasklist import StepStatus, TaskList

Steps = Callable[[], TaskList]


def _names(steps: Steps, key: str) -> Callable[[], str]:
    """The step's name in the active language. Step names are written in the language of the
    moment the task list is made, so it is built again in each language — once: subject and
    body of the same language share it."""
    named: dict[str | None, str] = {}

    def name() -> str:
        language = translation.get_language()
        if language not in named:
            named[language] = str(next((s.name for s in steps().steps if s.key == key), key))
        return named[language]

    return name


def tell_who_is_next(
    *, actor: Any, steps: Steps, what: Words, url: str, about: str
) -> list[Notification]:
    """After ``actor``'s action: tell whoever the next required step of the object (whose task
    list ``steps`` builds) now waits on, never the actor, once per step."""
    told = _tell_askers(actor=actor, steps=steps, what=what, url=url, about=about)
    step = steps().waiting_on_others
    if step is None:
        return told
    actor_id = getattr(actor, "pk", None)
    if actor_id in {p.pk for p in step.ask_people} and step.status != StepStatus.IN_PROGRESS:
        # The actor could take it (it has nothing to do yet, say): colleagues are not told.
        # A step the actor started and another must finish (the second opener) is told.
        return told
    people = [p for p in step.ask_people if p.pk != actor_id]
    name = _names(steps, step.key)
    return told + notify(
        people,
        News(
            topic=Notification.Topic.STEP_WAITING,
            key=f"next:{about}:{step.key}",
            subject=lambda: (
                _("A step waits on you: %(step)s, %(what)s") % {"step": name(), "what": what()}
            ),
            body=lambda: (
                _("Next in %(what)s is a step you can take: %(step)s. Open the page to take it.")
                % {"what": what(), "step": name()}
            ),
            url=url,
        ),
    )


def _tell_askers(
    *, actor: Any, steps: Steps, what: Words, url: str, about: str
) -> list[Notification]:
    """Whoever asked someone to take a step that is now done hears that it is (once): the
    officer who asked an analyst to randomise learns the experiment can go on."""
    done = {s.key for s in steps().steps if s.status == StepStatus.COMPLETED}
    askers: dict[str, set[int]] = {}
    for key in Notification.objects.filter(key__startswith=f"ask:{about}:").values_list(
        "key", flat=True
    ):
        _prefix, step_key, asker, _day = key.rsplit(":", 3)
        if step_key in done and asker.isdigit():
            askers.setdefault(step_key, set()).add(int(asker))
    told: list[Notification] = []
    taker = getattr(actor, "full_name", "") or getattr(actor, "email", "")
    for step_key, people in askers.items():
        name = _names(steps, step_key)
        told += notify(
            Person.objects.filter(pk__in=people - {getattr(actor, "pk", None)}),
            News(
                topic=Notification.Topic.STEP_WAITING,
                key=f"done:{about}:{step_key}",
                subject=lambda name=name: (  # type: ignore[misc]
                    _("Done as you asked: %(step)s, %(what)s") % {"step": name(), "what": what()}
                ),
                body=lambda name=name: (  # type: ignore[misc]
                    _("%(person)s has taken the step you asked for in %(what)s: %(step)s.")
                    % {"person": taker, "what": what(), "step": name()}
                ),
                url=url,
            ),
        )
    return told


def ask_to_take(
    *, reader: Person, steps: Steps, step_key: str, what: Words, url: str, about: str
) -> tuple[list[Person], list[Person]]:
    """Ask whoever can take the step ``step_key`` of ``what`` (the object, in words; ``url``
    its page). Returns (those asked now, those asked today already)."""
    step = next((s for s in steps().steps if s.key == step_key), None)
    if step is None or not step.is_open or step.yours:
        raise Conflict(_("That step does not wait on anyone now: the page shows where it is."))
    people = [p for p in step.ask_people if p.pk != reader.pk]
    if not people:
        raise Conflict(
            _(
                "Nobody can take that step yet, so there is nobody to ask: a programme "
                "administrator can give the role to someone."
            )
        )
    asker = reader.full_name or reader.email
    name = _names(steps, step_key)
    news = News(
        topic=Notification.Topic.STEP_WAITING,
        key=f"ask:{about}:{step.key}:{reader.pk}:{timezone.localdate().isoformat()}",
        subject=lambda: (
            _("%(person)s asks you to: %(step)s, %(what)s")
            % {"person": asker, "step": name(), "what": what()}
        ),
        body=lambda: (
            _(
                "%(person)s is waiting for a step of %(what)s that you can take: %(step)s. "
                "Open the page to take it."
            )
            % {"person": asker, "what": what(), "step": name()}
        ),
        url=url,
    )
    asked = notify(people, news)
    asked_people = {n.person_id for n in asked}
    return [p for p in people if p.pk in asked_people], [
        p for p in people if p.pk not in asked_people
    ]


def asked_words(asked: list[Any], already: list[Any]) -> str:
    """What the asker is told."""
    parts = []
    if asked:
        parts.append(
            _(
                "We have asked %(people)s. They will see it in their messages in InFuSe, and "
                "by email unless they turned those emails off."
            )
            % {"people": ", ".join(p.full_name for p in asked)}
        )
    if already:
        parts.append(
            _("You asked %(people)s today already.")
            % {"people": ", ".join(p.full_name for p in already)}
        )
    return " ".join(parts)
