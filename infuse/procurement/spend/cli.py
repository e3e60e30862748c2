"""`infuse procurement spend-…`: spend analysis from the command line, through the same
services as the pages and the API: map a dataset and read its payments (with a progress bar),
see what the region buys, decide matches, join or separate suppliers, confirm categories, and
draft a challenge from an opportunity."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from infuse.core.commands import Actions, AddAction, in_thread
from infuse.core.console import follow_progress
from infuse.core.money import pounds
from infuse.datalab.ingest.cli import dataset_named
from infuse.procurement.models import SpendDataset
from infuse.procurement.spend import analysis, outputs, queries, services
from infuse.procurement.spend.schemas import (
    CategoryIn,
    MatchDecisionIn,
    MergeIn,
    SpendMappingIn,
    SplitIn,
)
from infuse.procurement.spend.tasks import load_spend

_COLUMNS = ("paid", "supplier", "amount", "company_number", "charity_number", "service")


class SpendActions(Actions):
    @classmethod
    def add_actions(cls, action: AddAction) -> None:
        mapping = action("spend-map", "Read a dataset as payments: say which column holds what.")
        mapping.add_argument("dataset", help="The dataset's slug.")
        for name in (*_COLUMNS, "expense_type"):
            mapping.add_argument(f"--{name.replace('_', '-')}", default="", metavar="COLUMN")
        mapping.add_argument("--buyer", default="", help="The buyer's name (default: publisher).")
        mapping.add_argument("--buyer-column", default="", metavar="COLUMN")
        mapping.add_argument(
            "--background", action="store_true", help="Leave the reading to `infuse worker`."
        )

        summary = action("spend", "What the region buys, as JSON.")
        summary.add_argument("--opportunities", action="store_true", help="Where to buy together.")

        action("spend-matches", "Alike supplier names waiting for a decision, as JSON.")
        decide = action("spend-decide", "Join a proposed pair of suppliers, or keep it apart.")
        decide.add_argument("match", type=int)
        decide.add_argument("decision", choices=["merge", "reject"])
        merge = action("spend-merge", "Join suppliers into the first one given.")
        merge.add_argument("into", type=int)
        merge.add_argument("others", type=int, nargs="+")
        split = action("spend-split", "Give a supplier's spelling a supplier of its own.")
        split.add_argument("spelling", type=int)
        category = action("spend-category", "Map an expense type to a CPV division.")
        category.add_argument("expense_type", type=int)
        category.add_argument("division", help="Two digits, or '' to leave it unmapped.")
        draft = action("spend-draft", "Draft a challenge from an opportunity.")
        draft.add_argument("kind", choices=["category", "supplier"])
        draft.add_argument("key", help="The division's two digits, or the supplier's id.")

    def _spend_map(self, actor: Any, options: dict[str, Any]) -> None:
        dataset = dataset_named(actor, options["dataset"])
        fields = {name: options[name] or "" for name in (*_COLUMNS, "expense_type")}
        spend = services.map_spend(
            actor=actor,
            dataset=dataset,
            mapping_in=SpendMappingIn(
                **fields, buyer=options["buyer"], buyer_column=options["buyer_column"]
            ),
        )
        assert spend.progress is not None
        progress_id = str(spend.progress.pk)
        worker = (
            None
            if options["background"]
            else in_thread(lambda: load_spend.call(spend.pk, progress_id))
        )
        follow_progress(
            progress_id,
            f"Reading payments of {dataset.slug}",
            still_running=worker.is_alive if worker is not None else None,
        )
        if worker is not None:
            worker.join()
        spend = SpendDataset.objects.get(pk=spend.pk)
        for line in queries.reading_problems(spend):
            self.stderr.write(line)
        if spend.summary.get("problems"):
            raise CommandError(_("The payments could not be read"))
        for line in queries.unreadable_words(spend):
            self.stdout.write(self.style.WARNING(line))
        found = spend.summary
        self.stdout.write(
            self.style.SUCCESS(
                _("%(payments)s of %(rows)s rows, %(total)s in all")
                % {
                    "payments": f"{found['payments']:,}",
                    "rows": f"{found['rows']:,}",
                    "total": pounds(found["total_pence"]),
                }
            )
        )

    def _spend(self, actor: Any, options: dict[str, Any]) -> None:
        queries.require_view(actor)
        payments = analysis.counted(queries.visible_spend(actor))
        if options["opportunities"]:
            self.write_json(outputs.opportunities(payments))
        else:
            self.write_json(outputs.summary(payments))

    def _spend_matches(self, actor: Any, options: dict[str, Any]) -> None:
        queries.require_view(actor)
        self.write_json([outputs.match(m) for m in queries.proposed_matches(actor)])

    def _spend_decide(self, actor: Any, options: dict[str, Any]) -> None:
        match = services.decide_match(
            actor=actor,
            pk=options["match"],
            decision_in=MatchDecisionIn(decision=options["decision"]),
        )
        self.write_json(outputs.match(match))

    def _spend_merge(self, actor: Any, options: dict[str, Any]) -> None:
        merged = services.merge_suppliers(
            actor=actor, merge_in=MergeIn(into=options["into"], others=options["others"])
        )
        self.write_json(outputs.supplier(merged))

    def _spend_split(self, actor: Any, options: dict[str, Any]) -> None:
        made = services.split_spelling(actor=actor, split_in=SplitIn(spelling=options["spelling"]))
        self.write_json(outputs.supplier(made))

    def _spend_category(self, actor: Any, options: dict[str, Any]) -> None:
        expense = services.set_category(
            actor=actor,
            pk=options["expense_type"],
            category_in=CategoryIn(division=options["division"]),
        )
        self.write_json(outputs.expense(expense))

    def _spend_draft(self, actor: Any, options: dict[str, Any]) -> None:
        challenge = services.draft_challenge(actor=actor, kind=options["kind"], key=options["key"])
        self.stdout.write(
            self.style.SUCCESS(
                _("Draft challenge %(slug)s made with its evidence.") % {"slug": challenge.slug}
            )
        )
