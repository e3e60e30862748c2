"""A contract's steps, as its page's task list: milestones set, outcome measures linked, social
value reported by the supplier, work accepted by the buyer, money paid by the fund manager, and
the evaluation of whether the contract moved its indicators.

Statuses come from the records. Accepting is the buyer's (the procurement officers who run the
challenge); paying is the fund managers'; the page names them to the region's staff.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from infuse.core.asking import tell_who_is_next
from infuse.core.links import english_path
from infuse.core.permissions import can
from infuse.core.tasklist import Step, TaskList, Who, status_of
from infuse.procurement.challenges.steps import Reader
from infuse.procurement.models import Contract


def _paid(milestone: Any) -> bool:
    try:
        return milestone.payment is not None
    except ObjectDoesNotExist:
        return False


def _payment_step(reader: Reader, milestones: list[Any], page: str) -> Step:
    accepted = [m for m in milestones if m.accepted_at is not None]
    paid = [m for m in accepted if _paid(m)]
    pays = can(reader.person, "fund.manage_fund")
    waiting = len(accepted) - len(paid)
    return Step(
        "pay",
        _("Pay the accepted milestones from the Challenge Fund"),
        status_of(
            done=bool(milestones) and len(paid) == len(milestones),
            started=bool(paid),
            ready=bool(accepted),
        ),
        who=reader.fund_who,
        hint=_("%(count)s accepted and waiting for payment.") % {"count": waiting}
        if waiting
        else ""
        if accepted
        else _("A milestone is paid once its work is accepted."),
        url=f"{page}#milestones" if pays and waiting else "",
        yours=pays and bool(waiting),
    )


def _social_value_step(contract: Contract, milestones: list[Any], page: str) -> Step | None:
    """The supplier's reports against the social value targets (none without targets)."""
    targets = contract.kpis.count()
    if not targets:
        return None
    reported = {
        m for m in contract.kpis.values_list("reports__milestone", flat=True) if m is not None
    }
    count = sum(1 for m in milestones if m.pk in reported)
    return Step(
        "social_value",
        _("Report the social value delivered at each milestone"),
        status_of(
            done=bool(milestones) and count == len(milestones),
            started=bool(count),
            ready=bool(milestones),
        ),
        who=Who(contract.supplier.name),
        hint=_("%(count)s of %(total)s milestones reported.")
        % {"count": count, "total": len(milestones)}
        if milestones
        else _("Set the milestones first."),
        url=f"{page}#social-value",
        # Payment does not wait on it: the buyer weighs the report when accepting the work.
        optional=True,
    )


def _close_step(reader: Reader, contract: Contract, started: bool) -> Step:
    """Closing it, completed or ended early (the buyer's, whenever it has begun)."""
    open_ = contract.status == Contract.Status.ACTIVE
    return Step(
        "close",
        _("Close the contract when its work is done, or if it ends early"),
        status_of(done=not open_, ready=started),
        who=reader.buyer_who,
        hint="" if started else _("It can be closed once it has begun."),
        url=reverse("procurement:contract_close", kwargs={"pk": contract.pk})
        if reader.runs and open_
        else "",
        yours=reader.runs and open_,
        optional=True,
    )


def contract_steps(person: Any, contract: Contract) -> TaskList:
    """The contract's task list as ``person`` sees it."""
    # Who can act, worked out once for every step (the programme team is read once too).
    reader = Reader(person, contract.award.phase.challenge)
    buyer = reader.runs
    buyer_who = reader.buyer_who
    page = reverse("procurement:contract", kwargs={"pk": contract.pk})
    milestones = list(contract.milestones.all())
    accepted = [m for m in milestones if m.accepted_at is not None]
    linked = contract.outcome_indicators.exists()
    started = contract.starts_on <= timezone.localdate()
    evaluated = contract.evaluations.exists()
    social_value = _social_value_step(contract, milestones, page)
    return TaskList(
        (
            Step(
                "milestones",
                _("Set the milestones and what each pays"),
                status_of(done=bool(milestones)),
                who=buyer_who,
                url=f"{page}#add-milestone" if buyer else "",
                yours=buyer and not milestones,
            ),
            Step(
                "measures",
                _("Link the indicators it should move"),
                status_of(done=linked),
                who=buyer_who,
                url=f"{page}#outcome-measures" if buyer else "",
                yours=buyer and not linked,
            ),
            *([social_value] if social_value else []),
            Step(
                "accept",
                _("Accept the work of each milestone"),
                status_of(
                    done=bool(milestones) and len(accepted) == len(milestones),
                    started=bool(accepted),
                    ready=bool(milestones),
                ),
                who=buyer_who,
                hint="" if milestones else _("Set the milestones first."),
                url=f"{page}#milestones" if buyer and milestones else "",
                yours=buyer and len(accepted) < len(milestones),
            ),
            _payment_step(reader, milestones, page),
            _close_step(reader, contract, started),
            Step(
                "evaluate",
                _("Find out whether it worked"),
                status_of(done=evaluated, ready=linked and started),
                who=buyer_who,
                hint=""
                if linked and started
                else _("Link an indicator first; the evaluation needs data from after the start.")
                if not linked
                else _("The evaluation needs data from after the start."),
                url=f"{page}#evaluations" if buyer or evaluated else "",
                yours=buyer and linked and started and not evaluated,
            ),
        )
    )


def announce_contract(actor: Any, contract: Contract) -> None:
    """After ``actor`` moved a contract on: tell whoever its next step now waits on."""
    url = english_path("procurement:contract", pk=contract.pk)
    tell_who_is_next(
        actor=actor,
        steps=lambda: contract_steps(actor, contract),
        what=lambda: (
            _("the contract for “%(challenge)s”")
            % {"challenge": contract.award.phase.challenge.title}
        ),
        url=url,
        # Each accepted milestone is paid in its turn: its payment is news of its own.
        about=f"contract:{contract.pk}:{contract.milestones.filter(accepted_at__isnull=False).count()}",
    )
