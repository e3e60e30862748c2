"""The protocol page's form: a thin adapter that builds the protocol's schema."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from infuse.adaption.protocol.content import PROTOCOL_LABELS
from infuse.adaption.protocol.schemas import ProtocolIn
from infuse.core.forms import SchemaForm, bilingual

HINTS = {
    "hypotheses": _("Each hypothesis, with the direction you expect."),
    "sample": _("Who or what is studied, how many, and the power calculation behind it."),
    "stopping_rule": _("When the experiment ends, and any rule for stopping early."),
    "randomisation_method": _("For example: cluster randomisation of councils, seeded."),
    "randomisation_unit": _("People, households, schools, councils…"),
    "analysis_plan": _("The estimator, covariates, standard errors and tests, decided now."),
    "exclusions": _("Who or what is left out of the analysis, and why."),
    "missing_data": _("How missing outcomes will be handled."),
}


class ProtocolForm(SchemaForm):
    """The pre-registration's questions (a randomised design's too); an amendment also asks
    why, and whether it allows the randomisation to run again."""

    schema = ProtocolIn

    def __init__(self, *args: Any, randomised: bool, amending: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in PROTOCOL_LABELS.items():
            if not randomised and name.startswith("randomisation"):
                continue
            self.fields[name], self.fields[f"{name}_cy"] = bilingual(
                label, textarea=True, help_text=HINTS[name]
            )
        if amending:
            self.fields["reason"] = forms.CharField(
                label=_("Why the protocol is amended"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=_("Shown with the amendment, beside the registered version."),
            )
            if randomised:
                self.fields["allows_rerandomisation"] = forms.BooleanField(
                    label=_("This amendment allows the randomisation to be run again"),
                    required=False,
                )
