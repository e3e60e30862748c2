"""The register's filter (a GET form: a council, a CPV division, a status, a year)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from infuse.core.forms import ServiceForm, choice_field
from infuse.core.models import Council
from infuse.procurement.models import Contract
from infuse.procurement.register import queries


class FilterForm(ServiceForm):
    council = forms.ChoiceField(
        label=_("Council"),
        required=False,
        error_messages={"invalid_choice": _("Choose one of the region's ten councils")},
    )
    division = forms.ChoiceField(
        label=_("What is bought (CPV division)"),
        required=False,
        error_messages={
            "invalid_choice": _("Choose a CPV division that contracts in the register are in")
        },
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        error_messages={"invalid_choice": _("Choose active, complete or terminated")},
    )
    year = forms.ChoiceField(
        label=_("Signed in"),
        required=False,
        error_messages={"invalid_choice": _("Choose a year contracts in the register were signed")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        anything = [("", _("Any"))]
        choice_field(self, "council").choices = anything + [
            (c.slug, c.name) for c in Council.objects.all()
        ]
        choice_field(self, "division").choices = anything + [
            (d.digits, f"{d.digits} {d.name}") for d in queries.divisions()
        ]
        choice_field(self, "status").choices = anything + list(Contract.Status.choices)
        choice_field(self, "year").choices = anything + [(str(y), str(y)) for y in queries.years()]

    def filters(self) -> queries.Filters:
        """What to narrow the register to; nothing when the form was not valid."""
        if not self.is_valid():
            return queries.Filters()
        data = self.cleaned_data
        return queries.Filters(
            council=data["council"],
            division=data["division"],
            status=data["status"],
            year=int(data["year"]) if data["year"] else None,
        )
