"""`infuse procurement panel|declare|score|moderate|ranking|award|feedback`: evaluation from the
command line."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError

from infuse.core.commands import Actions, AddAction
from infuse.core.models import Person
from infuse.procurement.bids.services import bid_known_to
from infuse.procurement.challenges.cli import phase_args, phase_of
from infuse.procurement.evaluation import services
from infuse.procurement.evaluation.schemas import (
    AwardIn,
    DeclarationIn,
    FeedbackOut,
    ModerationIn,
    PanelIn,
    ScoreIn,
)


def _scores(given: list[str]) -> list[ScoreIn]:
    scores = []
    for item in given:
        criterion, _sep, value = item.partition("=")
        try:
            scores.append(ScoreIn(criterion=int(criterion), score=int(value)))
        except ValueError as error:
            raise CommandError(f"--score {item!r}: write CRITERION_ID=0..4") from error
    return scores


class EvaluationActions(Actions):
    @classmethod
    def add_actions(cls, action: AddAction) -> None:
        panel = phase_args(action("panel", "Choose the evaluation panel."))
        panel.add_argument("evaluators", nargs="+", help="Evaluators' emails.")
        declare = action("declare", "Declare any conflict of interest with a bidder.")
        declare.add_argument("bid", type=int)
        declare.add_argument("--conflict", default="", help="What the conflict is (none if empty).")
        score = action("score", "Score a bid: --score CRITERION_ID=0..4 for each criterion.")
        score.add_argument("bid", type=int)
        score.add_argument("--score", action="append", default=[], dest="scores")
        score.add_argument("--submit", action="store_true")
        moderate = action("moderate", "Record the consensus score of a bid on a criterion.")
        moderate.add_argument("bid", type=int)
        moderate.add_argument("--criterion", type=int, required=True)
        moderate.add_argument("--score", type=int, required=True)
        moderate.add_argument("--rationale", required=True)
        phase_args(action("ranking", "The ranking and the ±10-point sensitivity check."))
        phase_args(action("award", "Decide the award (the standstill starts).")).add_argument(
            "--reasons", required=True
        )
        action("feedback", "Feedback on a bid as JSON.").add_argument("bid", type=int)

    def _panel(self, actor: Person, options: dict[str, Any]) -> None:
        panel_in = PanelIn(evaluators=options["evaluators"])
        services.assign_evaluators(actor=actor, phase=phase_of(actor, options), panel_in=panel_in)
        self.stdout.write(self.style.SUCCESS(f"Panel of {len(set(panel_in.evaluators))}"))

    def _declare(self, actor: Person, options: dict[str, Any]) -> None:
        services.declare_interest(
            actor=actor,
            bid=bid_known_to(actor, options["bid"]),
            declaration_in=DeclarationIn(
                has_conflict=bool(options["conflict"]), details=options["conflict"]
            ),
        )
        self.stdout.write(self.style.SUCCESS("Declared"))

    def _score(self, actor: Person, options: dict[str, Any]) -> None:
        scores = _scores(options["scores"])
        bid = bid_known_to(actor, options["bid"])
        if scores:
            services.save_scores(actor=actor, bid=bid, scores=scores, submit=options["submit"])
        elif options["submit"]:
            services.submit_scores(actor=actor, bid=bid)
        self.stdout.write(self.style.SUCCESS("Submitted" if options["submit"] else "Saved"))

    def _moderate(self, actor: Person, options: dict[str, Any]) -> None:
        services.moderate(
            actor=actor,
            bid=bid_known_to(actor, options["bid"]),
            moderation_in=ModerationIn(
                criterion=options["criterion"],
                score=options["score"],
                rationale=options["rationale"],
            ),
        )
        self.stdout.write(self.style.SUCCESS("Consensus recorded"))

    def _ranking(self, actor: Person, options: dict[str, Any]) -> None:
        table = services.evaluation_table(actor=actor, phase=phase_of(actor, options))
        if not table.complete:
            self.stdout.write("Provisional: not every bid is moderated yet")
        for row in table.rows:
            mark = " (winning)" if row["winner"] else ""
            who = f"{row['supplier'].name}\tbid {row['bid'].pk}{mark}"
            self.stdout.write(f"{row['rank']}\t{row['total']:.2f}\t{who}")
        changed = [s for s in table.scenarios if s.changed]
        self.stdout.write(
            f"Sensitivity: the winner changes in {len(changed)} of {len(table.scenarios)} "
            "scenarios (each weight ±10 points)"
        )

    def _award(self, actor: Person, options: dict[str, Any]) -> None:
        made = services.award_phase(
            actor=actor,
            phase=phase_of(actor, options),
            award_in=AwardIn(rationale=options["reasons"]),
        )
        ends = made.standstill_ends_at
        self.stdout.write(self.style.SUCCESS(f"Award {made.pk} decided; standstill ends {ends}"))

    def _feedback(self, actor: Person, options: dict[str, Any]) -> None:
        told = services.feedback(actor=actor, bid=bid_known_to(actor, options["bid"]))
        self.write_json(FeedbackOut.of(told))
