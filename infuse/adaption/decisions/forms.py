"""Forms of the decision pages: thin adapters that build the decisions' schemas."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from infuse.adaption.decisions.schemas import DecisionIn, ScaleUpIn
from infuse.adaption.models import Decision
from infuse.core.forms import SchemaForm, bilingual
from infuse.core.models import Council


class DecisionForm(SchemaForm):
    """The decision; the cost is typed in pounds and kept in pence."""

    schema = DecisionIn
    optional_fields = frozenset({"cost_per_unit"})

    choice = forms.ChoiceField(
        label=_("Decision"),
        choices=Decision.Choice.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    rationale, rationale_cy = bilingual(
        _("Rationale"),
        textarea=True,
        help_text=_("What the results show, what else was weighed, and why this decision."),
    )
    evidence_level = forms.TypedChoiceField(
        label=_("Standard of evidence reached (Nesta)"),
        choices=Decision.EvidenceLevel.choices,
        coerce=int,
        widget=forms.RadioSelect,
        required=False,
    )
    cost_per_unit = forms.DecimalField(
        label=_("Cost per unit of outcome, in pounds"),
        required=False,
        min_value=0,
        decimal_places=2,
        max_digits=12,
    )
    cost_unit = forms.CharField(
        label=_("Per what"),
        required=False,
        max_length=200,
        help_text=_("For example: per GP visit avoided."),
    )

    def schema_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        cost = data.get("cost_per_unit")
        return {
            "choice": data.get("choice") or "",
            "rationale": data.get("rationale") or "",
            "rationale_cy": data.get("rationale_cy") or "",
            "evidence_level": data.get("evidence_level") or None,
            "cost_per_unit_pence": int(cost * 100) if cost is not None else None,
            "cost_unit": data.get("cost_unit") or "",
        }


class ScaleUpForm(SchemaForm):
    """The roll-out: each council's place in the order (1 first; empty: not in it)."""

    schema = ScaleUpIn

    title_en, title_cy = bilingual(_("Title"), max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.councils = list(Council.objects.all())
        for council in self.councils:
            self.fields[f"order_{council.gss_code}"] = forms.IntegerField(
                label=council.name, required=False, min_value=1, max_value=10
            )

    def council_fields(self) -> list[Any]:
        return [self[f"order_{c.gss_code}"] for c in self.councils]

    def schema_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        chosen = [
            (data[f"order_{c.gss_code}"], c.gss_code)
            for c in self.councils
            if data.get(f"order_{c.gss_code}")
        ]
        return {
            "councils": [gss for _position, gss in sorted(chosen)],
            "title_en": data.get("title_en") or "",
            "title_cy": data.get("title_cy") or "",
        }
