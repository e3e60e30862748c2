"""A challenge's steps, as the task lists on its page: getting it ready and published, then for
each phase the questions, the panel, the two-person opening, the evaluation, the award and the
contracts.

Statuses are read from the records and the phase's timetable; nothing here is stored. The
buyer's steps are taken by the procurement officers who run the challenge; scoring by the
phase's evaluation panel; opening needs two different officers. A reader who cannot take a step
is told who can (by name, to the region's staff) and why it cannot start yet.

A page showing several task lists (the challenge's, each phase's) builds one ``Reader`` and
reads each phase's ``Progress`` once, and hands them to every list: who can act is the same
people for every step, so they are looked up once for the page, not once for each step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from infuse.core.asking import tell_who_is_next
from infuse.core.links import english_path
from infuse.core.models import Organisation, Role
from infuse.core.permissions import can
from infuse.core.tasklist import Step, TaskList, Who, status_of, who_can
from infuse.procurement.models import Award, Challenge, Contract, Opening, Phase, Score


@dataclass(frozen=True)
class Reader:
    """The person reading a challenge's task lists, and who else can act on its steps: each
    worked out once for all the lists on a page, and only if a list asks (the public's page
    shows none)."""

    person: Any
    challenge: Challenge

    @cached_property
    def runs(self) -> bool:
        return can(self.person, "procurement.change_challenge", self.challenge)

    @property
    def person_id(self) -> int | None:
        return getattr(self.person, "pk", None)

    @property
    def sees_contracts(self) -> bool:
        """Contracts are for those running the challenge and those paying them."""
        return self.runs or can(self.person, "fund.manage_fund")

    @cached_property
    def programme(self) -> Organisation | None:
        return Organisation.objects.filter(kind=Organisation.Kind.PROGRAMME).first()

    @cached_property
    def buyer_who(self) -> Who:
        """The procurement officers who run the challenge's steps: its owner's, and the
        programme team's, who run every challenge."""
        return who_can(
            self.person,
            _("Procurement officers"),
            self.challenge.owner,
            [Role.PROCUREMENT_OFFICER],
            also=self.programme,
        )

    @cached_property
    def fund_who(self) -> Who:
        """The programme's fund managers, who set money aside and pay."""
        return who_can(self.person, _("Fund managers"), self.programme, [Role.FUND_MANAGER])

    def url(self, name: str, *, allowed: bool, **kwargs: Any) -> str:
        if not allowed:
            return ""
        return reverse(f"procurement:{name}", kwargs={"slug": self.challenge.slug, **kwargs})


@dataclass(frozen=True)
class Progress:
    """What has happened in a phase, each read once for its page and only if asked: the
    questions waiting for an answer, the opening (who asked, who confirmed), the award and
    its contracts. The phase's state, its task list and the page's own lines all read them
    here, so none is asked again for each of them."""

    phase: Phase

    @cached_property
    def unanswered(self) -> int:
        return self.phase.clarifications.filter(answered_at__isnull=True).count()

    @cached_property
    def opening(self) -> Opening | None:
        return (
            Opening.objects.filter(phase_id=self.phase.pk)
            .select_related("requested_by", "confirmed_by")
            .first()
        )

    @property
    def opened(self) -> bool:
        """The two-person opening is confirmed: the bids are open."""
        return self.opening is not None and self.opening.confirmed_at is not None

    @cached_property
    def award(self) -> Award | None:
        return self.phase.current_award()

    @cached_property
    def contracts(self) -> list[Contract]:
        if self.award is None:
            return []
        return list(self.award.contracts.select_related("supplier").order_by("pk"))

    def state(self, now: datetime) -> str:
        """The phase's state; like ``Phase.state_at``, the award and the opening are read only
        once the deadline has passed, and the opening only while there is no award."""
        phase = self.phase
        if not phase.challenge.is_published or now < phase.submission_deadline:
            return phase.state_given(now, award=None, opened=False)
        return phase.state_given(now, award=self.award, opened=self.award is None and self.opened)


