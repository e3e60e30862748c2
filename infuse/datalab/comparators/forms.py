"""The form of a new comparator group: its name in both languages and its councils."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from infuse.core.forms import SchemaForm, bilingual, choice_field
from infuse.datalab.catalogue.forms import tag_options
from infuse.datalab.comparators.schemas import ComparatorGroupIn


class ComparatorGroupForm(SchemaForm):
    schema = ComparatorGroupIn

    name_en, name_cy = bilingual(
        _("Name of the group"), max_length=120, help_text=_("For example: the Valleys councils")
    )
    councils = forms.MultipleChoiceField(
        label=_("Councils in the group"),
        help_text=_("Choose two or more."),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "councils").choices = tag_options("councils")
