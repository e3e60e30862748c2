"""Forms of the Challenge Fund's pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from infuse.core.forms import PoundsField, SchemaForm, choice_field
from infuse.fund import purposes
from infuse.fund.schemas import AllocationIn


class AllocationForm(SchemaForm):
    schema = AllocationIn

    purpose = forms.ChoiceField(label=_("Challenge phase"))
    amount = PoundsField(
        label=_("Amount, in pounds"),
        help_text=_("What the phase may commit to contracts. Changing it replaces the amount."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "purpose").choices = [
            (p.reference, p.label) for p in purposes.directory().fundable()
        ]

    def schema_data(self) -> dict[str, Any]:
        return {
            "purpose": self.cleaned_data["purpose"],
            "amount_pence": int(self.cleaned_data.get("amount") or 0),
        }
