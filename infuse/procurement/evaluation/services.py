"""Use cases of evaluation: the panel, conflicts declared before seeing a bid, independent
scores (others' seen only after one's own are submitted), moderation to a consensus, the
ranking with the ±10-point weight sensitivity check, and the award decision it ends in (with
its standstill, its cancellation, and each bidder's feedback)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from infuse.core import audit
from infuse.core.errors import Conflict, FieldProblem, InvalidInput, NotFound, PermissionDenied
from infuse.core.models import Person, Role
from infuse.core.permissions import roles_of
from infuse.procurement import news, timetable
from infuse.procurement.bids import sealed
from infuse.procurement.challenges.services import require_runs, runs
from infuse.procurement.challenges.steps import announce_phase
from infuse.procurement.evaluation import scoring
from infuse.procurement.evaluation.schemas import (
    AwardCancelIn,
    AwardIn,
    DeclarationIn,
    ModerationIn,
    PanelIn,
    ScoreIn,
)
from infuse.procurement.evaluation.tables import EvaluationTable, Feedback
from infuse.procurement.models import (
    Award,
    Bid,
    ConflictDeclaration,
    Criterion,
    ModeratedScore,
    Phase,
    Score,
)
from infuse.procurement.ocds import releases as ocds
from infuse.procurement.suppliers.services import works_for


def require_evaluating(phase: Phase) -> None:
    """Evaluation runs from the opening of the bids until the award."""
    if not phase.bids_opened:
        raise Conflict(_("The bids have not been opened yet."))
    if phase.current_award() is not None:
        raise Conflict(_("The evaluation is closed: the phase has been awarded."))


def _panel_problems(
    phase: Phase, evaluators: Sequence[Person], emails: set[str]
) -> list[FieldProblem]:
    unknown = sorted(emails - {p.email.lower() for p in evaluators})
    if unknown:
        return [
            FieldProblem(
                "evaluators",
                _("No person with the email %(emails)s") % {"emails": ", ".join(unknown)},
            )
        ]
    runners = [p.email for p in evaluators if runs(p, phase.challenge)]
    if runners:
        return [
            FieldProblem(
                "evaluators",
                _("People who run the challenge cannot score it (they moderate): %(people)s")
                % {"people": ", ".join(runners)},
            )
        ]
    not_evaluators = [p.email for p in evaluators if Role.EVALUATOR not in roles_of(p)]
    if not_evaluators:
        return [
            FieldProblem(
                "evaluators",
                _("These people are not evaluators: %(people)s")
                % {"people": ", ".join(not_evaluators)},
            )
        ]
    return []


def assign_evaluators(*, actor: Person, phase: Phase, panel_in: PanelIn) -> None:
    """Choose the panel: people who hold the evaluator role (in any council or the programme)."""
    require_runs(actor, phase.challenge)
    emails = {email.strip().lower() for email in panel_in.evaluators}
    evaluators = list(Person.objects.filter(email__in=emails))
    problems = _panel_problems(phase, evaluators, emails)
    if problems:
        raise InvalidInput(problems=problems)
    with transaction.atomic():
        before = sorted(phase.evaluators.values_list("email", flat=True))
        phase.evaluators.set(evaluators)
        audit.record_event(
            actor=actor,
            action="phase.evaluators_assigned",
            obj=phase,
            before={"evaluators": before},
            after={"evaluators": sorted(p.email for p in evaluators)},
        )
        announce_phase(actor, phase)  # the panel, to score


def _require_panel(actor: Any, phase: Phase) -> None:
    if not phase.has_evaluator(actor):
        raise PermissionDenied()


def evaluated_bid(*, actor: Any, bid_id: int) -> Bid:
    """A bid as an evaluator on its panel may know of it: only once the bids are open, and
    only a bid that counts (submitted in time, not withdrawn); NotFound otherwise."""
    # The panel comes with the bid: the use cases that follow on the same bid (the scores the
    # evaluator may see, saving them) check it again without asking again.
    bid = (
        Bid.objects.select_related("phase__challenge", "supplier")
        .prefetch_related("phase__evaluators")
        .filter(pk=bid_id)
        .first()
    )
    if bid is None or not bid.phase.has_evaluator(actor):
        raise NotFound()
    if not bid.phase.bids_opened or not bid.phase.received_bids().filter(pk=bid.pk).exists():
        raise NotFound()
    return bid


def moderated_bid(*, actor: Any, bid_id: int) -> Bid:
    """A bid as the officers running its challenge moderate it; NotFound for anyone else."""
    bid = Bid.objects.select_related("phase__challenge", "supplier").filter(pk=bid_id).first()
    if bid is None or not runs(actor, bid.phase.challenge):
        raise NotFound()
    return bid


def declare_interest(
    *, actor: Person, bid: Bid, declaration_in: DeclarationIn
) -> ConflictDeclaration:
    """Before seeing a bid, an evaluator says whether they have a conflict of interest with the
    bidder. A conflict excludes them from that bid; a declaration is not changed afterwards."""
    phase = bid.phase
    _require_panel(actor, phase)
    require_evaluating(phase)
    evaluated_bid(actor=actor, bid_id=bid.pk)
    details = declaration_in.details.strip()
    if declaration_in.has_conflict and not details:
        raise InvalidInput(
            problems=[FieldProblem("details", _("Say what the conflict of interest is"))]
        )
    with transaction.atomic():
        try:
            with transaction.atomic():
                declaration = ConflictDeclaration.objects.create(
                    phase=phase,
                    bid=bid,
                    evaluator=actor,
                    has_conflict=declaration_in.has_conflict,
                    details=details,
                )
        except IntegrityError:
            raise Conflict(
                _(
                    "You have declared for this bid already; ask the procurement officer "
                    "to change it."
                )
            ) from None
        audit.record_event(
            actor=actor,
            action="evaluation.declared",
            obj=bid,
            after={"has_conflict": declaration_in.has_conflict},
        )
    return declaration


def _require_may_score(actor: Any, bid: Bid) -> None:
    _require_panel(actor, bid.phase)
    require_evaluating(bid.phase)
    evaluated_bid(actor=actor, bid_id=bid.pk)
    declaration = bid.declarations.filter(evaluator=actor).first()
    if declaration is None:
        raise Conflict(_("Declare any conflict of interest with this bidder first."))
    if declaration.has_conflict:
        raise PermissionDenied()


def _score_problems(bid: Bid, scores: Sequence[ScoreIn]) -> list[FieldProblem]:
    criteria = {c.pk for c in bid.phase.criteria.exclude(kind=Criterion.Kind.PRICE)}
    problems = []
    for given in scores:
        if given.criterion not in criteria:
            problems.append(FieldProblem("scores", _("Score only the phase's criteria")))
        elif not 0 <= given.score <= scoring.SCALE_MAX:
            problems.append(FieldProblem(f"score_{given.criterion}", _("A score is from 0 to 4")))
    return problems


def save_scores(
    *, actor: Person, bid: Bid, scores: Sequence[ScoreIn], submit: bool = False
) -> list[Score]:
    """An evaluator's own scores (0–4 and a comment) for a bid, kept until they submit them;
    with ``submit``, saved and submitted together (all or none)."""
    _require_may_score(actor, bid)
    problems = _score_problems(bid, scores)
    if problems:
        raise InvalidInput(problems=problems)
    with transaction.atomic():
        if Score.objects.filter(bid=bid, evaluator=actor, submitted_at__isnull=False).exists():
            raise Conflict(_("You have submitted your scores for this bid."))
        saved = [
            Score.objects.update_or_create(
                bid=bid,
                criterion_id=given.criterion,
                evaluator=actor,
                defaults={
                    "score": given.score,
                    "comment": given.comment.strip(),
                    "saved_at": timezone.now(),
                },
            )[0]
            for given in scores
        ]
        audit.record_event(
            actor=actor,
            action="evaluation.scores_saved",
            obj=bid,
            after={"criteria": sorted(given.criterion for given in scores)},
        )
        if submit:
            _submit(actor, bid)
    return saved


def _submit(actor: Person, bid: Bid) -> None:
    mine = Score.objects.select_for_update().filter(bid=bid, evaluator=actor)
    missing = [
        c
        for c in bid.phase.criteria.exclude(kind=Criterion.Kind.PRICE)
        if not mine.filter(criterion=c).exists()
    ]
    if missing:
        raise InvalidInput(
            problems=[
                FieldProblem(f"score_{c.pk}", _("Score ‘%(criterion)s’") % {"criterion": c.title})
                for c in missing
            ]
        )
    if mine.filter(submitted_at__isnull=False).exists():
        raise Conflict(_("You have submitted your scores for this bid."))
    mine.update(submitted_at=timezone.now())
    audit.record_event(actor=actor, action="evaluation.scores_submitted", obj=bid)


def submit_scores(*, actor: Person, bid: Bid) -> None:
    """Lock the evaluator's scores for a bid; only now may they see the others' scores."""
    _require_may_score(actor, bid)
    with transaction.atomic():
        _submit(actor, bid)
        announce_phase(actor, bid.phase)  # the buyers, to moderate once every score is in


def _scoring_panel(bid: Bid) -> list[int]:
    """Assigned evaluators who declared no conflict with this bid."""
    return list(
        bid.declarations.filter(
            has_conflict=False, evaluator__in=bid.phase.evaluators.all()
        ).values_list("evaluator_id", flat=True)
    )


def visible_scores(*, actor: Any, bid: Bid) -> QuerySet[Score]:
    """Scores an evaluator may see: their own, and the others' once they have submitted theirs.
    The officers running the challenge see every submitted score (for moderation)."""
    on_panel = bid.phase.has_evaluator(actor)
    if not on_panel and runs(actor, bid.phase.challenge):
        return bid.scores.filter(submitted_at__isnull=False).select_related("evaluator")
    if not on_panel:
        raise PermissionDenied()
    mine = bid.scores.filter(evaluator=actor)
    if mine.filter(submitted_at__isnull=False).exists():
        return bid.scores.filter(Q(evaluator=actor) | Q(submitted_at__isnull=False)).select_related(
            "evaluator"
        )
    return mine.select_related("evaluator")


def _moderation_problems(bid: Bid, moderation_in: ModerationIn) -> list[FieldProblem]:
    problems = []
    if not 0 <= moderation_in.score <= scoring.SCALE_MAX:
        problems.append(FieldProblem("score", _("A score is from 0 to 4")))
    if not moderation_in.rationale.strip():
        problems.append(FieldProblem("rationale", _("Give the reason for the consensus score")))
    return problems


def moderate(*, actor: Person, bid: Bid, moderation_in: ModerationIn) -> ModeratedScore:
    """Record the panel's consensus score and why, once every scoring evaluator submitted."""
    require_runs(actor, bid.phase.challenge)
    require_evaluating(bid.phase)
    criterion = bid.phase.criteria.filter(pk=moderation_in.criterion).first()
    if criterion is None:
        raise NotFound()
    if criterion.kind == Criterion.Kind.PRICE:
        raise InvalidInput(problems=[FieldProblem("criterion", _("Moderate a scored criterion"))])
    problems = _moderation_problems(bid, moderation_in)
    if problems:
        raise InvalidInput(problems=problems)
    panel = _scoring_panel(bid)
    submitted = set(
        bid.scores.filter(submitted_at__isnull=False, criterion=criterion).values_list(
            "evaluator_id", flat=True
        )
    )
    if not panel or set(panel) - submitted:
        raise Conflict(
            _("Every evaluator on the panel must submit their scores before moderation.")
        )
    with transaction.atomic():
        moderated, _created = ModeratedScore.objects.update_or_create(
            bid=bid,
            criterion=criterion,
            defaults={
                "score": moderation_in.score,
                "rationale": moderation_in.rationale.strip(),
                "moderated_by": actor,
                "moderated_at": timezone.now(),
            },
        )
        audit.record_event(
            actor=actor,
            action="evaluation.moderated",
            obj=bid,
            after={"criterion": criterion.pk, "score": moderation_in.score},
        )
    return moderated


