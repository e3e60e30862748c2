"""Forms of social value: a quantity as people type it, the promises in a bid, and a
supplier's report at a milestone."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from infuse.core.forms import SchemaForm
from infuse.procurement.models import ContractKPI, SocialValueMeasure
from infuse.procurement.social_value.quantities import quantity_of, shown
from infuse.procurement.social_value.schemas import ReportIn


class QuantityField(forms.CharField):
    """A quantity in a measure's unit as people type it ("1,200", "12.5", "£3,000")."""

    def __init__(self, *, unit: str, **kwargs: Any) -> None:
        self.unit = unit
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            return quantity_of(text)
        except ValueError:
            example = (
                "£3,000"
                if self.unit == SocialValueMeasure.Unit.POUNDS
                else gettext("%(whole)s or %(decimal)s") % {"whole": "12", "decimal": "1,200.5"}
            )
            raise forms.ValidationError(
                gettext(
                    "Enter a number of 0 or more, with at most two decimals, for ‘%(label)s’, "
                    "like %(example)s"
                )
                % {"label": self.label, "example": example},
                code="invalid",
            ) from None


def unit_hint(measure: SocialValueMeasure) -> str:
    """The hint under a quantity: how it is counted, and in what."""
    unit = gettext("In %(unit)s.") % {"unit": measure.get_unit_display()}
    return f"{measure.description} {unit}".strip()


def commitment_fields(form: forms.Form, measures: list[SocialValueMeasure]) -> None:
    """A bid form's optional quantity per measure it may promise (``sv_<code>``)."""
    names = {f"sv_{measure.code}" for measure in measures}
    # Each promise may be left empty: its label says "(optional)".
    form.optional_fields = frozenset(getattr(form, "optional_fields", frozenset()) | names)  # type: ignore[attr-defined]
    for measure in measures:
        form.fields[f"sv_{measure.code}"] = QuantityField(
            unit=measure.unit, label=measure.title, required=False, help_text=unit_hint(measure)
        )


class ReportForm(SchemaForm):
    """What was delivered on each KPI in the work of one milestone, with its evidence."""

    schema = ReportIn

    def __init__(self, *args: Any, kpis: list[ContractKPI], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kpis = kpis
        # Each is optional on its own: a target with nothing delivered in this work stays 0.
        self.optional_fields = frozenset(
            name for kpi in kpis for name in (f"k{kpi.pk}-delivered", f"k{kpi.pk}-evidence")
        )
        for kpi in kpis:
            measure = kpi.measure
            self.fields[f"k{kpi.pk}-delivered"] = QuantityField(
                unit=measure.unit,
                label=_("Delivered in this milestone’s work"),
                required=False,
                help_text=unit_hint(measure),
            )
            self.fields[f"k{kpi.pk}-evidence"] = forms.CharField(
                label=_("How it can be checked"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=_("For example payroll records, timesheets, receipts or photographs."),
            )

    def rows(self) -> list[tuple[ContractKPI, str, Any, Any]]:
        """Each KPI, its promised target as shown, and its two fields."""
        return [
            (
                k,
                shown(k.target, k.measure.unit),
                self[f"k{k.pk}-delivered"],
                self[f"k{k.pk}-evidence"],
            )
            for k in self.kpis
        ]

    def schema_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "lines": [
                {
                    "measure": kpi.measure.code,
                    "delivered": data.get(f"k{kpi.pk}-delivered") or Decimal(0),
                    "evidence": data.get(f"k{kpi.pk}-evidence") or "",
                }
                for kpi in self.kpis
            ]
        }
