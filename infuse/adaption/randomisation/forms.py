"""The randomisation page's form: a thin adapter that builds the randomisation's schema."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from infuse.adaption.randomisation.schemas import RandomiseIn
from infuse.core.forms import SchemaForm, choice_field


class RandomiseForm(SchemaForm):
    schema = RandomiseIn
    optional_fields = frozenset({"seed", "strata_column"})

    seed = forms.IntegerField(
        label=_("Seed"),
        required=False,
        min_value=0,
        max_value=2**62,
        help_text=_("Leave empty for a random seed; either way it is stored with the allocation."),
    )
    n_steps = forms.IntegerField(
        label=_("Number of steps"),
        required=False,
        min_value=1,
        max_value=10,
        help_text=_("Stepped wedge: councils switch over in this many steps (default: one each)."),
    )
    dataset = forms.ChoiceField(label=_("Dataset with one row per unit"), required=False)
    unit_column = forms.CharField(
        label=_("Column of unit identifiers"), required=False, max_length=200
    )
    strata_column = forms.CharField(
        label=_("Stratify by this column"), required=False, max_length=200
    )

    def __init__(self, *args: Any, datasets: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "dataset").choices = [("", _("Not chosen")), *datasets]