# --- The ranking --------------------------------------------------------------------------------


def _provisional(
    scored: Sequence[Criterion], bid: Bid, moderated: dict[int, float]
) -> dict[int, float]:
    """Moderated scores, and the panel's mean where a scored criterion is not moderated yet."""
    for criterion in scored:
        if criterion.pk not in moderated:
            values = [
                s.score
                for s in bid.scores.all()
                if s.criterion_id == criterion.pk and s.submitted_at
            ]
            if values:
                moderated[criterion.pk] = sum(values) / len(values)
    return moderated


def figures(
    criteria: Sequence[Criterion], bids: Sequence[Bid], *, provisional: bool
) -> list[scoring.BidFigures]:
    """What ranking needs of each bid (``criteria`` are the phase's, read once for them all):
    its price, submission time and scores."""
    scored = [c for c in criteria if c.kind != Criterion.Kind.PRICE]
    found = []
    for bid in bids:
        moderated = {m.criterion_id: float(m.score) for m in bid.moderated_scores.all()}
        if provisional:
            moderated = _provisional(scored, bid, moderated)
        content = sealed.unsealed(bid)
        assert bid.submitted_at is not None
        if content.price_pence is None:  # a submitted bid has one; never rank without it
            raise Conflict(
                _("The bid from %(supplier)s has no price.") % {"supplier": bid.supplier.name}
            )
        found.append(
            scoring.BidFigures(bid.pk, int(content.price_pence or 0), bid.submitted_at, moderated)
        )
    return found


