"""Forms of the spend pages: the mapping of a dataset's columns, what is known of a supplier,
and the category of an expense type."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from infuse.core.forms import SchemaForm
from infuse.procurement import cpv
from infuse.procurement.spend.schemas import CategoryIn, SpendMappingIn, SupplierFactsIn

_MAPPED: dict[str, tuple[Any, Any]] = {
    "paid": (
        _("Date or period paid"),
        _("A date (“14-Jan-2011”) or a period (“July 2010-September 2010”)."),
    ),
    "supplier": (_("Supplier’s name"), ""),
    "amount": (_("Amount"), _("Pound signs, commas and words such as “CR” for a credit are read.")),
    "buyer_column": (
        _("Buyer (optional)"),
        _(
            "Only where the file holds payments of more than one body. Otherwise give the "
            "buyer’s name below."
        ),
    ),
    "company_number": (_("Companies House number (optional)"), ""),
    "charity_number": (_("Charity number (optional)"), ""),
    "service": (_("Service or department (optional)"), ""),
    "expense_type": (
        _("Expense type (optional)"),
        _("What was bought, in the council’s words: it is mapped to a standard category."),
    ),
}


class SpendMappingForm(SchemaForm):
    """A select of the dataset's columns for each part of a payment."""

    schema = SpendMappingIn

    buyer = forms.CharField(
        label=_("Buyer’s name (optional)"),
        max_length=200,
        required=False,
        help_text=_("Leave empty for the dataset’s publisher."),
    )

    def __init__(self, *args: Any, columns: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, (label, hint) in _MAPPED.items():
            required = name in {"paid", "supplier", "amount"}
            empty = _("Choose a column") if required else _("None")
            self.fields[name] = forms.ChoiceField(
                label=label,
                help_text=hint,
                required=False,
                choices=[("", empty), *((c, c) for c in columns)],
            )
        self.order_fields([*_MAPPED, "buyer"])

    def schema_data(self) -> dict[str, Any]:
        return {name: value or "" for name, value in self.cleaned_data.items()}


_KNOWN = [("", _("Not known")), ("yes", _("Yes")), ("no", _("No"))]


def _answer(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


class SupplierFactsForm(SchemaForm):
    schema = SupplierFactsIn

    is_sme = forms.ChoiceField(
        label=_("Is it a small or medium-sized enterprise (fewer than 250 staff)?"),
        choices=_KNOWN,
        required=False,
    )
    is_vcse = forms.ChoiceField(
        label=_("Is it a voluntary, community or social enterprise?"),
        choices=_KNOWN,
        required=False,
    )
    is_local = forms.ChoiceField(
        label=_("Is it based in the Cardiff Capital Region?"), choices=_KNOWN, required=False
    )

    @classmethod
    def initial_for(cls, supplier: Any) -> dict[str, str]:
        return {
            name: _answer(getattr(supplier, name)) for name in ("is_sme", "is_vcse", "is_local")
        }

    def schema_data(self) -> dict[str, Any]:
        return {
            name: {"yes": True, "no": False}.get(self.cleaned_data.get(name) or "")
            for name in ("is_sme", "is_vcse", "is_local")
        }


class CategoryForm(SchemaForm):
    schema = CategoryIn

    division = forms.ChoiceField(label=_("Category"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice = self.fields["division"]
        assert isinstance(choice, forms.ChoiceField)
        choice.choices = [
            ("", _("Not mapped: not something bought (pay, grants to people)")),
            *((d.digits, d.name) for d in cpv.DIVISIONS),
        ]

    def schema_data(self) -> dict[str, Any]:
        return {"division": self.cleaned_data.get("division") or ""}
