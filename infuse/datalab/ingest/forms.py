"""Forms of the ingest's pages: an upload, and the declared schema (rules per column in plain
words, or a Table Schema as JSON).

On the schema page an officer sees one block per column of the latest version (or of the schema
already declared), with its type and the checks a Frictionless Table Schema can express; the
forms turn the answers into that schema (``SchemaIn``), which the service checks again before
storing it.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from infuse.core.forms import SchemaForm, choice_field
from infuse.datalab.ingest.schemas import SchemaIn, UploadIn

TYPES = [
    ("any", _("Anything")),
    ("string", _("Text")),
    ("integer", _("Whole number")),
    ("number", _("Number")),
    ("date", _("Date")),
    ("datetime", _("Date and time")),
    ("year", _("Year")),
    ("boolean", _("True or false")),
]
NUMERIC = {"integer", "number", "year"}


class ReadingForm(SchemaForm):
    """How to read a file (``UploadIn``): the lines above its table and its header rows."""

    schema = UploadIn

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
            "Leave empty to have them found: lines above the table (a StatsWales export's title "
            "and filters) are skipped, and the upload's report says how many. Enter 0 to read "
            "the first line as the header."
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

    def schema_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "sheet": data.get("sheet") or "",
            "skip_rows": data.get("skip_rows"),
            "header_rows": data.get("header_rows") or 1,
        }


class UploadForm(ReadingForm):
    """A data file, and how to read it; the file travels beside the schema."""

    file = forms.FileField(
        label=_("Data file"),
        help_text=_(
            "CSV, XLSX, Parquet, JSON or NDJSON. Large files are fine: they are "
            "processed in the background."
        ),
        error_messages={"required": _("Choose a file to upload"), "empty": _("The file is empty")},
    )
    field_order = ["file", "sheet", "skip_rows", "header_rows"]


class ColumnRulesForm(forms.Form):
    """The rules for one column (the column's name is carried, not edited)."""

    name = forms.CharField(widget=forms.HiddenInput)
    type = forms.ChoiceField(label=_("Type"), choices=TYPES)
    required = forms.BooleanField(label=_("Every row needs a value"), required=False)
    unique = forms.BooleanField(label=_("No value appears twice"), required=False)
    council = forms.BooleanField(
        label=_("Names one of the ten councils (GSS code, English or Welsh name)"),
        required=False,
    )
    minimum = forms.CharField(label=_("Smallest allowed"), required=False, max_length=50)
    maximum = forms.CharField(label=_("Largest allowed"), required=False, max_length=50)
    allowed = forms.CharField(
        label=_("Allowed values, one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    pattern = forms.CharField(
        label=_("Pattern the values follow (a regular expression)"),
        required=False,
        max_length=500,
    )

    def has_more_rules(self) -> bool:
        """Whether the ranges / allowed values / pattern section should start open."""
        values = [self[name].value() for name in ("minimum", "maximum", "allowed", "pattern")]
        return bool(self.errors) or any(v not in (None, "") for v in values)

    def _bound(self, kind: str, text: str) -> Any:
        if kind in NUMERIC:
            number = float(text)
            return int(number) if kind != "number" and number.is_integer() else number
        return text

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("type", "any")
        for field in ("minimum", "maximum"):
            text = (data.get(field) or "").strip()
            if not text:
                continue
            try:
                data[field] = self._bound(kind, text)
            except ValueError:
                self.add_error(field, _("Enter a number: the column holds numbers"))
        low: Any = data.get("minimum")
        high: Any = data.get("maximum")
        comparable = low not in (None, "") and high not in (None, "") and type(low) is type(high)
        if comparable and low > high:
            self.add_error("maximum", _("The largest allowed must not be below the smallest"))
        if data.get("pattern"):
            try:
                re.compile(data["pattern"])
            except re.error:
                self.add_error("pattern", _("The pattern is not a valid regular expression"))
        return data

    def field_spec(self) -> dict[str, Any]:
        data = self.cleaned_data
        constraints: dict[str, Any] = {}
        if data.get("required"):
            constraints["required"] = True
        if data.get("unique"):
            constraints["unique"] = True
        for field in ("minimum", "maximum"):
            if data.get(field) not in (None, ""):
                constraints[field] = data[field]
        allowed = [line.strip() for line in (data.get("allowed") or "").splitlines()]
        if any(allowed):
            constraints["enum"] = [value for value in allowed if value]
        if data.get("pattern"):
            constraints["pattern"] = data["pattern"]
        spec: dict[str, Any] = {"name": data["name"], "type": data.get("type") or "any"}
        if constraints:
            spec["constraints"] = constraints
        if data.get("council"):
            spec["council"] = True
        return spec


ColumnRulesFormSet = formset_factory(ColumnRulesForm, extra=0)


def initial_rules(schema: dict[str, Any] | None, fields: list[dict[str, Any]]) -> list[dict]:
    """One block per column: from the declared schema if any, else from the latest version."""
    rows = []
    for spec in (schema or {}).get("fields") or fields:
        constraints = spec.get("constraints") or {}
        rows.append(
            {
                "name": spec["name"],
                "type": spec.get("type", "any") if schema else _inferred(spec.get("type")),
                "required": bool(constraints.get("required")),
                "unique": bool(constraints.get("unique")),
                "council": bool(spec.get("council")),
                "minimum": constraints.get("minimum", ""),
                "maximum": constraints.get("maximum", ""),
                "allowed": "\n".join(str(v) for v in constraints.get("enum", [])),
                "pattern": constraints.get("pattern", ""),
            }
        )
    return rows


def _inferred(kind: Any) -> str:
    return kind if kind in dict(TYPES) else "any"


def schema_from(formset: Any, primary_key: list[str]) -> dict[str, Any]:
    schema: dict[str, Any] = {"fields": [form.field_spec() for form in formset.forms]}
    if primary_key:
        schema["primaryKey"] = primary_key
    return schema


class SchemaJsonForm(SchemaForm):
    """A whole Table Schema, pasted as JSON."""

    schema = SchemaIn

    schema_json = forms.CharField(
        label=_("Table Schema (JSON)"),
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
        help_text=_('A Frictionless Table Schema, with "council": true on a column of councils.'),
    )

    def clean_schema_json(self) -> Any:
        try:
            return json.loads(self.cleaned_data["schema_json"])
        except ValueError as error:
            raise forms.ValidationError(
                _("This is not valid JSON: %(detail)s"), params={"detail": str(error)}
            ) from error

    def schema_data(self) -> dict[str, Any]:
        return {"schema_": self.cleaned_data["schema_json"]}


class SchemaRulesForm(SchemaForm):
    """The rules of every column (a formset, ``rules``) and the primary key, as one form.

    The column rules' problems count as this form's own (so the page is shown again, status
    400, with each column's messages beside its inputs).
    """

    schema = SchemaIn
    optional_fields = frozenset({"primary_key"})

    primary_key = forms.MultipleChoiceField(
        label=_("Columns that together identify each row"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("No two rows may have the same values in all of them."),
    )

    def __init__(
        self, data: Any = None, *, rows: list[dict[str, Any]], key: list[str], **kwargs: Any
    ) -> None:
        super().__init__(data, initial={"primary_key": key}, **kwargs)
        self.rules = ColumnRulesFormSet(data, initial=rows, prefix="column")
        choice_field(self, "primary_key").choices = [(row["name"], row["name"]) for row in rows]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.rules.is_valid():
            for form in self.rules.forms:
                column = form.initial.get("name", "")
                for errors in form.errors.values():
                    for error in errors:
                        self.add_error(None, f"{column}: {error}")
        return data

    def schema_data(self) -> dict[str, Any]:
        return {"schema_": schema_from(self.rules, self.cleaned_data["primary_key"])}

    def column_errors(self) -> list[dict[str, str]]:
        """Each column's problems for the error summary, linked to their inputs."""
        errors: list[dict[str, str]] = []
        for form in self.rules.forms:
            column = form.initial.get("name", "")
            for name, field_errors in form.errors.items():
                target = form[name].id_for_label if name in form.fields else ""
                errors += [
                    {"href": f"#{target}", "message": f"{column}: {e}"} for e in field_errors
                ]
        return errors
