"""What suppliers hear: a question about a challenge they are in answered, the outcome of their
bid, and new challenges that match their alert.

Why suppliers "in" a phase are those who asked a question in it or hold a bid in it (not
withdrawn): an answer is published to every bidder alike, so everyone preparing a bid must hear
of it, not only whoever asked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from infuse.core.links import english_path
from infuse.core.models import Notification, Organisation, Person, Role
from infuse.core.notifications import News, alerted_by, notify
from infuse.procurement.models import Award, Bid, Challenge, Clarification, Phase


def _when(moment: dt.datetime) -> str:
    """A time as the active language writes it ("5 Ionawr 2027, 12:00")."""
    return formats.date_format(timezone.localtime(moment), "j F Y, H:i")


def supplier_people(organisations: Iterable[Organisation]) -> list[Person]:
    """Everyone who bids for these supplier organisations."""
    return list(
        Person.objects.filter(
            memberships__organisation__in=list(organisations),
            memberships__role=Role.SUPPLIER,
        ).distinct()
    )


def suppliers_in(phase: Phase) -> list[Person]:
    asked = Organisation.objects.filter(
        pk__in=phase.clarifications.values("supplier_id")
    ) | Organisation.objects.filter(
        pk__in=phase.bids.filter(withdrawn_at__isnull=True).values("supplier_id")
    )
    return supplier_people(asked.distinct())


def question_answered(clarification: Clarification) -> None:
    phase = clarification.phase
    challenge = phase.challenge
    notify(
        suppliers_in(phase),
        News(
            topic=Notification.Topic.QUESTION_ANSWERED,
            key=f"answer:{clarification.pk}",
            subject=lambda: (
                _("A question about “%(title)s” has been answered") % {"title": challenge.title}
            ),
            body=lambda: (
                _(
                    "An answer about phase %(number)s of “%(title)s” is published for every bidder "
                    "to read. Bids are due by %(deadline)s."
                )
                % {
                    "number": phase.number,
                    "title": challenge.title,
                    "deadline": _when(phase.submission_deadline),
                }
            ),
            url=english_path("procurement:challenge", slug=challenge.slug),
        ),
    )


def _outcome(award: Award, bid: Bid, won: bool) -> News:
    phase = award.phase
    title = phase.challenge.title

    def body() -> str:
        words = {"number": phase.number, "title": title, "date": _when(award.standstill_ends_at)}
        if won:
            return (
                _(
                    "Phase %(number)s of “%(title)s” is to be awarded to your bid. The standstill "
                    "period, in which other bidders may question the decision, ends on %(date)s; "
                    "the contract follows. Your feedback shows how your bid was scored."
                )
                % words
            )
        return (
            _(
                "Phase %(number)s of “%(title)s” is to be awarded to another bid. Your feedback "
                "shows how your bid was scored on each criterion. If you want to question the "
                "decision, contact the buyer before the standstill period ends on %(date)s."
            )
            % words
        )

    return News(
        topic=Notification.Topic.OUTCOME,
        key=f"award:{award.pk}:{bid.pk}",
        subject=lambda: (
            (
                _("Your bid for “%(title)s” has been chosen")
                if won
                else _("The outcome of your bid for “%(title)s”")
            )
            % {"title": title}
        ),
        body=body,
        url=english_path("procurement:feedback", pk=bid.pk),
    )


def award_decided(award: Award) -> None:
    """Every bidder hears the outcome of their own bid, and when the standstill ends."""
    winners = set(award.winners.values_list("pk", flat=True))
    for bid in award.phase.received_bids().select_related("supplier"):
        notify(supplier_people([bid.supplier]), _outcome(award, bid, bid.pk in winners))


def award_cancelled(award: Award, reason: str) -> None:
    """Every bidder hears that the award they were told of is withdrawn, and why."""
    phase = award.phase
    title = phase.challenge.title
    for bid in phase.received_bids().select_related("supplier"):
        notify(
            supplier_people([bid.supplier]),
            News(
                topic=Notification.Topic.OUTCOME,
                key=f"award-cancelled:{award.pk}:{bid.pk}",
                subject=lambda: _("The award for “%(title)s” is withdrawn") % {"title": title},
                body=lambda: (
                    _(
                        "The award of phase %(number)s of “%(title)s” that you were told of is "
                        "withdrawn, and the evaluation is open again; you will hear the new "
                        "outcome. The buyer's reason: %(reason)s"
                    )
                    % {"number": phase.number, "title": title, "reason": reason}
                ),
                url=english_path("procurement:challenge", slug=phase.challenge.slug),
            ),
        )


def challenge_published(challenge: Challenge) -> None:
    """Whoever's alert matches the challenge hears of it, with its first phase's dates."""
    phase = challenge.phases.order_by("number").first()
    if phase is None:
        return
    people = alerted_by(
        themes=set(challenge.themes.values_list("pk", flat=True)),
        goals=set(challenge.goals.values_list("pk", flat=True)),
        councils=set(challenge.councils.values_list("pk", flat=True)),
    )
    notify(
        people,
        News(
            topic=Notification.Topic.NEW_CHALLENGE,
            key=f"challenge:{challenge.pk}",
            subject=lambda: _("New challenge: %(title)s") % {"title": challenge.title},
            body=lambda: (
                _(
                    "“%(title)s” takes bids from %(opens)s until %(closes)s. It matches your alert "
                    "for new challenges."
                )
                % {
                    "title": challenge.title,
                    "opens": _when(phase.opens_at),
                    "closes": _when(phase.submission_deadline),
                }
            ),
            url=english_path("procurement:challenge", slug=challenge.slug),
        ),
    )


def deadline_changed(phase: Phase) -> None:
    """Everyone in the phase hears of its latest deadline change, with the reason."""
    change = phase.amendments[-1]
    challenge = phase.challenge
    before = dt.datetime.fromisoformat(change["before"]["submission_deadline"])

    def reason() -> str:
        if translation.get_language() != "cy":
            return str(change["reason_en"])
        if change.get("reason_cy"):
            return str(change["reason_cy"])
        return _("(in English) %(reason)s") % {"reason": change["reason_en"]}

    notify(
        suppliers_in(phase),
        News(
            topic=Notification.Topic.DEADLINE_CHANGED,
            key=f"deadline:{phase.pk}:{len(phase.amendments)}",
            subject=lambda: _("Deadline for bids moved: %(title)s") % {"title": challenge.title},
            body=lambda: (
                _(
                    "The deadline for bids for phase %(number)s of “%(title)s” has moved from "
                    "%(before)s to %(after)s. Why: %(reason)s"
                )
                % {
                    "number": phase.number,
                    "title": challenge.title,
                    "before": _when(before),
                    "after": _when(phase.submission_deadline),
                    "reason": reason(),
                }
            ),
            url=english_path("procurement:challenge", slug=challenge.slug),
        ),
    )