def preparation_steps(
    person: Any, challenge: Challenge, *, reader: Reader | None = None
) -> TaskList:
    """From the draft to publication (``reader`` when the page has one for its other lists)."""
    reader = reader or Reader(person, challenge)
    draft = not challenge.is_published and reader.runs
    phases = list(challenge.phases.all())
    described = bool((challenge.summary_en or "").strip() and (challenge.problem_en or "").strip())
    in_welsh = bool(challenge.title_cy and (challenge.summary_cy or "").strip())
    # One question for every phase, not one for each.
    with_criteria = bool(phases) and not challenge.phases.filter(criteria__isnull=True).exists()
    published = challenge.is_published
    first_missing = next((n for n in Phase.Number.values if n not in {p.number for p in phases}), 1)
    return TaskList(
        (
            Step(
                "describe",
                _("Describe the problem, in English and Welsh"),
                status_of(done=described and in_welsh, started=described or in_welsh),
                who=reader.buyer_who,
                url=reader.url("challenge_edit", allowed=draft),
                yours=draft,
            ),
            Step(
                "phases",
                _("Add the phases: budget and timetable"),
                status_of(done=bool(phases) or published),
                who=reader.buyer_who,
                url=reader.url("phase_edit", allowed=draft, number=first_missing),
                yours=draft,
            ),
            Step(
                "criteria",
                _("Set how bids are scored"),
                status_of(done=with_criteria or published, ready=bool(phases)),
                who=reader.buyer_who,
                hint="" if phases else _("Add a phase first."),
                url=reader.url("criteria", allowed=draft and bool(phases), number=phases[0].number)
                if phases
                else "",
                yours=draft,
            ),
            Step(
                "publish",
                _("Publish the challenge"),
                status_of(done=published, ready=with_criteria and described and in_welsh),
                who=reader.buyer_who,
                hint=""
                if published or (with_criteria and described and in_welsh)
                else _("Describe it in both languages and score every phase first."),
                url=reader.url(
                    "publish", allowed=draft and with_criteria and described and in_welsh
                ),
                yours=draft,
            ),
        )
    )


def _opening_step(reader: Reader, phase: Phase, closed: bool, progress: Progress) -> Step:
    opening, opened = progress.opening, progress.opened
    url_kwargs = {"number": phase.number}
    asked_by_reader = opening is not None and opening.requested_by_id == reader.person_id
    if asked_by_reader and not opened:
        hint = _("You asked to open them; a different officer confirms.")
    elif opening is not None and not opened:
        hint = _("%(name)s asked to open them; a different officer confirms.") % {
            "name": opening.requested_by.full_name
        }
    elif closed or opened:
        hint = _("Two different officers open them: one asks, another confirms.")
    else:
        hint = _("Bids stay sealed until the deadline has passed.")
    return Step(
        f"{phase.number}-open",
        _("Open the bids"),
        status_of(done=opened, started=opening is not None, ready=closed),
        who=reader.buyer_who,
        hint=hint,
        url=reader.url(
            "opening",
            allowed=reader.runs and closed and not opened and not asked_by_reader,
            **url_kwargs,
        ),
        yours=reader.runs and not asked_by_reader,
    )


def _evaluation_steps(reader: Reader, phase: Phase, progress: Progress) -> list[Step]:
    panel = list(phase.evaluators.order_by("full_name"))
    on_panel = any(member.pk == reader.person_id for member in panel)
    award, opened = progress.award, progress.opened
    scored = Score.objects.filter(bid__phase=phase).exists()
    panel_who = (
        Who(
            _("The evaluation panel (%(people)s)")
            % {"people": ", ".join(member.full_name for member in panel)},
            panel,
        )
        if panel and (reader.runs or on_panel)  # the panel is named only to those running it
        else Who(_("The evaluation panel"))
    )
    number = {"number": phase.number}
    return [
        Step(
            f"{phase.number}-panel",
            _("Choose the evaluation panel"),
            status_of(done=bool(panel)),
            who=reader.buyer_who,
            url=reader.url("evaluators", allowed=reader.runs and award is None, **number),
            yours=reader.runs,
        ),
        Step(
            f"{phase.number}-evaluate",
            _("Score and moderate the bids"),
            status_of(done=award is not None, started=scored, ready=opened and bool(panel)),
            who=panel_who,
            hint=_("Scoring starts once the bids are opened.")
            if not opened
            else ""
            if panel
            else _("The panel must be chosen first."),
            url=reader.url("evaluation", allowed=opened and (on_panel or reader.runs), **number),
            yours=on_panel,
        ),
        Step(
            f"{phase.number}-award",
            _("Decide the award"),
            status_of(done=award is not None, ready=opened),
            who=reader.buyer_who,
            hint=_("The bids must be opened first.")
            if not opened
            else _("Every bid must be moderated on every scored criterion first.")
            if award is None
            else "",
            url=reader.url("award", allowed=opened and reader.runs, **number),
            yours=reader.runs,
        ),
    ]