def weights_of(criteria: Sequence[Criterion]) -> list[scoring.CriterionWeight]:
    return [scoring.CriterionWeight(c.pk, c.kind, c.weight) for c in criteria]


def evaluation_table(*, actor: Any, phase: Phase) -> EvaluationTable:
    require_runs(actor, phase.challenge)
    if not phase.bids_opened:
        raise Conflict(_("The bids have not been opened yet."))
    criteria = list(phase.criteria.all())
    bids = list(phase.received_bids().prefetch_related("moderated_scores", "scores"))
    scored = {c.pk for c in criteria if c.kind != Criterion.Kind.PRICE}
    complete = bool(bids) and all(
        {m.criterion_id for m in bid.moderated_scores.all()} >= scored for bid in bids
    )
    found = figures(criteria, bids, provisional=not complete)
    weights = weights_of(criteria)
    ranked = scoring.rank(weights, found, phase.price_formula) if found else []
    by_bid = {b.pk: b for b in bids}
    by_figures = {f.id: f for f in found}
    rows = [
        {
            "bid": by_bid[r.bid],
            "supplier": by_bid[r.bid].supplier,
            "price_pence": by_figures[r.bid].price_pence,
            "points": r.points,
            "scores": by_figures[r.bid].scores,
            "total": r.total,
            "rank": r.rank,
            "winner": r.rank <= phase.contracts_planned,
        }
        for r in ranked
    ]
    scenarios = (
        scoring.sensitivity(weights, found, phase.price_formula, winners=phase.contracts_planned)
        if len(found) > 1
        else []
    )
    return EvaluationTable(criteria=criteria, rows=rows, complete=complete, scenarios=scenarios)


