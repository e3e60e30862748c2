"""Where a challenge stands, in one word, for the list of challenges and its filter.

A challenge's phases each have a state (``Phase.state_at``); the challenge stands where its
liveliest phase does: open for bids if any phase is, else opening soon if any phase is about
to, else where its latest phase got to (closed and waiting to be opened, in evaluation, or
awarded). The list puts what a supplier can still bid on first.

What has happened after the deadlines (awards, openings) is read for all the listed phases at
once: the list asks the same two questions however many challenges it holds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from infuse.procurement.models import Award, Challenge, Opening, Phase


class ChallengeStatus(models.TextChoices):
    OPEN = "open", _("Open for bids")
    UPCOMING = "upcoming", _("Opens soon")
    CLOSED = "closed", _("Closed")
    EVALUATION = "evaluation", _("In evaluation")
    AWARDED = "awarded", _("Awarded")
    DRAFT = "draft", _("Draft")


# The order of the list (and of the filter's options): what can still be bid on first.
ORDER = list(ChallengeStatus)
PHASE_TO_STATUS = {
    Phase.State.DRAFT: ChallengeStatus.DRAFT,
    Phase.State.UPCOMING: ChallengeStatus.UPCOMING,
    Phase.State.OPEN: ChallengeStatus.OPEN,
    Phase.State.CLOSED: ChallengeStatus.CLOSED,
    Phase.State.EVALUATION: ChallengeStatus.EVALUATION,
    Phase.State.STANDSTILL: ChallengeStatus.AWARDED,
    Phase.State.AWARDED: ChallengeStatus.AWARDED,
}
TAG_COLOURS = {
    ChallengeStatus.OPEN: "govuk-tag--green",
    ChallengeStatus.UPCOMING: "govuk-tag--light-blue",
    ChallengeStatus.CLOSED: "govuk-tag--orange",
    ChallengeStatus.EVALUATION: "govuk-tag--yellow",
    ChallengeStatus.AWARDED: "govuk-tag--blue",
    ChallengeStatus.DRAFT: "govuk-tag--grey",
}


@dataclass(frozen=True)
class ListedChallenge:
    """A challenge as the list shows it: its status and the phase that decides it."""

    challenge: Challenge
    status: ChallengeStatus
    phase: Phase | None

    @property
    def status_label(self) -> str:
        return str(self.status.label)

    @property
    def tag_class(self) -> str:
        return TAG_COLOURS[self.status]

    @property
    def sort_key(self) -> tuple[int, float]:
        when = self.phase.submission_deadline.timestamp() if self.phase is not None else 0.0
        # Open and upcoming: the soonest deadline first; the rest: the most recent first.
        soonest_first = self.status in (ChallengeStatus.OPEN, ChallengeStatus.UPCOMING)
        return ORDER.index(self.status), when if soonest_first else -when


def phase_states(phases: Iterable[Phase], now: dt.datetime) -> dict[int, str]:
    """Each phase's state at ``now`` (by phase id), with the awards and openings of those past
    their deadline read in one question each for them all."""
    phases = list(phases)
    past = [p.pk for p in phases if p.challenge.is_published and now >= p.submission_deadline]
    awards: dict[int, Award] = {}
    # Oldest first, so each phase keeps its latest decision (as Phase.current_award does).
    for award in (
        Award.objects.filter(phase_id__in=past)
        .exclude(status=Award.Status.CANCELLED)
        .order_by("decided_at")
    ):
        awards[award.phase_id] = award
    opened = set(
        Opening.objects.filter(phase_id__in=past, confirmed_at__isnull=False).values_list(
            "phase_id", flat=True
        )
    )
    return {p.pk: p.state_given(now, award=awards.get(p.pk), opened=p.pk in opened) for p in phases}


def status_of(
    challenge: Challenge,
    now: dt.datetime | None = None,
    states: Mapping[int, str] | None = None,
) -> ListedChallenge:
    """Where ``challenge`` stands at ``now``, and the phase that says so (``states`` are its
    phases' when the caller has read them with others' already)."""
    now = now or timezone.now()
    phases = sorted(challenge.phases.all(), key=lambda p: p.number)
    if not challenge.is_published or not phases:
        return ListedChallenge(challenge, ChallengeStatus.DRAFT, phases[0] if phases else None)
    known = states if states is not None else phase_states(phases, now)
    states_of = [(PHASE_TO_STATUS[Phase.State(known[p.pk])], p) for p in phases]
    for wanted in (ChallengeStatus.OPEN, ChallengeStatus.UPCOMING):
        for status, phase in states_of:
            if status == wanted:
                return ListedChallenge(challenge, status, phase)
    status, phase = states_of[-1]
    return ListedChallenge(challenge, status, phase)


def listed(
    challenges: Iterable[Challenge], wanted: str = ""
) -> tuple[list[ListedChallenge], dict[str, int]]:
    """The challenges in list order, only those with status ``wanted`` when it is given, and
    how many there are of each status (for the filter's counts)."""
    now = timezone.now()
    challenges = list(challenges)
    states = phase_states((p for c in challenges for p in c.phases.all()), now)
    every = sorted((status_of(c, now, states) for c in challenges), key=lambda item: item.sort_key)
    counts = {status.value: 0 for status in ChallengeStatus}
    for item in every:
        counts[item.status.value] += 1
    shown = [item for item in every if not wanted or item.status == wanted]
    return shown, counts
