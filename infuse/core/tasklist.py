"""The steps of a piece of work, as the GOV.UK task list shows them on the object's page.

Why one shape for every lab: an experiment, a challenge, a dataset and a contract each move
through steps that different people take. A person opening the page must see, for every step,
whether it is done, who can do it, why it cannot start yet, and a link where *they* can act —
never a button that only refuses. Each lab's ``steps.py`` works those out from its records (no
state of its own: a step is done when the records say so) and hands back a :class:`TaskList`;
one template draws it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from infuse.core.errors import Message
from infuse.core.models import Organisation, Person
from infuse.core.permissions import is_region_member


class StepStatus(models.TextChoices):
    CANNOT_START = "cannot_start", _("Cannot start yet")
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")


OPEN = frozenset({StepStatus.NOT_STARTED, StepStatus.IN_PROGRESS})


@dataclass(frozen=True)
class Step:
    """One step: ``url`` is where the reader does it (or reads it, once done); empty when the
    reader can do nothing there, in which case ``who`` and ``hint`` say who can and why not."""

    key: str
    name: Message
    status: StepStatus
    who: Message = ""
    hint: Message = ""
    url: str = ""
    yours: bool = False
    optional: bool = False  # never "what to do next" before a required step, never waited on

    @property
    def status_label(self) -> str:
        return str(self.status.label)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    @property
    def ask_people(self) -> tuple[Person, ...]:
        """Whom the reader can ask to take the step: the people ``who`` names."""
        return getattr(self.who, "people", ())


@dataclass(frozen=True)
class TaskList:
    """The steps in order; ``next_step`` is the first open one the reader can take."""

    steps: tuple[Step, ...]

    @property
    def completed(self) -> int:
        return sum(step.status == StepStatus.COMPLETED for step in self.steps)

    @property
    def total(self) -> int:
        return len(self.steps)

    @property
    def next_step(self) -> Step | None:
        takeable = [s for s in self.steps if s.is_open and s.yours and s.url]
        return next((s for s in takeable if not s.optional), None) or next(iter(takeable), None)

    @property
    def waiting_on_others(self) -> Step | None:
        """The first open, required step someone else must take (what the reader waits for)."""
        return next((s for s in self.steps if s.is_open and not s.yours and not s.optional), None)


def status_of(*, done: bool, started: bool = False, ready: bool = True) -> StepStatus:
    """A step's status from three facts its builder knows."""
    if done:
        return StepStatus.COMPLETED
    if not ready:
        return StepStatus.CANNOT_START
    return StepStatus.IN_PROGRESS if started else StepStatus.NOT_STARTED


def holders(organisation: Organisation | None, roles: Iterable[str]) -> list[Person]:
    """The people (confirmed, active) who hold any of ``roles`` in ``organisation``, by name."""
    if organisation is None:
        return []
    return list(
        Person.objects.filter(
            memberships__organisation=organisation,
            memberships__role__in=list(roles),
            is_active=True,
            email_confirmed_at__isnull=False,
        )
        .distinct()
        .order_by("full_name")
    )


class Who(str):
    """Who can take a step, in words, with the people it names (so the step can ask them)."""

    people: tuple[Person, ...]

    def __new__(cls, text: str, people: Iterable[Person] = ()) -> Who:
        made = super().__new__(cls, text)
        made.people = tuple(people)
        return made


def who_can(
    reader: Any,
    role_words: Message,
    organisation: Organisation | None,
    roles: Iterable[str],
    *,
    names: bool = False,
    also: Organisation | None = None,
) -> Who:
    """Who can take a step, as ``reader`` may read it: people are named to the region's staff
    (and to whoever ``names`` says may see them), never to the public or suppliers. ``also``
    is a second organisation whose holders of the roles can take it too (the programme team's
    procurement officers run every challenge)."""
    roles = list(roles)
    if not (names or is_region_member(reader)):
        return Who(who_text(role_words, organisation, None))
    people = holders(organisation, roles)
    people += [p for p in holders(also, roles) if p not in people]
    return Who(who_text(role_words, organisation, people), people)


def who_text(role_words: Message, organisation: Any, people: list[Person] | None) -> str:
    """ "An analyst of Cardiff Council (Dafydd Evans)", or, when nobody holds the role, who can
    give it: the step is never left waiting on a person who does not exist. ``people`` is None
    when the reader may not see names."""
    name = organisation.name if organisation is not None else gettext("the programme team")
    if people is not None and not people:
        return gettext(
            "%(role)s of %(organisation)s. Nobody holds that role there yet: a programme "
            "administrator can give it to someone."
        ) % {"role": role_words, "organisation": name}
    if people:
        return gettext("%(role)s of %(organisation)s (%(people)s)") % {
            "role": role_words,
            "organisation": name,
            "people": ", ".join(p.full_name for p in people),
        }
    return gettext("%(role)s of %(organisation)s") % {"role": role_words, "organisation": name}
