"""Input and output of the recipe's use cases (page, API and CLI)."""

from __future__ import annotations

from typing import Any

from ninja import Schema

from infuse.datalab.catalogue.recipe_words import described
from infuse.datalab.models import Dataset, DatasetVersion


class RecipeIn(Schema):
    """A whole recipe: its steps in the analytics layer's JSON form (see README, "Recipes")."""

    steps: list[dict[str, Any]]


class StepIn(Schema):
    """One step to add at the end of the recipe."""

    step: dict[str, Any]


class ShapedOut(Schema):
    """What the recipe makes of a version: its columns and first rows, or its problems."""

    version: int
    title_lines: list[str]
    fields: list[dict[str, Any]] = []
    rows: list[list[Any]] = []
    row_count: int | None = None
    problems: list[dict[str, Any]] = []


class RecipeOut(Schema):
    dataset: str
    steps: list[dict[str, Any]]
    described: list[str]
    latest_version: ShapedOut | None

    @classmethod
    def of(cls, dataset: Dataset) -> RecipeOut:
        version = dataset.latest_version
        return cls(
            dataset=dataset.slug,
            steps=list(dataset.recipe),
            described=described(dataset.recipe, version.title_lines if version else None),
            latest_version=shaped_out(version) if version else None,
        )


def shaped_out(version: DatasetVersion) -> ShapedOut:
    return ShapedOut(
        version=version.number, title_lines=list(version.title_lines), **version.shaped
    )
