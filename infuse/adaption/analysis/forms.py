"""The outcome data page's form: a thin adapter that builds the analysis's schema."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from infuse.adaption.analysis.schemas import AttachIn
from infuse.core.forms import SchemaForm, choice_field


def _names(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


class AttachDataForm(SchemaForm):
    """Which dataset holds the outcomes, and which of its columns hold what."""

    schema = AttachIn

    dataset = forms.ChoiceField(label=_("Dataset with the outcome data"))
    outcome = forms.CharField(
        label=_("Column of the primary outcome"), max_length=200, required=False
    )
    unit = forms.CharField(
        label=_("Column of unit identifiers"),
        max_length=200,
        required=False,
        help_text=_("Individual designs: matched to the allocation. Or give the arm column."),
    )
    arm = forms.CharField(
        label=_("Column of the arm (treatment or control)"), max_length=200, required=False
    )
    cluster = forms.CharField(
        label=_("Column that names the council"),
        max_length=200,
        required=False,
        help_text=_("GSS codes or English or Welsh names."),
    )
    period = forms.CharField(label=_("Column of the period"), max_length=200, required=False)
    start = forms.CharField(
        label=_("First period of the intervention"),
        max_length=50,
        required=False,
        help_text=_(
            "A number, as in the period column: the first period the councils were treated."
        ),
    )
    secondary = forms.CharField(
        label=_("Columns of secondary outcomes (separate with commas)"),
        max_length=1000,
        required=False,
    )
    covariates = forms.CharField(
        label=_("Columns of covariates (separate with commas)"), max_length=1000, required=False
    )

    def __init__(self, *args: Any, datasets: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "dataset").choices = datasets

    def schema_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            **data,
            "secondary": _names(data.get("secondary")),
            "covariates": _names(data.get("covariates")),
        }