# --- The award decision -------------------------------------------------------------------------


def award_phase(*, actor: Person, phase: Phase, award_in: AwardIn) -> Award:
    """Decide the award from the moderated ranking: the top bids (as many as the phase plans
    contracts) win. The standstill period starts now; contracts follow when it ends."""
    require_runs(actor, phase.challenge)
    require_evaluating(phase)
    rationale = award_in.rationale.strip()
    if not rationale:
        raise InvalidInput(problems=[FieldProblem("rationale", _("Give the reason for the award"))])
    table = evaluation_table(actor=actor, phase=phase)
    if not table.complete:
        raise Conflict(_("Moderate every bid on every scored criterion before the award."))
    winners = [row["bid"] for row in table.rows if row["winner"]]
    decided = timezone.now()
    with transaction.atomic():
        Phase.objects.select_for_update().get(pk=phase.pk)  # one award decision at a time
        if phase.current_award() is not None:
            raise Conflict(_("The evaluation is closed: the phase has been awarded."))
        award = Award.objects.create(
            phase=phase,
            rationale=rationale,
            ranking=[
                {
                    "bid": row["bid"].pk,
                    "supplier": row["supplier"].name,
                    "rank": row["rank"],
                    "total": round(row["total"], 4),
                }
                for row in table.rows
            ],
            decided_by=actor,
            decided_at=decided,
            standstill_ends_at=timetable.standstill_ends(decided, settings.STANDSTILL_WORKING_DAYS),
        )
        award.winners.set(winners)
        ocds.publish(phase, ["award"], award=award)
        audit.record_event(
            actor=actor,
            action="award.decided",
            obj=award,
            after={"winners": [b.pk for b in winners], "ranking": award.ranking},
        )
        news.award_decided(award)
    return award


