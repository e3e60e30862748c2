"""Moving a published phase's deadline later, and telling everyone bidding.

Why only later, and only before bids close: a supplier who planned to the published deadline
must never find it earlier, and once the deadline has passed the sealed bids are due to be
opened. The evaluation and award dates move by the same number of days, so the timetable keeps
its order; the change is published as an OCDS tender amendment with its reason, audited, and
every supplier who asked a question or holds a bid in the phase hears of it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from infuse.core import audit
from infuse.core.errors import Conflict, FieldProblem, InvalidInput
from infuse.core.models import Person
from infuse.procurement import news
from infuse.procurement.challenges.schemas import DeadlineChangeIn
from infuse.procurement.challenges.services import require_runs
from infuse.procurement.models import Opening, Phase
from infuse.procurement.ocds import releases as ocds
from infuse.procurement.timetable import LONDON, when


def check_deadline_change(*, actor: Any, phase: Phase) -> None:
    """Why ``actor`` cannot move this phase's deadline now (raised)."""
    require_runs(actor, phase.challenge)
    if not phase.challenge.is_published:
        raise Conflict(_("Change the phase itself: the challenge is not published yet."))
    if timezone.now() >= phase.submission_deadline or Opening.objects.filter(phase=phase).exists():
        raise Conflict(
            _("Bids closed on %(deadline)s: the deadline can no longer move.")
            % {"deadline": when(phase.submission_deadline)}
        )


def _problems(phase: Phase, change_in: DeadlineChangeIn) -> list[FieldProblem]:
    problems = []
    if change_in.submission_deadline <= phase.submission_deadline:
        problems.append(
            FieldProblem(
                "submission_on",
                _("The new deadline must be later than the current one, %(deadline)s.")
                % {"deadline": when(phase.submission_deadline)},
            )
        )
    questions = change_in.clarification_deadline
    if questions is not None and not (
        phase.clarification_deadline <= questions < change_in.submission_deadline
    ):
        problems.append(
            FieldProblem(
                "clarification_on",
                _("Questions must close no earlier than now planned, and before bids close."),
            )
        )
    if not change_in.reason_en.strip():
        problems.append(FieldProblem("reason_en", _("Say why the deadline moves, in English")))
    return problems


def _timetable(phase: Phase) -> dict[str, str]:
    return {
        "submission_deadline": phase.submission_deadline.isoformat(),
        "clarification_deadline": phase.clarification_deadline.isoformat(),
        "evaluation_ends_on": phase.evaluation_ends_on.isoformat(),
        "award_expected_on": phase.award_expected_on.isoformat(),
    }


def change_deadline(*, actor: Person, phase: Phase, change_in: DeadlineChangeIn) -> Phase:
    """Move the deadline for bids later (and for questions, if given); see the module."""
    check_deadline_change(actor=actor, phase=phase)
    with transaction.atomic():
        # Checked on the locked row: a change made meanwhile is the one to move from.
        locked = Phase.objects.select_for_update().get(pk=phase.pk)
        check_deadline_change(actor=actor, phase=locked)
        problems = _problems(locked, change_in)
        if problems:
            raise InvalidInput(problems=problems)
        before = _timetable(locked)
        # Whole days between the two closing dates as Wales reads them (a clock change or a
        # later hour on the same day moves nothing).
        days = dt.timedelta(
            days=(
                change_in.submission_deadline.astimezone(LONDON).date()
                - locked.submission_deadline.astimezone(LONDON).date()
            ).days
        )
        locked.submission_deadline = change_in.submission_deadline
        if change_in.clarification_deadline is not None:
            locked.clarification_deadline = change_in.clarification_deadline
        locked.evaluation_ends_on += days
        locked.award_expected_on += days
        locked.amendments = [
            *locked.amendments,
            {
                "at": timezone.now().isoformat(),
                "by": actor.pk,
                "before": before,
                "after": _timetable(locked),
                "reason_en": change_in.reason_en.strip(),
                "reason_cy": change_in.reason_cy.strip(),
            },
        ]
        locked.save()
        ocds.publish(locked, ["tenderAmendment"])
        audit.record_event(
            actor=actor,
            action="phase.deadline_changed",
            obj=locked,
            before=before,
            after={**_timetable(locked), "reason": change_in.reason_en.strip()},
        )
        news.deadline_changed(locked)
    return locked
