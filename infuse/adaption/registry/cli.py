"""The registry's part of `infuse trials`: list, show, create, outcomes, move."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from django.core.management.base import CommandError
from pydantic import BaseModel

from infuse.adaption.registry import services
from infuse.adaption.registry.schemas import ExperimentIn, ExperimentOut, LibraryQuery, OutcomeIO
from infuse.core.commands import Actions, AddAction, read_json
from infuse.core.models import Person

S = TypeVar("S", bound=BaseModel)


class RegistryActions(Actions):
    @classmethod
    def add_actions(cls, action: AddAction) -> None:
        listing = action("list", "The learning library.", who="optional")
        for name in ("q", "design", "status", "theme", "goal", "council"):
            listing.add_argument(f"--{name}", default="")
        action("show", "One experiment as JSON.", who="optional").add_argument("slug")
        create = action("create", "Add an experiment from a JSON file.")
        create.add_argument("file", type=Path, help="title_en, title_cy, owner, design, councils…")
        outcomes = action("outcomes", "Set the outcomes from a JSON list.")
        outcomes.add_argument("slug")
        outcomes.add_argument("file", type=Path)
        move = action("move", "design, redraft, launch, analyse, decide, scale, close")
        move.add_argument("slug")
        move.add_argument("transition")

    def _list(self, actor: Any, options: dict[str, Any]) -> None:
        query = LibraryQuery(**{k: options[k] for k in LibraryQuery.model_fields if k in options})
        for experiment in services.search_experiments(actor, query):
            self.stdout.write(
                f"{experiment.slug}\t{experiment.status}\t{experiment.design}\t{experiment.title_en}"
            )

    def _show(self, actor: Any, options: dict[str, Any]) -> None:
        self.write_json(
            ExperimentOut.of(services.get_experiment(actor=actor, slug=options["slug"]))
        )

    def _create(self, actor: Person, options: dict[str, Any]) -> None:
        data = read_json(options["file"])
        if not isinstance(data, dict):
            raise CommandError("The file must hold one JSON object")
        experiment = services.create_experiment(
            actor=actor, experiment_in=ExperimentIn.model_validate(data)
        )
        self.stdout.write(self.style.SUCCESS(f"Experiment {experiment.slug} added as a draft."))

    def _outcomes(self, actor: Person, options: dict[str, Any]) -> None:
        experiment = services.get_experiment(actor=actor, slug=options["slug"])
        rows = read_json(options["file"])
        if not isinstance(rows, list):
            raise CommandError("The file must hold a JSON list of outcomes")
        services.set_outcomes(
            actor=actor,
            experiment=experiment,
            outcomes=[OutcomeIO.model_validate(row) for row in rows],
        )
        self.stdout.write(self.style.SUCCESS(f"{len(rows)} outcomes set."))

    def _move(self, actor: Person, options: dict[str, Any]) -> None:
        experiment = services.get_experiment(actor=actor, slug=options["slug"])
        experiment = services.move(
            actor=actor, experiment=experiment, transition=options["transition"]
        )
        self.stdout.write(self.style.SUCCESS(f"{experiment.slug} is now {experiment.status}."))
