"""Forms of the Data Lab pages: they parse input; services decide and change."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from infuse.core.forms import ServiceForm, choice_field
from infuse.core.models import Council, Organisation, Theme, WellbeingGoal
from infuse.core.permissions import data_organisations
from infuse.datalab.models import (
    Licence,
    Polarity,
    Unit,
    UpdateFrequency,
    ValidationPolicy,
    ValueFlag,
    Visibility,
)
from infuse.datalab.services import DatasetFields, IndicatorFields


class DatasetForm(ServiceForm):
    title_en = forms.CharField(label=_("Title in English"), max_length=200, required=False)
    title_cy = forms.CharField(label=_("Title in Welsh"), max_length=200, required=False)
    description_en = forms.CharField(
        label=_("Description in English"),
        required=False,
        widget=forms.Textarea,
        help_text=_("What the data records, where it comes from, and what to watch out for."),
    )
    description_cy = forms.CharField(
        label=_("Description in Welsh"), required=False, widget=forms.Textarea
    )
    publisher = forms.ChoiceField(label=_("Publisher"))
    visibility = forms.ChoiceField(
        label=_("Who can see it"),
        choices=Visibility.choices,
        initial=Visibility.PRIVATE,
        widget=forms.RadioSelect,
    )
    licence = forms.ChoiceField(
        label=_("Licence"), choices=Licence.choices, initial=Licence.OGL_3, widget=forms.RadioSelect
    )
    update_frequency = forms.ChoiceField(
        label=_("How often it is updated"),
        choices=UpdateFrequency.choices,
        initial=UpdateFrequency.IRREGULAR,
    )
    validation_policy = forms.ChoiceField(
        label=_("When an upload has invalid rows"),
        choices=ValidationPolicy.choices,
        initial=ValidationPolicy.REJECT,
        widget=forms.RadioSelect,
    )
    themes = forms.MultipleChoiceField(
        label=_("Themes"), required=False, widget=forms.CheckboxSelectMultiple
    )
    goals = forms.MultipleChoiceField(
        label=_("Well-being goals"), required=False, widget=forms.CheckboxSelectMultiple
    )
    councils = forms.MultipleChoiceField(
        label=_("Councils covered"), required=False, widget=forms.CheckboxSelectMultiple
    )
    spatial_coverage = forms.CharField(
        label=_("Area covered"),
        max_length=200,
        required=False,
        help_text=_("For example: Cardiff Capital Region"),
    )
    temporal_start = forms.DateField(
        label=_("Covers from"),
        required=False,
        help_text=_("For example, 2023-04-01"),
        error_messages={"invalid": _("Enter the date as year-month-day, for example 2023-04-01")},
    )
    temporal_end = forms.DateField(
        label=_("Covers to"),
        required=False,
        help_text=_("For example, 2024-03-31"),
        error_messages={"invalid": _("Enter the date as year-month-day, for example 2024-03-31")},
    )
    contact_email = forms.EmailField(
        label=_("Contact email"),
        required=False,
        error_messages={"invalid": _("Enter an email address like name@example.org")},
    )

    def __init__(self, *args: Any, person: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        publishers = Organisation.objects.filter(pk__in=data_organisations(person))
        choice_field(self, "publisher").choices = [(o.slug, o.name) for o in publishers]
        choice_field(self, "themes").choices = [(t.code, t.name) for t in Theme.objects.all()]
        choice_field(self, "goals").choices = [
            (g.code, g.name) for g in WellbeingGoal.objects.all()
        ]
        choice_field(self, "councils").choices = [
            (c.gss_code, c.name) for c in Council.objects.all()
        ]

    def to_fields(self) -> DatasetFields:
        data = self.cleaned_data
        publisher = Organisation.objects.filter(slug=data.get("publisher")).first()
        return DatasetFields(
            title_en=data.get("title_en", ""),
            title_cy=data.get("title_cy", ""),
            description_en=data.get("description_en", ""),
            description_cy=data.get("description_cy", ""),
            publisher=publisher,  # type: ignore[arg-type]  # checked by the service
            themes=list(data.get("themes", [])),
            goals=list(data.get("goals", [])),
            councils=list(data.get("councils", [])),
            licence=data.get("licence", ""),
            update_frequency=data.get("update_frequency", ""),
            spatial_coverage=data.get("spatial_coverage", ""),
            temporal_start=data.get("temporal_start"),
            temporal_end=data.get("temporal_end"),
            contact_email=data.get("contact_email", ""),
            visibility=data.get("visibility", ""),
            validation_policy=data.get("validation_policy", ""),
        )


class CatalogueSearchForm(forms.Form):
    q = forms.CharField(label=_("Search datasets"), required=False, max_length=200)
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    goal = forms.ChoiceField(label=_("Well-being goal"), required=False)
    council = forms.ChoiceField(label=_("Council"), required=False)
    file_format = forms.ChoiceField(label=_("Format"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        anything = [("", _("Any"))]
        choice_field(self, "theme").choices = anything + [
            (t.code, t.name) for t in Theme.objects.all()
        ]
        choice_field(self, "goal").choices = anything + [
            (g.code, g.name) for g in WellbeingGoal.objects.all()
        ]
        choice_field(self, "council").choices = anything + [
            (c.gss_code, c.name) for c in Council.objects.all()
        ]
        choice_field(self, "file_format").choices = [
            *anything,
            ("csv", "CSV"),
            ("xlsx", "XLSX"),
            ("parquet", "Parquet"),
            ("json", "JSON"),
            ("ndjson", "NDJSON"),
        ]


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Data file"),
        help_text=_(
            "CSV, XLSX, Parquet, JSON or NDJSON. Large files are fine: they are "
            "processed in the background."
        ),
        error_messages={"required": _("Choose a file to upload"), "empty": _("The file is empty")},
    )
    sheet = forms.CharField(
        label=_("Sheet (spreadsheets only)"),
        required=False,
        max_length=100,
        help_text=_("Leave empty to use the first sheet."),
    )
    skip_rows = forms.IntegerField(
        label=_("Lines to skip before the header"),
        required=False,
        min_value=0,
        max_value=1000,
        help_text=_(
            "For example, 4 for a StatsWales export with a title and filters above the table."
        ),
        error_messages={
            "invalid": _("Enter a whole number, for example 0 or 4"),
            "min_value": _("Enter 0 or more"),
            "max_value": _("Enter 1,000 or fewer"),
        },
    )
    header_rows = forms.IntegerField(
        label=_("Header rows"),
        required=False,
        min_value=1,
        max_value=5,
        initial=1,
        help_text=_("How many rows make up the column names (usually 1)."),
        error_messages={
            "invalid": _("Enter a whole number from 1 to 5"),
            "min_value": _("Enter a whole number from 1 to 5"),
            "max_value": _("Enter a whole number from 1 to 5"),
        },
    )

    def read_options(self) -> dict[str, Any]:
        data = self.cleaned_data
        options: dict[str, Any] = {}
        if data.get("sheet"):
            options["sheet"] = data["sheet"].strip()
        if data.get("skip_rows"):
            options["skip_rows"] = data["skip_rows"]
        if data.get("header_rows") and data["header_rows"] != 1:
            options["header_rows"] = data["header_rows"]
        return options


class IndicatorForm(forms.Form):
    """An indicator over the latest version's columns, in words a council officer uses."""

    title_en = forms.CharField(label=_("Title in English"), max_length=200, required=False)
    title_cy = forms.CharField(label=_("Title in Welsh"), max_length=200, required=False)
    aggregation = forms.ChoiceField(
        label=_("Numerator"),
        choices=[
            ("count", _("Count the rows")),
            ("sum", _("Add up a column")),
            ("count_distinct", _("Count different values of a column")),
        ],
    )
    numerator_column = forms.ChoiceField(label=_("Column for the numerator"), required=False)
    denominator_column = forms.ChoiceField(
        label=_("Denominator: add up this column"),
        required=False,
        help_text=_("Leave empty for a count."),
    )
    filter_column = forms.ChoiceField(
        label=_("Only rows where this column"),
        required=False,
        help_text=_("Optional: leave empty to use every row."),
    )
    filter_operator = forms.ChoiceField(
        label=_("is"),
        required=False,
        choices=[
            ("=", _("equal to")),
            ("!=", _("not equal to")),
            ("<", _("less than")),
            ("<=", _("at most")),
            (">", _("more than")),
            (">=", _("at least")),
            ("in", _("one of (separate with commas)")),
            ("is not null", _("not empty")),
            ("is null", _("empty")),
        ],
    )
    filter_value = forms.CharField(label=_("Value"), required=False, max_length=500)
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
    themes = forms.MultipleChoiceField(
        label=_("Themes"), required=False, widget=forms.CheckboxSelectMultiple
    )
    goals = forms.MultipleChoiceField(
        label=_("Well-being goals"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(
        self, *args: Any, columns: list[str], types: dict[str, str] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.types = types or {}
        options = [(c, c) for c in columns]
        choice_field(self, "filter_column").choices = [("", _("None")), *options]
        choice_field(self, "numerator_column").choices = [("", _("None")), *options]
        choice_field(self, "denominator_column").choices = [("", _("None")), *options]
        choice_field(self, "council_column").choices = options
        choice_field(self, "period_column").choices = options
        choice_field(self, "themes").choices = [(t.code, t.name) for t in Theme.objects.all()]
        choice_field(self, "goals").choices = [
            (g.code, g.name) for g in WellbeingGoal.objects.all()
        ]

    def to_fields(self) -> IndicatorFields:
        data = self.cleaned_data
        numerator: dict[str, Any] = {
            "aggregation": data["aggregation"],
            "column": data.get("numerator_column") or None,
        }
        denominator = (
            {"kind": "measure", "aggregation": "sum", "column": data["denominator_column"]}
            if data.get("denominator_column")
            else None
        )
        return IndicatorFields(
            title_en=data.get("title_en", ""),
            title_cy=data.get("title_cy", ""),
            specification={
                "numerator": numerator,
                "denominator": denominator,
                "council_column": data["council_column"],
                "period": {"column": data["period_column"], "grain": data["grain"]},
                "filters": self._filters(),
                "unit": data["unit"],
                "polarity": data["polarity"],
            },
            themes=list(data.get("themes", [])),
            goals=list(data.get("goals", [])),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        operator = data.get("filter_operator") or "="
        if data.get("filter_column") and "null" not in operator and not data.get("filter_value"):
            self.add_error("filter_value", _("Enter the value to compare the column with"))
        if data.get("filter_column") and data.get("filter_value"):
            try:
                self._typed(data["filter_column"], data["filter_value"], operator)
            except ValueError:
                self.add_error("filter_value", _("Enter a number: the column holds numbers"))
        return data

    def _typed(self, column: str, text: str, operator: str) -> Any:
        """The value as the column's type (numbers for number columns; text otherwise)."""
        kind = self.types.get(column, "string")
        convert: Any = {"integer": int, "number": float}.get(kind, str)
        if operator == "in":
            return [convert(part.strip()) for part in text.split(",") if part.strip()]
        return convert(text.strip())

    def _filters(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        column = data.get("filter_column")
        if not column:
            return []
        operator = data.get("filter_operator") or "="
        value = None if "null" in operator else self._typed(column, data["filter_value"], operator)
        return [{"column": column, "operator": operator, "value": value}]


class ValueFlagForm(forms.Form):
    flag = forms.ChoiceField(
        label=_("Flag"),
        choices=ValueFlag.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text=_("The flag is shown beside the value wherever it is published."),
    )
