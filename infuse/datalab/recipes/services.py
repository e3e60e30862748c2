"""Changing a dataset's recipe: checked on its latest version (and against the indicators
defined on it) before it is kept; kept, it shapes that version and every new one, and the
dataset's indicators are computed again on it."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from infuse import analytics
from infuse.core import audit, files
from infuse.core.errors import FieldProblem, InvalidInput, PermissionDenied
from infuse.core.models import Person
from infuse.core.permissions import can
from infuse.datalab import followers
from infuse.datalab.catalogue.recipe_words import problem_sentence
from infuse.datalab.column_names import is_unnamed
from infuse.datalab.indicators.tasks import queue_indicator
from infuse.datalab.models import Dataset
from infuse.datalab.recipes.schemas import RecipeIn, StepIn
from infuse.datalab.recipes.shaping import distinct_counts, most_detailed_first, shape

#: The form's field each step kind's problems belong on, by what the problem is about.
_FIELDS: dict[str, dict[str, str]] = {
    "rename": {"columns": "rename_column", "name": "rename_to"},
    "sum": {"columns": "sum_columns", "name": "sum_name"},
    "difference": {"columns": "difference_first", "name": "difference_name"},
    "first_filled": {"columns": "first_filled_columns", "name": "first_filled_name"},
    "constant": {"name": "constant_name", "value": "constant_value"},
    "unpivot": {"columns": "unpivot_columns", "name": "unpivot_names"},
    "filter": {"columns": "filter_column", "value": "filter_value"},
}
_ABOUT = {
    "analytics.unknown-column": "columns",
    "analytics.recipe-not-numbers": "columns",
    "analytics.recipe-mixed-types": "columns",
    "analytics.recipe-too-few-columns": "columns",
    "analytics.recipe-difference-of-two": "columns",
    "analytics.recipe-no-conditions": "columns",
    "analytics.recipe-bad-name": "name",
    "analytics.recipe-name-taken": "name",
    "analytics.recipe-name-repeated": "name",
    "analytics.recipe-value-empty": "value",
    "analytics.column-repeated": "columns",
}


def _form_kind(step: dict[str, Any]) -> str:
    kind = str(step.get("step", ""))
    return str(step.get("operation", "")) if kind == "derive" else kind


def problems_of(
    problems: list[dict[str, Any]] | list[analytics.SpecProblem], steps: list[dict[str, Any]]
) -> list[FieldProblem]:
    """Each problem in the reader's language, on the form's field of the step it is about."""
    found: list[FieldProblem] = []
    for problem in problems:
        key, params = (
            (problem["key"], problem["params"])
            if isinstance(problem, dict)
            else (problem.key, problem.params)
        )
        number = params.get("step")
        step = steps[number - 1] if isinstance(number, int) and 0 < number <= len(steps) else {}
        field = _FIELDS.get(_form_kind(step), {}).get(_ABOUT.get(key, ""), "")
        if key.startswith("analytics.filter-"):
            field = "filter_value"
        if key == "analytics.recipe-no-value":
            field = "constant_title"  # the title has no line of that label
        found.append(FieldProblem(field or "steps", problem_sentence(problem, steps)))
    return found


def _checked(dataset: Dataset, steps: list[dict[str, Any]]) -> dict[str, Any]:
    """What ``steps`` make of the latest version ({} without one); InvalidInput when they
    cannot run on it or would take away a column an indicator uses."""
    try:
        analytics.recipe_from_json(steps)
    except analytics.RecipeError as error:
        raise InvalidInput(problems=problems_of(error.problems, steps)) from error
    version = dataset.latest_version
    if version is None:
        return {}
    indicators = [(i.title, i.specification) for i in dataset.indicators.all()]
    shaped = shape(files.resolve(version.parquet_path), steps, version.title_lines, indicators)
    if "problems" in shaped:
        raise InvalidInput(problems=problems_of(shaped["problems"], steps))
    return shaped


def save_recipe(*, actor: Person, dataset: Dataset, recipe_in: RecipeIn) -> Dataset:
    """Keep ``recipe_in`` as the dataset's recipe, shaping its latest version with it."""
    return _changed(actor, dataset, lambda _steps: [dict(step) for step in recipe_in.steps])


