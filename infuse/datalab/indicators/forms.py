"""Forms of the indicator pages: an indicator in words a council officer uses, and a flag."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from infuse.core.forms import SchemaForm, bilingual, choice_field
from infuse.core.models import NationalIndicator
from infuse.datalab.catalogue.forms import tag_options
from infuse.datalab.indicators.schemas import FlagIn, IndicatorDetailsIn, IndicatorIn
from infuse.datalab.models import ComparatorGroup, Polarity, Unit, ValueFlag


class TaggedForm(SchemaForm):
    """A form with an indicator's themes and well-being goals, chosen from the reference data."""

    themes = forms.MultipleChoiceField(
        label=_("Themes"), required=False, widget=forms.CheckboxSelectMultiple
    )
    goals = forms.MultipleChoiceField(
        label=_("Well-being goals"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "themes").choices = tag_options("themes")
        choice_field(self, "goals").choices = tag_options("goals")


class ColumnsField(forms.MultipleChoiceField):
    """Columns ticked; an empty value (a form sent by hand with ``column=``) is none."""

    widget = forms.CheckboxSelectMultiple

    def to_python(self, value: Any) -> list[str]:
        return [column for column in super().to_python(value) if column]


OPERATOR_CHOICES = [
    ("=", _("equal to")),
    ("!=", _("not equal to")),
    ("<", _("less than")),
    ("<=", _("at most")),
    (">", _("more than")),
    (">=", _("at least")),
    ("in", _("one of (separate with commas)")),
    ("is not null", _("not empty")),
    ("is null", _("empty")),
]
#: The conditions of the form: over all rows, and over the numerator's or denominator's only.
CONDITIONS = ("filter", "numerator_where", "denominator_where")


def condition_fields(label: Any) -> tuple[forms.Field, forms.Field, forms.Field]:
    """A column, an operator and a value: one condition on the rows, optional."""
    return (
        forms.ChoiceField(
            label=label, required=False, help_text=_("Optional: leave empty to use every row.")
        ),
        forms.ChoiceField(label=_("is"), required=False, choices=OPERATOR_CHOICES),
        forms.CharField(label=_("Value"), required=False, max_length=500),
    )


class IndicatorForm(TaggedForm):
    """An indicator over the latest version's columns; it builds the analytics specification."""

    schema = IndicatorIn

    title_en, title_cy = bilingual(_("Title"), max_length=200)
    aggregation = forms.ChoiceField(
        label=_("Numerator"),
        choices=[
            ("count", _("Count the rows")),
            ("sum", _("Add up one or more columns")),
            ("count_distinct", _("Count different values of a column")),
        ],
    )
    numerator_column = ColumnsField(
        label=_("Columns for the numerator"),
        required=False,
        help_text=_(
            "Tick the columns to add up (each row counts the sum of those it has), or the one "
            "column whose different values are counted. None when counting rows."
        ),
    )
    denominator_column = ColumnsField(
        label=_("Denominator: add up these columns"),
        required=False,
        help_text=_("Leave them all unticked for a count."),
    )
    filter_column, filter_operator, filter_value = condition_fields(
        _("Only rows where this column")
    )
    numerator_where_column, numerator_where_operator, numerator_where_value = condition_fields(
        _("Numerator: only count rows where this column")
    )
    denominator_where_column, denominator_where_operator, denominator_where_value = (
        condition_fields(_("Denominator: only count rows where this column"))
    )
    council_column = forms.ChoiceField(label=_("Column that names the council"))
    period_column = forms.ChoiceField(label=_("Column with the date or period"))
    grain = forms.ChoiceField(
        label=_("Periods"),
        choices=[
            ("financial_year", _("Financial years (April to March)")),
            ("year", _("Calendar years")),
            ("quarter", _("Quarters")),
            ("month", _("Months")),
            ("as_recorded", _("As written in the data")),
        ],
    )
    unit = forms.ChoiceField(label=_("Unit"), choices=Unit.choices)
    polarity = forms.ChoiceField(
        label=_("Which direction is better"), choices=Polarity.choices, widget=forms.RadioSelect
    )
    benchmark_kind = forms.ChoiceField(
        label=_("Compare each council with"),
        choices=[
            ("region", _("The Cardiff Capital Region (its ten councils' rows together)")),
            ("area", _("An area the data has rows for, such as Wales")),
            ("value", _("A fixed value, such as a national target")),
            ("group", _("A saved group of councils")),
        ],
        initial="region",
        required=False,  # none chosen is the region
        widget=forms.RadioSelect,
    )
    benchmark_area = forms.CharField(
        label=_("The area, as the data names it"),
        required=False,
        max_length=200,
        help_text=_("For example: Wales. Only when comparing with an area."),
    )
    benchmark_value = forms.CharField(
        label=_("The value"),
        required=False,
        max_length=30,
        help_text=_("In the indicator's unit, for example 7.5. Only when comparing with a value."),
    )
    benchmark_group = forms.ChoiceField(label=_("The group"), required=False)

    def __init__(
        self, *args: Any, columns: list[str], types: dict[str, str] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.types = types or {}
        options = [(c, c) for c in columns]
        for prefix in CONDITIONS:
            choice_field(self, f"{prefix}_column").choices = [("", _("None")), *options]
        choice_field(self, "numerator_column").choices = options
        # A denominator is added up: only columns of numbers (Table Schema's types) make sense.
        numbers = [(c, c) for c in columns if self.types.get(c) in (None, "number", "integer")]
        choice_field(self, "denominator_column").choices = numbers
        choice_field(self, "council_column").choices = options
        choice_field(self, "period_column").choices = options
        choice_field(self, "benchmark_group").choices = [
            ("", _("None")),
            *((g.slug, g.name) for g in ComparatorGroup.objects.order_by("name_en")),
        ]

    def schema_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        numerator: dict[str, Any] = {
            "aggregation": data["aggregation"],
            "column": _one_or_many(data.get("numerator_column", [])),
            "where": self._conditions("numerator_where"),
        }
        denominator = (
            {
                "kind": "measure",
                "aggregation": "sum",
                "column": _one_or_many(data["denominator_column"]),
                "where": self._conditions("denominator_where"),
            }
            if data.get("denominator_column")
            else None
        )
        return {
            "title_en": data.get("title_en", ""),
            "title_cy": data.get("title_cy", ""),
            "specification": {
                "numerator": numerator,
                "denominator": denominator,
                "council_column": data["council_column"],
                "period": {"column": data["period_column"], "grain": data["grain"]},
                "filters": self._conditions("filter"),
                "unit": data["unit"],
                "polarity": data["polarity"],
            },
            "benchmark": self._benchmark(),
            "themes": list(data.get("themes", [])),
            "goals": list(data.get("goals", [])),
        }

    def _benchmark(self) -> dict[str, Any]:
        """The chosen benchmark with the one detail its kind needs (the service checks it)."""
        data = self.cleaned_data
        kind = data.get("benchmark_kind") or "region"
        detail = {"area": "benchmark_area", "value": "benchmark_value", "group": "benchmark_group"}
        if kind not in detail:
            return {"kind": "region"}
        return {"kind": kind, kind: (data.get(detail[kind]) or "").strip()}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for prefix in CONDITIONS:
            column, value = data.get(f"{prefix}_column"), data.get(f"{prefix}_value")
            operator = data.get(f"{prefix}_operator") or "="
            if column and "null" not in operator and not value:
                self.add_error(f"{prefix}_value", _("Enter the value to compare the column with"))
            if column and value:
                try:
                    self._typed(column, value, operator)
                except ValueError:
                    self.add_error(f"{prefix}_value", _("Enter a number: the column holds numbers"))
        return data

    def _typed(self, column: str, text: str, operator: str) -> Any:
        """The value as the column's type (numbers for number columns; text otherwise)."""
        kind = self.types.get(column, "string")
        convert: Any = {"integer": int, "number": float}.get(kind, str)
        if operator == "in":
            return [convert(part.strip()) for part in text.split(",") if part.strip()]
        return convert(text.strip())

    def _conditions(self, prefix: str) -> list[dict[str, Any]]:
        """The condition of ``prefix`` (none when no column is chosen)."""
        data = self.cleaned_data
        column = data.get(f"{prefix}_column")
        if not column:
            return []
        operator = data.get(f"{prefix}_operator") or "="
        text = data.get(f"{prefix}_value") or ""
        value = None if "null" in operator else self._typed(column, text, operator)
        return [{"column": column, "operator": operator, "value": value}]


class IndicatorDetailsForm(TaggedForm):
    """What people read about an indicator; the computation is not changed here."""

    schema = IndicatorDetailsIn
    optional_fields = frozenset({"source_url"})

    title_en, title_cy = bilingual(_("Title"), max_length=200)
    description_en, description_cy = bilingual(
        _("Definition"), textarea=True, help_text=_("What the indicator measures, in a sentence.")
    )
    rationale_en, rationale_cy = bilingual(
        _("Why it matters"),
        textarea=True,
        help_text=_("Why the region tracks it, and what a change in it would mean."),
    )
    caveats_en, caveats_cy = bilingual(
        _("Things to be careful of"),
        textarea=True,
        help_text=_("For example: a change of definition, a year of incomplete data."),
    )
    source_en, source_cy = bilingual(
        _("Source"),
        max_length=300,
        help_text=_("Who produces the data, for example: StatsWales, table PROV0101."),
    )
    source_url = forms.CharField(label=_("Source's web address"), required=False, max_length=500)
    national_indicators = forms.TypedMultipleChoiceField(
        label=_("National indicators for Wales it measures locally"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "national_indicators").choices = [
            (n.number, f"{n.number}. {n.name}") for n in NationalIndicator.objects.all()
        ]


class ValueFlagForm(SchemaForm):
    schema = FlagIn

    flag = forms.ChoiceField(
        label=_("Flag"),
        choices=ValueFlag.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text=_("The flag is shown beside the value wherever it is published."),
    )


def _one_or_many(columns: list[str]) -> str | list[str] | None:
    """A measure's ``column``: none, one name, or the names to add up."""
    if not columns:
        return None
    return columns[0] if len(columns) == 1 else list(columns)
