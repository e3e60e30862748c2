"""The bid form: an answer per scored criterion (the criteria come from the phase), the price
in pounds, and a document to add — all sent together."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from infuse.core.files import Upload
from infuse.core.forms import PoundsField, SchemaForm
from infuse.procurement.bids.schemas import BidIn
from infuse.procurement.bids.sealed import BidContent
from infuse.procurement.models import Criterion, Phase


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

    @staticmethod
    def initial_of(content: BidContent) -> dict[str, Any]:
        """The form's values from what the bid says now."""
        initial: dict[str, Any] = {f"answer_{k}": v for k, v in content.answers.items()}
        if content.price_pence is not None:
            initial["price"] = f"{content.price_pence / 100:.2f}"
        return initial

    def answer_fields(self) -> list[Any]:
        return [self[f"answer_{c.pk}"] for c in self.criteria]

    def schema_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "answers": {str(c.pk): data.get(f"answer_{c.pk}") or "" for c in self.criteria},
            "price_pence": data.get("price"),
        }

    def documents(self) -> list[Upload]:
        added = self.cleaned_data.get("file")
        return [Upload.of(added)] if added else []
