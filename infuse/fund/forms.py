"""Forms of the Challenge Fund's pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from infuse.core.forms import PoundsField, ServiceForm, choice_field


class AllocationForm(ServiceForm):
    phase = forms.ChoiceField(label=_("Challenge phase"))
    amount = PoundsField(
        label=_("Amount, in pounds"),
        help_text=_("What the phase may commit to contracts. Changing it replaces the amount."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from infuse.procurement.services import phases_in_order

        phases = phases_in_order()
        choice_field(self, "phase").choices = [
            (str(p.pk), f"{p.challenge.title} – {p.get_number_display()}") for p in phases
        ]