def _fund_step(reader: Reader, phase: Phase) -> Step:
    try:
        allocated = phase.allocation is not None
    except ObjectDoesNotExist:
        allocated = False
    manages = can(reader.person, "fund.manage_fund")
    return Step(
        f"{phase.number}-fund",
        _("Set aside money from the Challenge Fund"),
        status_of(done=allocated),
        who=reader.fund_who,
        hint="" if allocated else _("The contracts draw on this money when they are signed."),
        url=reverse("fund:allocate") + f"?purpose={phase.challenge.slug}/{phase.number}"
        if manages and not allocated
        else "",
        yours=manages,
    )


def _contract_step(reader: Reader, phase: Phase, award: Any, contracts: list[Any]) -> Step:
    standstill = award is not None and award.status == award.Status.STANDSTILL
    over = standstill and timezone.now() >= award.standstill_ends_at
    if contracts and reader.sees_contracts:
        url = reverse("procurement:contract", kwargs={"pk": contracts[0].pk})
    elif contracts:
        url = ""
    else:
        url = reader.url("award_confirm", allowed=reader.runs and over, number=phase.number)
    return Step(
        f"{phase.number}-contracts",
        _("Confirm the award and sign the contracts"),
        status_of(done=bool(contracts), ready=over),
        who=reader.buyer_who,
        hint=""
        if contracts or over
        else _("Contracts are signed when the standstill period after the award has ended.")
        if award is not None
        else _("The award comes first."),
        url=url,
        yours=reader.runs and not contracts,
    )


def phase_steps(
    person: Any, phase: Phase, *, reader: Reader | None = None, progress: Progress | None = None
) -> TaskList:
    """One published phase, from questions to contracts (``reader`` and ``progress`` when the
    page has read them already)."""
    reader = reader or Reader(person, phase.challenge)
    progress = progress or Progress(phase)
    now = timezone.now()
    closed = now >= phase.submission_deadline
    unanswered = progress.unanswered
    questions_done = now >= phase.clarification_deadline and not unanswered
    steps = [
        Step(
            f"{phase.number}-questions",
            _("Answer suppliers' questions"),
            status_of(done=questions_done, started=phase.clarifications.exists()),
            who=reader.buyer_who,
            hint=_("%(count)s waiting for an answer.") % {"count": unanswered}
            if unanswered
            else "",
            url=reader.url("questions", allowed=reader.runs, number=phase.number),
            yours=reader.runs and bool(unanswered),
            # Nothing to do while no question waits: nobody is waited on, or asked, for it.
            optional=not unanswered,
        ),
        _opening_step(reader, phase, closed, progress),
        *_evaluation_steps(reader, phase, progress),
        _fund_step(reader, phase),
        _contract_step(reader, phase, progress.award, progress.contracts),
    ]
    return TaskList(tuple(steps))


def announce_phase(actor: Any, phase: Phase) -> None:
    """After ``actor`` moved a phase on: tell whoever its next step now waits on."""
    url = english_path("procurement:challenge", slug=phase.challenge.slug)
    tell_who_is_next(
        actor=actor,
        steps=lambda: phase_steps(actor, phase),
        what=lambda: (
            _("phase %(number)s of the challenge “%(title)s”")
            % {"number": phase.number, "title": phase.challenge.title}
        ),
        url=f"{url}#phase-{phase.number}-steps",
        # A new award (after a cancelled one) starts its steps again.
        about=f"phase:{phase.pk}:{getattr(phase.current_award(), 'pk', 0)}",
    )
