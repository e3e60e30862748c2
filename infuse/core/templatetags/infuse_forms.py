"""Form words the GOV.UK patterns ask for, worked out once for every form include.

Why a filter and not label text: GOV.UK marks the fields a person may leave empty with
"(optional)" and leaves the required ones unmarked. Each form declares which fields those are
(``optional_fields``), so the includes say it in one way and no label spells it by hand.
"""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.utils.translation import gettext

from infuse.core.date_input import parts_of

register = template.Library()


@register.filter
def label_of(field: forms.BoundField) -> str:
    """``{{ field|label_of }}``: the label, with "(optional)" when the form declares the field
    may be left empty (``ServiceForm.optional_fields``)."""
    label = str(field.label)
    if field.name not in getattr(field.form, "optional_fields", ()):
        return label
    return gettext("%(label)s (optional)") % {"label": label}


@register.filter
def date_parts(value: Any) -> dict[str, str]:
    """``{{ field.value|date_parts }}``: what a date input's day, month and year boxes show."""
    return parts_of(value)
