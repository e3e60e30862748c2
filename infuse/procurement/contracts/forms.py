"""Forms of the contract pages: the contract dates of each winner, milestones, outcomes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from infuse.core.date_input import DateInputField
from infuse.core.forms import PoundsField, SchemaForm, ServiceForm, bilingual, choice_field
from infuse.datalab.catalogue import services as data
from infuse.procurement import cpv
from infuse.procurement.contracts.schemas import (
    CloseIn,
    ContractTermsIn,
    CpvIn,
    EvaluationIn,
    MilestoneIn,
)
from infuse.procurement.models import Bid


class ContractTermsForm(SchemaForm):
    """The start and end dates of the contract with each winning bid."""

    schema = ContractTermsIn

    def __init__(self, *args: Any, winners: list[Bid], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.winners = winners
        for winner in winners:
            self.fields[f"b{winner.pk}-starts_on"] = DateInputField(label=_("Contract starts on"))
            self.fields[f"b{winner.pk}-ends_on"] = DateInputField(label=_("Contract ends on"))

    def rows(self) -> list[tuple[Bid, Any, Any]]:
        return [(w, self[f"b{w.pk}-starts_on"], self[f"b{w.pk}-ends_on"]) for w in self.winners]

    def terms(self) -> list[ContractTermsIn]:
        data = self.cleaned_data
        return [
            self.to_schema(
                bid=w.pk, starts_on=data[f"b{w.pk}-starts_on"], ends_on=data[f"b{w.pk}-ends_on"]
            )
            for w in self.winners
        ]


class MilestoneForm(SchemaForm):
    schema = MilestoneIn

    title_en, title_cy = bilingual(_("Milestone"), max_length=200)
    due_on = DateInputField(label=_("Due on"))
    amount = PoundsField(label=_("Payment, in pounds"))

    def schema_data(self) -> dict[str, Any]:
        return {**self.cleaned_data, "amount_pence": int(self.cleaned_data.get("amount") or 0)}


class CpvForm(SchemaForm):
    schema = CpvIn

    cpv_codes = forms.CharField(
        label=_("CPV codes"),
        help_text=_(
            "What the contract buys, as Common Procurement Vocabulary codes, the main one "
            "first, separated by commas: for example 72212000, 90700000."
        ),
        error_messages={"required": _("Enter at least one CPV code")},
    )

    def schema_data(self) -> dict[str, Any]:
        return {"codes": cpv.split(self.cleaned_data.get("cpv_codes") or "")}


class CloseForm(SchemaForm):
    """How the contract ended: completed as agreed, or ended early and why."""

    schema = CloseIn
    optional_fields = frozenset({"reason_en", "reason_cy"})

    outcome = forms.ChoiceField(
        label=_("How did it end?"),
        widget=forms.RadioSelect,
        choices=[
            ("complete", _("Completed: the work was delivered as agreed")),
            ("terminated", _("Ended early: the work will not all be delivered")),
        ],
        error_messages={"required": _("Say whether the work was completed or ended early")},
    )
    reason_en, reason_cy = bilingual(
        _("Why it ended early"),
        textarea=True,
        help_text=_("Only when it ended early. The reason is published in the contract register."),
    )


class OutcomesForm(ServiceForm):
    indicators = forms.MultipleChoiceField(
        label=_("Data Lab indicators that measure what the contract is for"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Results then flow back into the evidence for the next challenge."),
    )

    def __init__(self, *args: Any, person: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "indicators").choices = [
            (i.slug, i.title) for i in data.visible_indicators(person)
        ]

    def slugs(self) -> list[str]:
        return list(self.cleaned_data.get("indicators") or [])


class EvaluationForm(SchemaForm):
    """Evaluate one of the contract's outcome indicators, by one of the engine's methods."""

    schema = EvaluationIn

    indicator = forms.ChoiceField(
        label=_("Indicator to evaluate"),
        error_messages={
            "required": _("Choose the indicator to evaluate"),
            "invalid_choice": _("Choose one of the indicators the contract reports against"),
        },
    )
    method = forms.ChoiceField(
        label=_("Method"),
        widget=forms.RadioSelect,
        initial="did",
        error_messages={
            "required": _("Choose difference in differences or synthetic control"),
            "invalid_choice": _("Choose difference in differences or synthetic control"),
        },
        choices=[
            (
                "did",
                _(
                    "Difference in differences: the change in the councils with the contract "
                    "against the change in the others"
                ),
            ),
            (
                "synthetic_control",
                _(
                    "Synthetic control: the councils with the contract against a weighted mix "
                    "of the others that followed them before it began"
                ),
            ),
        ],
    )

    def __init__(self, *args: Any, indicators: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "indicator").choices = [(i.slug, i.title) for i in indicators]
