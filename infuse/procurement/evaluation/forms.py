"""Forms of the evaluation pages: the panel, a declaration of interest, an evaluator's scores,
a moderated (consensus) score, and the award decision (or its cancellation)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from infuse.core.forms import SchemaForm, choice_field
from infuse.core.models import Person, Role
from infuse.procurement.evaluation.schemas import (
    AwardCancelIn,
    AwardIn,
    DeclarationIn,
    ModerationIn,
    PanelIn,
    ScoreIn,
)
from infuse.procurement.models import Criterion

SCALE_CHOICES = [
    ("0", _("0 – unacceptable")),
    ("1", _("1 – poor")),
    ("2", _("2 – satisfactory")),
    ("3", _("3 – good")),
    ("4", _("4 – excellent")),
]


class EvaluatorsForm(SchemaForm):
    schema = PanelIn

    evaluators = forms.MultipleChoiceField(
        label=_("Evaluators on the panel"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {
            str(p.pk): p
            for p in Person.objects.filter(memberships__role=Role.EVALUATOR)
            .distinct()
            .order_by("full_name")
        }
        choice_field(self, "evaluators").choices = [
            (pk, f"{p.full_name} ({p.email})") for pk, p in self.people.items()
        ]

    def schema_data(self) -> dict[str, Any]:
        chosen = self.cleaned_data.get("evaluators") or []
        return {"evaluators": [self.people[pk].email for pk in chosen]}


class DeclarationForm(SchemaForm):
    schema = DeclarationIn

    has_conflict = forms.TypedChoiceField(
        label=_("Do you have a conflict of interest with this bidder?"),
        choices=[
            ("no", pgettext_lazy("a conflict of interest", "No")),
            ("yes", pgettext_lazy("a conflict of interest", "Yes")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        required=False,
        help_text=_(
            "For example: you, a relative or a close friend work for it, own part of it, or "
            "have been promised work by it."
        ),
    )
    details = forms.CharField(
        label=_("What is the conflict?"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def schema_data(self) -> dict[str, Any]:
        return {
            "has_conflict": bool(self.cleaned_data.get("has_conflict")),
            "details": self.cleaned_data.get("details") or "",
        }


class ScoresForm(SchemaForm):
    """A score (0–4) and a comment per scored criterion."""

    schema = ScoreIn

    def __init__(self, *args: Any, criteria: list[Criterion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"score_{criterion.pk}"] = forms.ChoiceField(
                label=criterion.title,
                choices=SCALE_CHOICES,
                widget=forms.RadioSelect,
                required=False,
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Why this score"),
                widget=forms.Textarea(attrs={"rows": 3}),
                required=False,
            )

    def pairs(self) -> list[tuple[Any, Any]]:
        return [(self[f"score_{c.pk}"], self[f"comment_{c.pk}"]) for c in self.criteria]

    def scores(self) -> list[ScoreIn]:
        """One score per criterion given a score (the service checks what is missing)."""
        data = self.cleaned_data
        return [
            self.to_schema(
                criterion=c.pk,
                score=int(data[f"score_{c.pk}"]),
                comment=data.get(f"comment_{c.pk}") or "",
            )
            for c in self.criteria
            if data.get(f"score_{c.pk}") not in (None, "")
        ]


class ModerationForm(SchemaForm):
    schema = ModerationIn

    score = forms.ChoiceField(
        label=_("Consensus score"), choices=SCALE_CHOICES, widget=forms.RadioSelect, required=False
    )
    rationale = forms.CharField(
        label=_("Why the panel agreed this score"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def schema_data(self) -> dict[str, Any]:
        return {
            "score": int(self.cleaned_data.get("score") or -1),
            "rationale": self.cleaned_data.get("rationale") or "",
        }


class AwardForm(SchemaForm):
    schema = AwardIn

    rationale = forms.CharField(
        label=_("Reasons for the award"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Published with the award notice and given to every bidder."),
    )


class AwardCancelForm(SchemaForm):
    schema = AwardCancelIn

    reason = forms.CharField(label=_("Reason for cancelling the award"), required=False)
