"""The one place that says how an experiment may move: draft → designed → registered →
running → analysed → decided → scaling or closed.

Each move has a name (what a person does), the states it may start from and the state it
leads to. Anything else is refused with a message naming the current state; services call
:func:`check_transition` and record the move in the audit log in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise as StrPromise
from django.utils.translation import gettext_lazy as _

from infuse.adaption.models import Status
from infuse.core.errors import Conflict


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[str]
    target: str
    label: StrPromise  # a lazy translation: the button's words


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition("design", frozenset({Status.DRAFT}), Status.DESIGNED, _("Mark as designed")),
        Transition("redraft", frozenset({Status.DESIGNED}), Status.DRAFT, _("Back to draft")),
        Transition("register", frozenset({Status.DESIGNED}), Status.REGISTERED, _("Register")),
        Transition("launch", frozenset({Status.REGISTERED}), Status.RUNNING, _("Launch")),
        Transition("analyse", frozenset({Status.RUNNING}), Status.ANALYSED, _("Mark analysed")),
        Transition("decide", frozenset({Status.ANALYSED}), Status.DECIDED, _("Record decision")),
        Transition("scale", frozenset({Status.DECIDED}), Status.SCALING, _("Start scaling up")),
        Transition(
            "close",
            frozenset(
                {
                    Status.DRAFT,
                    Status.DESIGNED,
                    Status.REGISTERED,
                    Status.RUNNING,
                    Status.DECIDED,
                    Status.SCALING,
                }
            ),
            Status.CLOSED,
            _("Close"),
        ),
    )
}


def check_transition(status: str, name: str) -> Transition:
    """The transition ``name`` from ``status``; raises Conflict when it is not allowed."""
    transition = TRANSITIONS.get(name)
    if transition is None or status not in transition.sources:
        raise Conflict(
            _("An experiment that is %(status)s cannot be moved that way (%(move)s).")
            % {
                "status": Status(status).label,
                "move": TRANSITIONS[name].label if name in TRANSITIONS else _("unknown move"),
            }
        )
    return transition


def available(status: str) -> list[Transition]:
    """The moves a person may make from ``status`` (the page's buttons)."""
    return [t for t in TRANSITIONS.values() if status in t.sources]
