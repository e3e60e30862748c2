"""A challenge's steps, as the task lists on its page: getting it ready and published, then for
each phase the questions, the panel, the two-person opening, the evaluation, the award and the
contracts.

Statuses are read from the records and the phase's timetable; nothing here is stored. The
buyer's steps are taken by the procurement officers who run the challenge; scoring by the
phase's evaluation panel; opening needs two different officers. A reader who cannot take a step
is told who can (by name, to the region's staff) and why it cannot start yet.
"""

from __future__ import annotations

from dataclasses import dataclass
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
from infuse.procurement.models import Challenge, Opening, Phase, Score


def buyers_who(person: Any, challenge: Challenge) -> Who:
    """The procurement officers who run ``challenge``'s steps (its owner's, and the programme
    team's, who run every challenge), as ``person`` may read it."""
    return who_can(
        person,
        _("Procurement officers"),
        challenge.owner,
        [Role.PROCUREMENT_OFFICER],
        also=_programme(),
    )


def _programme() -> Organisation | None:
    return Organisation.objects.filter(kind=Organisation.Kind.PROGRAMME).first()


def fund_managers_who(person: Any) -> Who:
    """The programme's fund managers (who set money aside and pay), as ``person`` may read it."""
    return who_can(person, _("Fund managers"), _programme(), [Role.FUND_MANAGER])


@dataclass(frozen=True)
class _Reader:
    challenge: Challenge
    runs: bool
    buyer_who: Who
    person_id: int | None
    sees_contracts: bool

    @classmethod
    def of(cls, person: Any, challenge: Challenge) -> _Reader:
        return cls(
            challenge=challenge,
            runs=can(person, "procurement.change_challenge", challenge),
            buyer_who=buyers_who(person, challenge),
            person_id=getattr(person, "pk", None),
            # Contracts are for those running the challenge and those paying them.
            sees_contracts=can(person, "procurement.change_challenge", challenge)
            or can(person, "fund.manage_fund"),
        )

    def url(self, name: str, *, allowed: bool, **kwargs: Any) -> str:
        if not allowed:
            return ""
        return reverse(f"procurement:{name}", kwargs={"slug": self.challenge.slug, **kwargs})


def preparation_steps(person: Any, challenge: Challenge) -> TaskList:
    """From the draft to publication."""
    reader = _Reader.of(person, challenge)
    draft = not challenge.is_published and reader.runs
    phases = list(challenge.phases.all())
    described = bool((challenge.summary_en or "").strip() and (challenge.problem_en or "").strip())
    in_welsh = bool(challenge.title_cy and (challenge.summary_cy or "").strip())
    with_criteria = bool(phases) and all(p.criteria.exists() for p in phases)
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


def _opening_step(reader: _Reader, phase: Phase, closed: bool) -> Step:
    opening = Opening.objects.filter(phase_id=phase.pk).select_related("requested_by").first()
    opened = opening is not None and opening.confirmed_at is not None
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


def _evaluation_steps(person: Any, reader: _Reader, phase: Phase, opened: bool) -> list[Step]:
    panel = list(phase.evaluators.order_by("full_name"))
    on_panel = any(member.pk == getattr(person, "pk", None) for member in panel)
    award = phase.current_award()
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


def _fund_step(person: Any, phase: Phase) -> Step:
    try:
        allocated = phase.allocation is not None
    except ObjectDoesNotExist:
        allocated = False
    manages = can(person, "fund.manage_fund")
    return Step(
        f"{phase.number}-fund",
        _("Set aside money from the Challenge Fund"),
        status_of(done=allocated),
        who=fund_managers_who(person),
        hint="" if allocated else _("The contracts draw on this money when they are signed."),
        url=reverse("fund:allocate") + f"?purpose={phase.challenge.slug}/{phase.number}"
        if manages and not allocated
        else "",
        yours=manages,
    )


def _contract_step(reader: _Reader, phase: Phase, award: Any, contracts: list[Any]) -> Step:
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


def phase_steps(person: Any, phase: Phase) -> TaskList:
    """One published phase, from questions to contracts."""
    reader = _Reader.of(person, phase.challenge)
    now = timezone.now()
    closed = now >= phase.submission_deadline
    unanswered = phase.clarifications.filter(answered_at__isnull=True).count()
    opened = phase.bids_opened
    award = phase.current_award()
    contracts = list(award.contracts.all()) if award is not None else []
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
        _opening_step(reader, phase, closed),
        *_evaluation_steps(person, reader, phase, opened),
        _fund_step(person, phase),
        _contract_step(reader, phase, award, contracts),
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
