"""Forms of the supplier pages: registration, inviting a colleague, joining."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from infuse.core.forms import SchemaForm
from infuse.procurement.suppliers.schemas import InvitationIn, JoinIn, SupplierIn


class SupplierRegistrationForm(SchemaForm):
    schema = SupplierIn

    full_name = forms.CharField(label=_("Your full name"), max_length=200, required=False)
    email = forms.EmailField(label=_("Your email address"), required=False)
    password = forms.CharField(
        label=_("Choose a password"),
        widget=forms.PasswordInput,
        required=False,
        help_text=_("At least 12 characters."),
    )
    name = forms.CharField(label=_("Organisation name"), max_length=200, required=False)
    companies_house_number = forms.CharField(
        label=_("Companies House number (if it has one)"), max_length=8, required=False
    )
    address = forms.CharField(
        label=_("Address"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    postcode = forms.CharField(label=_("Postcode"), max_length=10, required=False)
    is_sme = forms.BooleanField(
        label=_("We are a small or medium-sized enterprise (fewer than 250 staff)"), required=False
    )
    is_vcse = forms.BooleanField(
        label=_("We are a voluntary, community or social enterprise"), required=False
    )

    def schema_data(self) -> dict[str, Any]:
        return {key: value or "" for key, value in self.cleaned_data.items()} | {
            "is_sme": bool(self.cleaned_data.get("is_sme")),
            "is_vcse": bool(self.cleaned_data.get("is_vcse")),
        }


class InviteForm(SchemaForm):
    schema = InvitationIn

    email = forms.EmailField(label=_("Your colleague's email address"), required=False)


class JoinForm(SchemaForm):
    schema = JoinIn

    full_name = forms.CharField(label=_("Your full name"), max_length=200, required=False)
    password = forms.CharField(
        label=_("Choose a password"), widget=forms.PasswordInput, required=False
    )
