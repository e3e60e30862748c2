"""The bid form: an answer per scored criterion (the criteria come from the phase), the price
in pounds, the social value promised on each measure the phase asks about, and a document to
add — all sent together."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from infuse.core.files import Upload
from infuse.core.forms import PoundsField, SchemaForm
from infuse.procurement.bids.schemas import BidIn
from infuse.procurement.bids.sealed import BidContent
from infuse.procurement.models import Criterion, Phase
from infuse.procurement.social_value.forms import commitment_fields
from infuse.procurement.social_value.services import offered_measures


class BidForm(SchemaForm):
    schema = BidIn

    price = PoundsField(label=_("Your price, in pounds (excluding VAT)"), required=False)
    file = forms.FileField(label=_("Add a document to your bid"), required=False)

    def __init__(self, *args: Any, phase: Phase, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = list(phase.criteria.exclude(kind=Criterion.Kind.PRICE))
        for criterion in self.criteria:
            self.fields[f"answer_{criterion.pk}"] = forms.CharField(
                label=criterion.title,
                required=False,
                widget=forms.Textarea(attrs={"rows": 8}),
                help_text=f"{criterion.weight}% · {criterion.guidance}".strip(" ·"),
            )
        self.measures = offered_measures(phase)
        commitment_fields(self, self.measures)

    @staticmethod
    def initial_of(content: BidContent) -> dict[str, Any]:
        """The form's values from what the bid says now."""
        initial: dict[str, Any] = {f"answer_{k}": v for k, v in content.answers.items()}
        if content.price_pence is not None:
            initial["price"] = f"{content.price_pence / 100:.2f}"
        initial.update({f"sv_{code}": value for code, value in content.commitments.items()})
        return initial

    def answer_fields(self) -> list[Any]:
        return [self[f"answer_{c.pk}"] for c in self.criteria]

    def commitment_groups(self) -> list[tuple[Any, list[Any]]]:
        """The promise fields under the goal their measures serve, in the goals' order."""
        groups: dict[Any, list[Any]] = {}
        for measure in self.measures:
            groups.setdefault(measure.goal, []).append(self[f"sv_{measure.code}"])
        return list(groups.items())

    def schema_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "answers": {str(c.pk): data.get(f"answer_{c.pk}") or "" for c in self.criteria},
            "price_pence": data.get("price"),
            "commitments": {
                m.code: data[f"sv_{m.code}"]
                for m in self.measures
                if data.get(f"sv_{m.code}") is not None
            },
        }

    def documents(self) -> list[Upload]:
        added = self.cleaned_data.get("file")
        return [Upload.of(added)] if added else []
