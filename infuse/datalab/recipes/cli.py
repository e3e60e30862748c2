"""`infuse data recipe`: show a dataset's recipe and what it makes of the latest version, or
replace it from a JSON file, or add one step (the API's forms)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from infuse.core.commands import Actions, AddAction, read_json
from infuse.datalab.catalogue import services as catalogue
from infuse.datalab.catalogue.recipe_words import problem_sentence
from infuse.datalab.recipes import services
from infuse.datalab.recipes.schemas import RecipeIn, RecipeOut, StepIn


class RecipeActions(Actions):
    @classmethod
    def add_actions(cls, action: AddAction) -> None:
        recipe = action(
            "recipe",
            "Show a dataset's recipe; or replace it (--from) or add a step (--add).",
            who="optional",
        )
        recipe.add_argument("dataset", help="The dataset's slug.")
        given = recipe.add_mutually_exclusive_group()
        given.add_argument(
            "--from",
            dest="recipe_file",
            type=Path,
            help='A JSON file: a list of steps, or {"steps": [...]} as the API takes it.',
        )
        given.add_argument("--add", help='One step as JSON, e.g. \'{"step": "rename", ...}\'.')
        given.add_argument("--clear", action="store_true", help="Remove every step.")
        recipe.add_argument("--json", action="store_true", help="Print it as the API does.")

    def _recipe(self, actor: Any, options: dict[str, Any]) -> None:
        dataset = catalogue.get_dataset(actor=actor, slug=options["dataset"])
        if options["recipe_file"] or options["clear"]:
            data = read_json(options["recipe_file"]) if options["recipe_file"] else []
            steps = data.get("steps") if isinstance(data, dict) else data
            if not isinstance(steps, list):
                raise CommandError(_('The file must hold a list of steps, or {"steps": [...]}.'))
            dataset = services.save_recipe(
                actor=actor, dataset=dataset, recipe_in=RecipeIn(steps=steps)
            )
        elif options["add"]:
            try:
                step = json.loads(options["add"])
            except ValueError as error:
                raise CommandError(
                    _("--add takes one step as JSON: %(error)s") % {"error": error}
                ) from error
            if not isinstance(step, dict):
                raise CommandError(_('--add takes one step as a JSON object: {"step": ...}.'))
            dataset = services.add_step(actor=actor, dataset=dataset, step_in=StepIn(step=step))
        shown = RecipeOut.of(dataset)
        if options["json"]:
            self.write_json(shown)
            return
        self._print(shown)

    def _print(self, shown: RecipeOut) -> None:
        if not shown.described:
            self.stdout.write(_("No steps: indicators use the columns as they are in the file."))
        for number, sentence in enumerate(shown.described, start=1):
            self.stdout.write(_("Step %(number)s: %(step)s") % {"number": number, "step": sentence})
        version = shown.latest_version
        if version is None:
            return
        for problem in version.problems:
            self.stdout.write(self.style.ERROR(problem_sentence(problem, shown.steps)))
        if version.fields:
            self.stdout.write(
                _("Version %(number)s as shaped: %(rows)s rows; columns: %(columns)s")
                % {
                    "number": version.version,
                    "rows": f"{version.row_count:,}",
                    "columns": ", ".join(f["name"] for f in version.fields),
                }
            )
