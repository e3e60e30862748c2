"""Forms of the recipe pages: which kind of step, then that step's few fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from infuse.core.forms import SchemaForm, ServiceForm, choice_field
from infuse.datalab.catalogue.recipe_words import OPERATORS
from infuse.datalab.indicators.forms import ColumnsField
from infuse.datalab.recipes.schemas import StepIn
from infuse.datalab.recipes.shaping import most_detailed_first

#: The kinds of step a person chooses from, in the order offered.
KINDS = {
    "first_filled": _("Make one area column from a hierarchy written across columns"),
    "constant": _("Add a column holding one value, such as the year in the file's title"),
    "sum": _("Add up columns into a new column"),
    "difference": _("Take one column from another into a new column"),
    "rename": _("Rename a column"),
    "unpivot": _("Turn measure columns into rows (long form)"),
    "filter": _("Keep only some rows"),
}


class StepKindForm(ServiceForm):
    kind = forms.ChoiceField(
        label=_("What should the step do?"), choices=list(KINDS.items()), widget=forms.RadioSelect
    )


def _name(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=100,
        help_text=_("Short, without spaces is easiest to use, for example: council"),
    )


class StepForm(SchemaForm):
    """One step of ``kind`` over the latest version's shaped columns (``columns``)."""

    schema = StepIn

    def __init__(
        self,
        *args: Any,
        kind: str,
        columns: list[str],
        distinct: dict[str, int] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.columns = columns
        self.distinct = distinct or {}  # different values per column, where the profile has it
        options = [(c, c) for c in columns]
        built = getattr(self, f"_{kind}_fields")()
        for name, field in built.items():
            self.fields[name] = field
            if isinstance(field, forms.ChoiceField) and not field.choices:
                choice_field(self, name).choices = options

    @staticmethod
    def _first_filled_fields() -> dict[str, forms.Field]:
        return {
            "first_filled_columns": ColumnsField(
                label=_("Columns of the hierarchy"),
                help_text=_(
                    "Tick every level (country, health board, council). Each row takes the "
                    "most detailed level it has a value for."
                ),
            ),
            "first_filled_name": _name(_("Name of the new column")),
        }

    @staticmethod
    def _constant_fields() -> dict[str, forms.Field]:
        return {
            "constant_name": _name(_("Name of the new column")),
            "constant_title": forms.CharField(
                label=_("Take the value from the line of the file's title that starts with"),
                required=False,
                max_length=100,
                help_text=_(
                    "For example: Year (for a line ‘Year: 2023’). Each new version takes its "
                    "own. Leave empty to give the value below."
                ),
            ),
            "constant_value": forms.CharField(
                label=_("Or this value on every row"), required=False, max_length=200
            ),
        }

    @staticmethod
    def _sum_fields() -> dict[str, forms.Field]:
        return {
            "sum_columns": ColumnsField(
                label=_("Columns to add up"),
                help_text=_("A missing value is left out; a row with none has none."),
            ),
            "sum_name": _name(_("Name of the new column")),
        }

    @staticmethod
    def _difference_fields() -> dict[str, forms.Field]:
        return {
            "difference_first": forms.ChoiceField(label=_("Start from")),
            "difference_second": forms.ChoiceField(label=_("Take away")),
            "difference_name": _name(_("Name of the new column")),
        }

    @staticmethod
    def _rename_fields() -> dict[str, forms.Field]:
        return {
            "rename_column": forms.ChoiceField(label=_("Column")),
            "rename_to": _name(_("New name")),
        }

    @staticmethod
    def _unpivot_fields() -> dict[str, forms.Field]:
        return {
            "unpivot_columns": ColumnsField(
                label=_("Measure columns to turn into rows"),
                help_text=_("Each row becomes one row per column ticked."),
            ),
            "unpivot_names": _name(_("Name of the column that says which measure")),
            "unpivot_values": _name(_("Name of the column of values")),
        }

    @staticmethod
    def _filter_fields() -> dict[str, forms.Field]:
        return {
            "filter_column": forms.ChoiceField(label=_("Keep the rows where the column")),
            "filter_operator": forms.ChoiceField(
                label=_("Condition"),
                choices=[(k, v) for k, v in OPERATORS.items() if k != "between"],
            ),
            "filter_value": forms.CharField(
                label=_("Value"),
                required=False,
                max_length=500,
                help_text=_("For ‘is one of’, separate the values with commas."),
            ),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.kind == "constant" and not (
            data.get("constant_title") or data.get("constant_value")
        ):
            self.add_error(
                "constant_title",
                _("Enter the start of a line of the title, or a value for every row"),
            )
        if self.kind == "filter":
            operator = data.get("filter_operator") or "="
            if "null" not in operator and not (data.get("filter_value") or "").strip():
                self.add_error("filter_value", _("Enter the value to compare the column with"))
        return data

    def schema_data(self) -> dict[str, Any]:
        return {"step": self.step()}

    def step(self) -> dict[str, Any]:
        """The step as the recipe keeps it (the analytics layer's JSON form)."""
        data = self.cleaned_data
        kind = self.kind
        if kind in ("sum", "first_filled"):
            of = list(data[f"{kind}_columns"])
            if kind == "first_filled":
                of = most_detailed_first(of, self.columns, self.distinct)
            return {
                "step": "derive",
                "column": data[f"{kind}_name"].strip(),
                "operation": kind,
                "of": of,
            }
        if kind == "difference":
            return {
                "step": "derive",
                "column": data["difference_name"].strip(),
                "operation": "difference",
                "of": [data["difference_first"], data["difference_second"]],
            }
        if kind == "constant":
            title = (data.get("constant_title") or "").strip().rstrip(":").strip()
            given = {"from_title": title} if title else {"value": data["constant_value"].strip()}
            return {"step": "constant", "column": data["constant_name"].strip(), **given}
        if kind == "rename":
            return {"step": "rename", "names": {data["rename_column"]: data["rename_to"].strip()}}
        if kind == "unpivot":
            return {
                "step": "unpivot",
                "columns": list(data["unpivot_columns"]),
                "names_to": data["unpivot_names"].strip(),
                "values_to": data["unpivot_values"].strip(),
            }
        operator = data["filter_operator"]
        text = (data.get("filter_value") or "").strip()
        value: Any = None
        if "in" in operator.split():
            value = [part.strip() for part in text.split(",") if part.strip()]
        elif "null" not in operator:
            value = text
        return {
            "step": "filter",
            "where": [{"column": data["filter_column"], "operator": operator, "value": value}],
        }
