"""`infuse procurement …`: the Procurement Lab and the Challenge Fund from the command line,
through the same services as the pages and the API.

Every change is made as a named person (``--as EMAIL``) and audited as them; reading without
``--as`` shows what the public sees. Amounts are in pence; times in ISO 8601.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from infuse.core.commands import LabCommand, with_person
from infuse.core.errors import NotFound
from infuse.core.models import Organisation, Person
from infuse.procurement import ocds, sealing, services
from infuse.procurement.models import Award, Bid, Clarification, Contract, Milestone


def _json(path: Path) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise CommandError(f"Cannot read {path} as JSON: {error}") from error


def _instant(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError as error:
        raise CommandError(
            f"{text!r} is not an ISO 8601 time, like 2027-03-01T12:00+00:00"
        ) from error
    if value.tzinfo is None:
        raise CommandError(f"{text!r} needs its offset, like +00:00 (UTC) or +01:00 (BST)")
    return value


class Command(LabCommand):
    help = (
        "Procurement Lab: list, show, create, publish, questions, ask, answer, "
        "bid, open, panel, declare, score, moderate, ranking, award, confirm, milestone, accept, "
        "pay, feedback, ocds, new-key, rotate-keys "
        "(`infuse procurement ACTION --help` for each)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)

        def action(name: str, help_text: str, *, required: bool = True) -> Any:
            return with_person(sub.add_parser(name, help=help_text), required=required)

        def phase_args(command: Any) -> Any:
            command.add_argument("slug")
            command.add_argument("phase", type=int)
            return command

        action("list", "Challenges you may see.", required=False)
        action("show", "One challenge as JSON.", required=False).add_argument("slug")
        create = action(
            "create",
            "A draft challenge from JSON: its fields, and phases with their criteria.",
        )
        create.add_argument("file", type=Path)
        action("publish", "Publish a challenge.").add_argument("slug")
        phase_args(action("questions", "Questions waiting for an answer."))
        ask = phase_args(action("ask", "Ask a question (suppliers)."))
        ask.add_argument("--question", required=True)
        answer = action("answer", "Publish the answer to a question.")
        answer.add_argument("question", type=int)
        answer.add_argument("--question-en", required=True)
        answer.add_argument("--answer-en", required=True)
        answer.add_argument("--question-cy", default="")
        answer.add_argument("--answer-cy", default="")
        bid = phase_args(
            action("bid", "Save your bid from JSON {answers: {criterion id: text}, price_pence}.")
        )
        bid.add_argument("file", type=Path)
        bid.add_argument("--submit", action="store_true")
        phase_args(action("open", "Ask to open the bids, or confirm a colleague's request."))
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
        award = phase_args(action("award", "Decide the award (the standstill starts)."))
        award.add_argument("--reasons", required=True)
        confirm = action("confirm", "After the standstill: contracts and commitments.")
        confirm.add_argument("award", type=int)
        confirm.add_argument("--starts", type=dt.date.fromisoformat, required=True)
        confirm.add_argument("--ends", type=dt.date.fromisoformat, required=True)
        milestone = action("milestone", "Add a payment milestone to a contract.")
        milestone.add_argument("contract", type=int)
        milestone.add_argument("--title", required=True)
        milestone.add_argument("--title-cy", default="")
        milestone.add_argument("--due", type=dt.date.fromisoformat, required=True)
        milestone.add_argument("--amount-pence", type=int, required=True)
        action("accept", "Accept a milestone's work.").add_argument("milestone", type=int)
        action("pay", "Pay an accepted milestone from the fund.").add_argument(
            "milestone", type=int
        )
        action("feedback", "Feedback on a bid as JSON.").add_argument("bid", type=int)
        export = action("ocds", "Open contracting data as JSON.", required=False)
        export.add_argument("--records", action="store_true", help="A record package instead.")
        export.add_argument("--output", type=Path)
        sub.add_parser("new-key", help="A new master key entry for INFUSE_BID_KEYS.").add_argument(
            "key_id"
        )
        sub.add_parser(
            "rotate-keys", help="Rewrap every challenge key with the current master key."
        )

    def _out(self, data: Any) -> None:
        self.stdout.write(json.dumps(data, indent=2, default=str, ensure_ascii=False))

    def _phase(self, actor: Any, options: dict[str, Any]) -> Any:
        return services.phase_at(actor=actor, slug=options["slug"], number=options["phase"])

    def _list(self, actor: Any, options: dict[str, Any]) -> None:
        for challenge in services.visible_challenges(actor):
            state = "published" if challenge.published_at else "draft"
            self.stdout.write(f"{challenge.slug}\t{state}\t{challenge.title_en}")

    def _show(self, actor: Any, options: dict[str, Any]) -> None:
        from infuse.procurement.api import challenge_out

        self._out(challenge_out(services.get_challenge(actor=actor, slug=options["slug"])))

    def _create(self, actor: Person, options: dict[str, Any]) -> None:
        data = _json(options["file"])
        phases = data.pop("phases", [])
        owner = Organisation.objects.filter(slug=data.pop("owner", "")).first()
        challenge = services.create_challenge(
            actor=actor, fields=services.ChallengeFields(owner=owner or Organisation(), **data)
        )
        for phase in phases:
            criteria = phase.pop("criteria", [])
            for name in ("opens_at", "clarification_deadline", "submission_deadline"):
                phase[name] = _instant(phase[name])
            for name in ("evaluation_ends_on", "award_expected_on"):
                phase[name] = dt.date.fromisoformat(phase[name])
            made = services.save_phase(
                actor=actor, challenge=challenge, fields=services.PhaseFields(**phase)
            )
            services.set_criteria(
                actor=actor,
                phase=made,
                criteria=[services.CriterionFields(**c) for c in criteria],
            )
        self.stdout.write(self.style.SUCCESS(f"{challenge.slug} added as a draft"))

    def _publish(self, actor: Person, options: dict[str, Any]) -> None:
        challenge = services.get_challenge(actor=actor, slug=options["slug"])
        services.publish_challenge(actor=actor, challenge=challenge)
        self.stdout.write(self.style.SUCCESS(f"{challenge.slug} published"))

    def _questions(self, actor: Person, options: dict[str, Any]) -> None:
        for item in services.questions_to_answer(actor=actor, phase=self._phase(actor, options)):
            self.stdout.write(f"{item.pk}\t{item.supplier.name}\t{item.question}")

    def _ask(self, actor: Person, options: dict[str, Any]) -> None:
        asked = services.ask_question(
            actor=actor, phase=self._phase(actor, options), question=options["question"]
        )
        self.stdout.write(self.style.SUCCESS(f"Question {asked.pk} sent"))

    def _answer(self, actor: Person, options: dict[str, Any]) -> None:
        services.answer_question(
            actor=actor,
            clarification=services.find(Clarification, options["question"]),
            published_question_en=options["question_en"],
            answer_en=options["answer_en"],
            published_question_cy=options["question_cy"],
            answer_cy=options["answer_cy"],
        )
        self.stdout.write(self.style.SUCCESS("Answer published"))

    def _bid(self, actor: Person, options: dict[str, Any]) -> None:
        data = _json(options["file"])
        price = data.get("price_pence")
        if price is not None and (isinstance(price, bool) or not isinstance(price, int)):
            raise CommandError(f"price_pence must be a whole number of pence, not {price!r}")
        phase = self._phase(actor, options)
        bid = services.save_bid(
            actor=actor,
            phase=phase,
            answers={str(k): str(v) for k, v in (data.get("answers") or {}).items()},
            price_pence=data.get("price_pence"),
        )
        if options["submit"]:
            services.submit_bid(actor=actor, bid=bid)
        state = "submitted" if options["submit"] else "saved"
        self.stdout.write(self.style.SUCCESS(f"Bid {bid.pk} {state} (sealed)"))

    def _open(self, actor: Person, options: dict[str, Any]) -> None:
        opening = services.open_bids(actor=actor, phase=self._phase(actor, options))
        if opening.confirmed_at:
            self.stdout.write(self.style.SUCCESS("Bids opened"))
        else:
            self.stdout.write("Opening asked for: a second authorised officer must confirm it")

    def _panel(self, actor: Person, options: dict[str, Any]) -> None:
        emails = [e.lower() for e in options["evaluators"]]
        people = list(Person.objects.filter(email__in=emails))
        unknown = set(emails) - {p.email for p in people}
        if unknown:
            raise CommandError(f"No person with the email {', '.join(sorted(unknown))}")
        services.assign_evaluators(
            actor=actor, phase=self._phase(actor, options), evaluators=people
        )
        self.stdout.write(self.style.SUCCESS(f"Panel of {len(people)}"))

    def _declare(self, actor: Person, options: dict[str, Any]) -> None:
        services.declare_interest(
            actor=actor,
            bid=services.find(Bid, options["bid"]),
            has_conflict=bool(options["conflict"]),
            details=options["conflict"],
        )
        self.stdout.write(self.style.SUCCESS("Declared"))

    def _score(self, actor: Person, options: dict[str, Any]) -> None:
        scores = {}
        for item in options["scores"]:
            criterion, _sep, value = item.partition("=")
            try:
                scores[int(criterion)] = (int(value), "")
            except ValueError as error:
                raise CommandError(f"--score {item!r}: write CRITERION_ID=0..4") from error
        bid = services.find(Bid, options["bid"])
        if scores:
            services.save_scores(actor=actor, bid=bid, scores=scores)
        if options["submit"]:
            services.submit_scores(actor=actor, bid=bid)
        self.stdout.write(self.style.SUCCESS("Submitted" if options["submit"] else "Saved"))

    def _moderate(self, actor: Person, options: dict[str, Any]) -> None:
        bid = services.find(Bid, options["bid"])
        criterion = bid.phase.criteria.filter(pk=options["criterion"]).first()
        if criterion is None:
            raise NotFound()
        services.moderate(
            actor=actor,
            bid=bid,
            criterion=criterion,
            score=options["score"],
            rationale=options["rationale"],
        )
        self.stdout.write(self.style.SUCCESS("Consensus recorded"))

    def _ranking(self, actor: Person, options: dict[str, Any]) -> None:
        table = services.evaluation_table(actor=actor, phase=self._phase(actor, options))
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
            actor=actor, phase=self._phase(actor, options), rationale=options["reasons"]
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Award {made.pk} decided; standstill ends {made.standstill_ends_at}"
            )
        )

    def _confirm(self, actor: Person, options: dict[str, Any]) -> None:
        award = services.find(Award, options["award"])
        contracts = services.confirm_award(
            actor=actor,
            award=award,
            terms=[
                services.ContractTerms(bid.pk, options["starts"], options["ends"])
                for bid in award.winners.all()
            ],
        )
        for contract in contracts:
            self.stdout.write(
                self.style.SUCCESS(f"Contract {contract.pk} with {contract.supplier.name}")
            )

    def _milestone(self, actor: Person, options: dict[str, Any]) -> None:
        made = services.add_milestone(
            actor=actor,
            contract=services.find(Contract, options["contract"]),
            title_en=options["title"],
            title_cy=options["title_cy"],
            due_on=options["due"],
            amount_pence=options["amount_pence"],
        )
        self.stdout.write(self.style.SUCCESS(f"Milestone {made.pk} added"))

    def _accept(self, actor: Person, options: dict[str, Any]) -> None:
        services.accept_milestone(
            actor=actor, milestone=services.find(Milestone, options["milestone"])
        )
        self.stdout.write(self.style.SUCCESS("Accepted"))

    def _pay(self, actor: Person, options: dict[str, Any]) -> None:
        payment = services.pay_milestone(
            actor=actor, milestone=services.find(Milestone, options["milestone"])
        )
        self.stdout.write(self.style.SUCCESS(f"Paid {payment.amount_pence} pence"))

    def _feedback(self, actor: Person, options: dict[str, Any]) -> None:
        told = services.feedback(actor=actor, bid=services.find(Bid, options["bid"]))
        self._out(
            {
                "successful": told.successful,
                "rank": told.mine["rank"],
                "total": told.mine["total"],
                "winners": [{"supplier": w["supplier"], "total": w["total"]} for w in told.winners],
            }
        )

    def _ocds(self, actor: Any, options: dict[str, Any]) -> None:
        from infuse.procurement.models import Phase

        uri = "infuse:ocds"
        if options["records"]:
            ocids = list(
                Phase.objects.filter(challenge__published_at__isnull=False).values_list(
                    "ocid", flat=True
                )
            )
            package = ocds.record_package(ocids, uri)
        else:
            package = ocds.release_package(ocds.published_releases(), uri)
        text = json.dumps(package, indent=2, ensure_ascii=False)
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text)

    def _new_key(self, actor: Any, options: dict[str, Any]) -> None:
        self.stdout.write(sealing.new_master_key(options["key_id"]))

    def _rotate_keys(self, actor: Any, options: dict[str, Any]) -> None:
        self.stdout.write(self.style.SUCCESS(f"{services.rotate_keys()} challenge keys rewrapped"))