def _changed(
    actor: Person, dataset: Dataset, change: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]
) -> Dataset:
    """The recipe ``change`` makes of the stored one, checked and kept with the dataset locked,
    so two changes at once (or a version arriving meanwhile) never lose one or the other."""
    if not can(actor, "datalab.change_dataset", dataset):
        raise PermissionDenied()
    # Shaped before the lock (it reads the whole file): SQLite's writers and the dataset's
    # row wait for nothing slow, unless the recipe or the version changed meanwhile.
    current = Dataset.objects.get(pk=dataset.pk)
    before, latest = list(current.recipe), current.latest_version
    steps = change(before)
    shaped = _checked(current, steps)
    with transaction.atomic():
        locked = Dataset.objects.select_for_update().get(pk=dataset.pk)
        if locked.recipe != before or locked.latest_version != latest:
            before = list(locked.recipe)
            steps = change(before)
            shaped = _checked(locked, steps)
        locked.recipe = steps
        locked.save(update_fields=["recipe"])
        version = locked.latest_version
        if version is not None:
            version.recipe = steps
            version.shaped = shaped
            version.save(update_fields=["recipe", "shaped"])
            for indicator in locked.indicators.all():
                queue_indicator(indicator, owner=actor)
            followers.rows_changed(locked, actor)
        audit.record_event(
            actor=actor,
            action="dataset.recipe_changed",
            obj=locked,
            before={"recipe": before},
            after={"recipe": steps, "version": version.number if version else None},
        )
    dataset.recipe = steps
    return dataset


def add_step(*, actor: Person, dataset: Dataset, step_in: StepIn) -> Dataset:
    """The recipe with one more step at its end."""
    return _changed(actor, dataset, lambda steps: [*steps, dict(step_in.step)])


def remove_step(*, actor: Person, dataset: Dataset, number: int) -> Dataset:
    """The recipe without its step ``number`` (from 1); refused when a later step or an
    indicator needs what it made."""

    def without(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if not 0 < number <= len(steps):
            raise InvalidInput(
                problems=[
                    FieldProblem(
                        "steps",
                        _("The recipe has no step %(number)s; it has %(count)s.")
                        % {"number": number, "count": len(steps)},
                    )
                ]
            )
        return steps[: number - 1] + steps[number:]

    return _changed(actor, dataset, without)


_TITLE_VALUE = re.compile(r"^\s*([A-Za-z][A-Za-z /-]{1,30}?)\s*:\s*(\S.*)$")
#: Title labels that give a table its period or place (a StatsWales filter line).
_TITLE_LABELS = ("year", "financial year", "academic year", "period", "quarter", "month", "date")


def suggested_steps(dataset: Dataset) -> list[dict[str, Any]]:
    """Steps the latest version's shape suggests and the recipe lacks: one area column from a
    hierarchy written across unnamed columns (most detailed, rightmost, first), and a column
    for each period its title gives ("Year: 2023")."""
    version = dataset.latest_version
    if version is None:
        return []
    fields = version.shaped_fields
    names = {f["name"].casefold() for f in fields}
    unnamed = [f["name"] for f in fields if is_unnamed(f["name"]) and f["type"] == "string"]
    found: list[dict[str, Any]] = []
    if len(unnamed) >= 2 and "area" not in names:
        found.append(
            {
                "step": "derive",
                "column": "area",
                "operation": "first_filled",
                "of": most_detailed_first(
                    unnamed, [f["name"] for f in fields], distinct_counts(version.profile)
                ),
            }
        )
    for line in version.title_lines:
        match = _TITLE_VALUE.match(line)
        if match and match.group(1).strip().casefold() in _TITLE_LABELS:
            column = "_".join(match.group(1).strip().lower().replace("-", " ").split())
            if column not in names:
                found.append(
                    {"step": "constant", "column": column, "from_title": match.group(1).strip()}
                )
                names.add(column)
    return [step for step in found if step not in dataset.recipe]
