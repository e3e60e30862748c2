"""Asking the people a step waits on to take it (the "Ask them" button of a task list).

Why the step is found again from the object's own task list: the button posts only the step's
key, and the people asked are those the records say can take it now, never anyone the form
names; one ask a day from one person reaches them (the key of the news says so).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from infuse.core.errors import Conflict
from infuse.core.models import Notification, Person
from infuse.core.notifications import News, Words, notify
from infuse.core.tasklist import TaskList


def ask_to_take(
    *, reader: Person, tasks: TaskList, step_key: str, what: Words, url: str
) -> tuple[list[Person], list[Person]]:
    """Ask whoever can take the step ``step_key`` of ``what`` (the object, in words; ``url``
    its page). Returns (those asked now, those asked today already)."""
    step = next((s for s in tasks.steps if s.key == step_key), None)
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
    news = News(
        topic=Notification.Topic.STEP_WAITING,
        key=f"ask:{url}:{step.key}:{reader.pk}:{timezone.localdate().isoformat()}",
        subject=lambda: (
            _("%(person)s asks you to: %(step)s") % {"person": asker, "step": step.name}
        ),
        body=lambda: (
            _(
                "%(person)s is waiting for a step of %(what)s that you can take: %(step)s. "
                "Open the page to take it."
            )
            % {"person": asker, "what": what(), "step": step.name}
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