def cancel_award(*, actor: Person, award: Award, cancel_in: AwardCancelIn) -> Award:
    """Withdraw an award during its standstill (after a challenge, say): evaluation reopens."""
    require_runs(actor, award.phase.challenge)
    if award.status != Award.Status.STANDSTILL:
        raise Conflict(_("Only an award in its standstill period can be cancelled."))
    reason = cancel_in.reason.strip()
    if not reason:
        raise InvalidInput(problems=[FieldProblem("reason", _("Give the reason"))])
    with transaction.atomic():
        award.status = Award.Status.CANCELLED
        award.save(update_fields=["status"])
        ocds.publish(award.phase, ["awardUpdate"], award=award)
        audit.record_event(
            actor=actor, action="award.cancelled", obj=award, after={"reason": reason}
        )
        news.award_cancelled(award, reason)
    return award


# --- Feedback -----------------------------------------------------------------------------------


def _bidder_summary(
    one: Bid, criteria: list[Criterion], ranked: dict[int, Any], points: dict[int, Any]
) -> dict[str, Any]:
    moderated = {m.criterion_id: m for m in one.moderated_scores.all()}
    return {
        "supplier": one.supplier.name,
        "rank": ranked.get(one.pk, {}).get("rank"),
        "total": points[one.pk].total,
        "criteria": [
            {
                "criterion": c,
                "score": moderated[c.pk].score if c.pk in moderated else None,
                "rationale": moderated[c.pk].rationale if c.pk in moderated else "",
                "points": points[one.pk].points[c.pk],
            }
            for c in criteria
        ],
    }


def feedback(*, actor: Any, bid: Bid) -> Feedback:
    """For the bidder (and the officers) once the award is decided."""
    phase = bid.phase
    award = phase.current_award()
    if not (works_for(actor, bid.supplier_id) or runs(actor, phase.challenge)):
        raise NotFound()
    if award is None:
        raise Conflict(_("Feedback is given once the award is decided."))
    if not phase.received_bids().filter(pk=bid.pk).exists():
        raise NotFound()  # a bid that was never in the competition has no scores
    criteria = list(phase.criteria.all())
    ranked = {row["bid"]: row for row in award.ranking}
    bids = list(phase.received_bids().prefetch_related("moderated_scores"))
    points = {
        r.bid: r
        for r in scoring.rank(
            weights_of(criteria), figures(criteria, bids, provisional=False), phase.price_formula
        )
    }
    winners = list(award.winners.all())
    return Feedback(
        bid=bid,
        award=award,
        criteria=criteria,
        mine=_bidder_summary(bid, criteria, ranked, points),
        winners=[_bidder_summary(w, criteria, ranked, points) for w in winners if w.pk != bid.pk],
        successful=bid in winners,
        bidders=len(bids),
    )
