"""A recipe's steps and problems in plain words, in the reader's language (pages, the CLI and
the API's ``described``), written from the steps themselves so they always say what runs.

In the catalogue slice, below the recipes' use cases, because a version's page shows them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from infuse import analytics
from infuse.datalab.messages import explain

if TYPE_CHECKING:  # the engine's classes load only when a recipe is described
    from infuse.analytics import Condition, SpecProblem, Step

#: What a filter's operator says, as the indicator form offers them.
OPERATORS = {
    "=": gettext_lazy("is"),
    "!=": gettext_lazy("is not"),
    "<": gettext_lazy("is less than"),
    "<=": gettext_lazy("is at most"),
    ">": gettext_lazy("is more than"),
    ">=": gettext_lazy("is at least"),
    "in": gettext_lazy("is one of"),
    "not in": gettext_lazy("is none of"),
    "is null": gettext_lazy("is empty"),
    "is not null": gettext_lazy("is not empty"),
    "between": gettext_lazy("is between"),
}


def _names(columns: Any) -> str:
    return ", ".join(f"‘{column}’" for column in columns)


def describe(step: Step, title_lines: list[str] | None = None) -> str:
    """One step as a sentence; a value taken from the title says what this version's title
    gave (``title_lines``), or that it has none."""
    if isinstance(step, analytics.Rename):
        return "; ".join(
            _("Call ‘%(old)s’ ‘%(new)s’") % {"old": old, "new": new} for old, new in step.names
        )
    if isinstance(step, analytics.Unpivot):
        return _(
            "Turn the columns %(columns)s into rows: their names in ‘%(names)s’, their values "
            "in ‘%(values)s’"
        ) % {"columns": _names(step.columns), "names": step.names_to, "values": step.values_to}
    if isinstance(step, analytics.Derive):
        words = {
            "sum": _("Add ‘%(column)s’: the sum of %(columns)s in each row"),
            "difference": _("Add ‘%(column)s’: %(columns)s, the first less the second"),
            "first_filled": _(
                "Add ‘%(column)s’: the first of %(columns)s that has a value in each row"
            ),
        }[str(step.operation)]
        return words % {"column": step.column, "columns": _names(step.of)}
    if isinstance(step, analytics.Constant):
        if not step.from_title:
            return _("Add ‘%(column)s’ holding ‘%(value)s’ on every row") % {
                "column": step.column,
                "value": step.value,
            }
        said = _("Add ‘%(column)s’ holding what follows ‘%(label)s:’ in the file's title") % {
            "column": step.column,
            "label": step.from_title,
        }
        if title_lines is None:
            return said
        found = analytics.title_value(step.from_title, title_lines)
        if found is None:
            return said + " " + _("(this version's title has no such line)")
        return said + " " + _("(‘%(value)s’ in this version)") % {"value": found}
    return _("Keep only the rows where %(conditions)s") % {
        "conditions": _(" and ").join(_condition(c) for c in step.where)
    }


def _condition(condition: Condition) -> str:
    said = f"‘{condition.column}’ {OPERATORS.get(str(condition.operator), condition.operator)}"
    value = condition.value
    if value is None:
        return said
    if isinstance(value, tuple):
        return f"{said} {_names(value)}"
    return f"{said} ‘{value}’"


def described(recipe: list[dict[str, Any]], title_lines: list[str] | None = None) -> list[str]:
    """Each stored step as a sentence (a step that cannot be read says so)."""
    try:
        steps = analytics.recipe_from_json(recipe)
    except analytics.RecipeError:
        return [_("This recipe cannot be read; replace it.")]
    return [describe(step, title_lines) for step in steps]


KINDS_OF_VALUE = {
    "number": gettext_lazy("numbers"),
    "text": gettext_lazy("text"),
    "date": gettext_lazy("dates"),
    "timestamp": gettext_lazy("dates and times"),
    "boolean": gettext_lazy("yes or no"),
}


def problem_sentence(problem: dict[str, Any] | SpecProblem, steps: list[Any]) -> str:
    """A recipe's problem in the reader's language; in a recipe of several steps it says
    which step."""
    key, params, message = (
        (problem["key"], problem["params"], problem["message"])
        if isinstance(problem, dict)
        else (problem.key, problem.params, problem.message)
    )
    said = dict(params)
    for name in ("available", "columns"):
        if isinstance(said.get(name), list):
            said[name] = _names(said[name])
    if "kind" in said:
        said["kind"] = KINDS_OF_VALUE.get(str(said["kind"]), str(said["kind"]))
    text = explain(key, said, message)
    number = params.get("step")
    if len(steps) > 1 and number:
        return _("Step %(number)s: %(problem)s") % {"number": number, "problem": text}
    return text


def recipe_report(report: dict[str, Any], steps: list[Any]) -> list[str]:
    """What the dataset's recipe made of an upload (its report's ``recipe``), as sentences:
    none without a recipe."""
    said = report.get("recipe") or {}
    if not said:
        return []
    problems = said.get("problems") or []
    if not problems:
        return [
            ngettext(
                "The dataset's recipe (%(count)s step) shaped this version.",
                "The dataset's recipe (%(count)s steps) shaped this version.",
                said.get("steps", 0),
            )
            % {"count": said.get("steps", 0)}
        ]
    return [
        _("The dataset's recipe cannot shape this version, so its indicators cannot be computed:"),
        *(problem_sentence(problem, steps) for problem in problems),
    ]
