"""Forms of the design page: thin adapters that build the design's schemas."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from infuse.adaption.design.schemas import DesignIn, HistoryPlanIn
from infuse.core.forms import SchemaForm, TypedNumberField, choice_field


class DesignForm(SchemaForm):
    """The design page's inputs; the calculation checks which ones each question needs."""

    schema = DesignIn

    outcome = forms.ChoiceField(
        label=_("The primary outcome is"),
        choices=[
            ("continuous", _("a measurement (a mean)")),
            ("binary", _("yes or no (a proportion)")),
        ],
        widget=forms.RadioSelect,
        initial="continuous",
    )
    solve_for = forms.ChoiceField(
        label=_("Work out"),
        choices=[
            ("size", _("the size needed")),
            ("effect", _("the smallest effect it can detect")),
            ("power", _("the power of a given size")),
        ],
        widget=forms.RadioSelect,
        initial="size",
    )
    alpha = TypedNumberField(label=_("Significance level (two-sided)"), initial=0.05, percent=True)
    power = TypedNumberField(label=_("Power"), required=False, initial=0.8, percent=True)
    effect = TypedNumberField(label=_("Effect to detect (difference in means)"), required=False)
    sd = TypedNumberField(label=_("Standard deviation of the outcome"), required=False)
    p_control = TypedNumberField(
        label=_("Proportion without the intervention"), required=False, percent=True
    )
    p_treatment = TypedNumberField(
        label=_("Proportion with the intervention"), required=False, percent=True
    )
    size = TypedNumberField(label=_("Size"), required=False)
    cluster_size = TypedNumberField(label=_("People per council"), required=False)
    icc = TypedNumberField(
        percent=True,
        label=_("Intracluster correlation"),
        required=False,
        help_text=_(
            "How alike people in one council are; 0.01 to 0.05 is common for health outcomes."
        ),
    )
    n_steps = forms.IntegerField(label=_("Number of steps"), required=False, min_value=1)

    def __init__(self, *args: Any, size_label: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["size"].label = size_label


class QuasiDesignForm(SchemaForm):
    """Planning a quasi-experiment from the primary outcome's past values."""

    schema = HistoryPlanIn
    optional_fields = frozenset({"effects"})

    council_column = forms.ChoiceField(label=_("Column naming the council"), required=False)
    period_column = forms.ChoiceField(label=_("Column with the period"), required=False)
    post_periods = forms.IntegerField(
        label=_("Periods the analysis will use after the intervention starts"),
        min_value=1,
        max_value=240,
        initial=4,
    )
    effects = forms.CharField(
        label=_("Effects to try"),
        required=False,
        help_text=_(
            "In the outcome's own units, separated by commas, for example 0.5, 1, 2. Leave "
            "empty to try multiples of how much the outcome varies by itself."
        ),
    )
    alpha = TypedNumberField(label=_("Significance level (two-sided)"), initial=0.05, percent=True)
    power = TypedNumberField(label=_("Power sought"), initial=0.8, percent=True)

    def __init__(self, *args: Any, columns: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("Choose a column")), *((c, c) for c in columns or [])]
        for name in ("council_column", "period_column"):
            choice_field(self, name).choices = choices
        if columns is None:  # an indicator: its values are already by council and period
            del self.fields["council_column"]
            del self.fields["period_column"]

    def clean_effects(self) -> list[float]:
        text = str(self.cleaned_data.get("effects") or "")
        values = []
        for part in text.replace(";", ",").split(","):
            if part.strip():
                try:
                    values.append(float(part.strip()))
                except ValueError:
                    raise forms.ValidationError(
                        _("‘%(value)s’ is not a number: give the effects as numbers with commas"),
                        params={"value": part.strip()},
                    ) from None
        return values

    @staticmethod
    def initial_from(value: Any) -> dict[str, Any]:
        """The plan's stored inputs, the effects written as people type them."""
        stored = HistoryPlanIn.model_validate(value).model_dump()
        return {**stored, "effects": ", ".join(f"{e:g}" for e in stored["effects"])}
